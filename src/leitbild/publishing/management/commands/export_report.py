from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from leitbild.concept.selectors import EditionNotFound, edition_resolve
from leitbild.core.progress import ProgressBar
from leitbild.publishing.report import monitoring_report_default_edition
from leitbild.publishing.reports_services import monitoring_report_pdf, report_languages

STAGE_WIDTH = 34


class Command(BaseCommand):
    help = "Write the monitoring report of an edition (goals, action goals, measures, "
    "indicator charts and district tables, methods and sources) as a PDF."

    def add_arguments(self, parser):
        parser.add_argument("--out", type=Path, required=True)
        parser.add_argument(
            "--edition", default="", help="year or slug, e.g. 2019 (default: newest adopted)"
        )
        parser.add_argument(
            "--language", default="de", choices=[code for code, _name in report_languages()]
        )

    def handle(self, *args, out, edition, language, **options):
        try:
            found = edition_resolve(edition) if edition else monitoring_report_default_edition()
        except EditionNotFound as error:
            raise CommandError(str(error)) from error
        if found is None:
            raise CommandError("No adopted edition: name one with --edition.")
        bar = ProgressBar("", stream=self.stderr._out)

        def progress(percent: int, stage: str) -> None:
            # The stage is the bar's label, padded so a shorter one overwrites a longer.
            bar.label = stage[:STAGE_WIDTH].ljust(STAGE_WIDTH)
            bar(percent, 100)

        rendered = monitoring_report_pdf(edition=found, language=language, progress=progress)
        progress(100, _("Done"))
        out.write_bytes(rendered.data)
        self.stdout.write(
            self.style.SUCCESS(
                f"{found} → {out} ({rendered.pages} pages, {len(rendered.data) // 1024} KB)"
            )
        )
