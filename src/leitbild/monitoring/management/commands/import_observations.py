from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from leitbild.core.progress import ProgressBar
from leitbild.monitoring.derivation.rows import InputError
from leitbild.monitoring.selectors import city_resolve
from leitbild.monitoring.services import observations_import


class Command(BaseCommand):
    help = (
        "Import indicator observations from a long CSV/XLSX (see docs/data-formats.md) or an "
        "Open SDG indicator CSV. Every row is checked first; nothing is written unless all "
        "rows are valid."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--city", default="", help="city name (default: the only one)")
        parser.add_argument(
            "--format", choices=["auto", "long", "opensdg"], default="auto", dest="fmt"
        )
        parser.add_argument(
            "--indicator", default="", help="indicator code (required for Open SDG files)"
        )

    def handle(self, *args, file, city, fmt, indicator, **options):
        if not file.is_file():
            raise CommandError(f"{file}: no such file.")
        try:
            city = city_resolve(city)
        except ValueError as error:
            raise CommandError(f"{error} Use --city.") from error
        try:
            report = observations_import(
                city=city,
                data=file.read_bytes(),
                filename=file.name,
                fmt=fmt,
                indicator=indicator,
                progress=ProgressBar("writing", stream=self.stderr._out),
                trusted=True,  # the operator's own file: no upload size limit
            )
        except InputError as error:
            problems = "\n".join(f"  {file.name}: {p}" for p in error.problems)
            raise CommandError(
                f"{file.name}: {len(error.problems)} problem(s), nothing was imported:\n{problems}"
            ) from error
        for note in report.notes:
            self.stdout.write(f"note: {note}")
        self.stdout.write(
            self.style.SUCCESS(
                f"{report.created} observations created, {report.updated} updated, "
                f"{report.unchanged} unchanged ({', '.join(report.indicators)})."
            )
        )
