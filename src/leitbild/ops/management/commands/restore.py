import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from leitbild.core.progress import ProgressBar
from leitbild.ops.services import BackupError, backup_restore


class Command(BaseCommand):
    # No system checks: a backup or a restore must work even while some check fails.
    requires_system_checks = []
    help = (
        "Restore data and uploaded files from an archive written by `leitbild backup`. "
        "Refuses a database that holds data unless --force is given."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", help="the archive, or - to read it from stdin")
        parser.add_argument(
            "--force",
            action="store_true",
            help="delete all data and uploaded files first (asks unless --noinput)",
        )
        parser.add_argument(
            "--noinput",
            "--no-input",
            action="store_false",
            dest="interactive",
            help="do not ask for confirmation",
        )

    def handle(self, *args, archive, force, interactive, verbosity, **options):
        if force and interactive:
            if archive == "-" or not sys.stdin.isatty():
                raise CommandError(
                    "--force deletes all data first; without a terminal to confirm on, "
                    "add --noinput."
                )
            answer = input(
                "This deletes all data and uploaded files and replaces them with the "
                "archive's. Type 'yes' to continue: "
            )
            if answer.strip().lower() != "yes":
                raise CommandError("Restore cancelled.")
        source = sys.stdin.buffer if archive == "-" else Path(archive)
        show_progress = verbosity >= 1 and sys.stderr.isatty()
        try:
            manifest = backup_restore(
                archive=source,
                force=force,
                progress=ProgressBar("Restore") if show_progress else None,
            )
        except BackupError as error:
            raise CommandError(str(error)) from error
        if verbosity >= 1:
            files = ", ".join(f"{n} in {folder}/" for folder, n in manifest.files.items())
            self.stdout.write(
                self.style.SUCCESS(
                    f"Restored {manifest.rows} rows and files ({files}) from a backup of "
                    f"{manifest.created_at} (leitbild {manifest.app_version}, "
                    f"{manifest.database_vendor})."
                )
            )
