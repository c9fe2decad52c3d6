from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from leitbild.concept.models import Edition
from leitbild.publishing.services import edition_pdf


class Command(BaseCommand):
    help = "Write an edition of the concept as a print-ready PDF brochure."

    def add_arguments(self, parser):
        parser.add_argument("--edition", required=True, help="year or slug, e.g. 2019")
        parser.add_argument("--out", type=Path, required=True)
        parser.add_argument("--language", default="de")

    def handle(self, *args, edition, out, language, **options):
        found = Edition.objects.filter(slug=edition).first()
        if found is None and edition.isdigit():
            matches = list(Edition.objects.filter(year=int(edition)))
            if len(matches) > 1:
                raise CommandError(f"Several editions of {edition}: give the slug.")
            found = matches[0] if matches else None
        if found is None:
            raise CommandError(f"No edition {edition!r}.")
        try:
            data = edition_pdf(edition=found, language=language)
        except ValueError as error:  # an unknown content language
            raise CommandError(str(error)) from error
        out.write_bytes(data)
        self.stdout.write(self.style.SUCCESS(f"{found} → {out} ({len(data) // 1024} KB)"))
