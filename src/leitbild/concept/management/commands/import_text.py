import datetime as dt
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from leitbild.concept.models import Edition
from leitbild.concept.services import edition_import_text
from leitbild.concept.textimport import DocumentError


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"'{value}' is not a date (expected YYYY-MM-DD).") from exc


class Command(BaseCommand):
    help = (
        "Import a concept document in the plain-text layout (docs/import-text.md) as an "
        "edition. Atomic and idempotent: importing again updates the edition in place."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--city", required=True, help="city name, e.g. Münster")
        parser.add_argument("--edition", required=True, type=int, help="edition year, e.g. 2019")
        parser.add_argument("--title")
        parser.add_argument("--number", type=int, help="edition number (3 for '3. Fassung')")
        parser.add_argument("--status", choices=Edition.Status.values)
        parser.add_argument("--adopted", type=_date, help="adoption date YYYY-MM-DD")
        parser.add_argument("--council-paper", help="e.g. V/0203/2019")
        parser.add_argument("--valid-until", type=_date)

    def handle(self, *args, **options):
        path: Path = options["file"]
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}.") from exc
        try:
            result = edition_import_text(
                data=data,
                source_name=path.name,
                city_name=options["city"],
                year=options["edition"],
                title=options["title"],
                number=options["number"],
                status=options["status"],
                adopted_on=options["adopted"],
                council_paper=options["council_paper"],
                valid_until=options["valid_until"],
            )
        except DocumentError as exc:
            raise CommandError(
                f"{path} was not imported ({len(exc.problems)} problem(s); nothing was "
                f"written):\n{exc}"
            ) from exc
        edition = result.edition
        verb = "Created" if result.created else "Updated"
        self.stdout.write(
            self.style.SUCCESS(
                f"{verb} {edition.city}/{edition.year} '{edition.title}': "
                f"{result.chapters} chapters, {result.fields} fields of action, "
                f"{result.goals} goals, {result.footnotes} footnotes, "
                f"{result.linked} goals linked to another edition."
            )
        )
