import os
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from leitbild.core.progress import ProgressBar
from leitbild.ops.services import BackupError, backup_write


class Command(BaseCommand):
    # No system checks: a backup or a restore must work even while some check fails.
    requires_system_checks = []
    help = (
        "Write all data and uploaded files to one archive (.tar.gz). Leaves out sessions, "
        "rate-limit counters and the task queue; see docs/operations.md."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--out",
            required=True,
            help="archive file, a folder (a dated file name is chosen in it), or - for stdout",
        )

    def handle(self, *args, out, verbosity, **options):
        to_stdout = out == "-"
        if to_stdout:
            target = sys.stdout.buffer
        else:
            target = Path(out)
            if out.endswith(("/", os.sep)) or target.is_dir():
                target.mkdir(parents=True, exist_ok=True)
                stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
                target = target / f"leitbild-{stamp}.tar.gz"
        show_progress = verbosity >= 1 and sys.stderr.isatty()
        try:
            manifest = backup_write(
                out=target, progress=ProgressBar("Backup") if show_progress else None
            )
        except BackupError as error:
            raise CommandError(str(error)) from error
        if verbosity >= 1:
            # stdout may be the archive itself; the summary goes to stderr then.
            report = self.stderr if to_stdout else self.stdout
            files = ", ".join(f"{n} in {folder}/" for folder, n in manifest.files.items())
            report.write(
                f"{'Archive written' if to_stdout else target}: {manifest.rows} rows of "
                f"{sum(1 for n in manifest.counts.values() if n)} models, files: {files}"
            )
