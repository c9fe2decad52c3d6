import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from leitbild.concept.selectors import EditionNotFound, edition_document, edition_resolve


class Command(BaseCommand):
    help = "Write an edition as one JSON document (format: docs/edition-json.md)."

    def add_arguments(self, parser):
        parser.add_argument("edition", help="year, or city/year")
        parser.add_argument("--format", choices=["json"], default="json")
        parser.add_argument("--out", type=Path, help="file to write (default: standard output)")

    def handle(self, *args, **options):
        try:
            edition = edition_resolve(options["edition"])
        except EditionNotFound as exc:
            raise CommandError(str(exc)) from exc
        text = json.dumps(edition_document(edition), ensure_ascii=False, indent=2)
        if options["out"]:
            options["out"].write_text(text + "\n", encoding="utf-8")
            self.stderr.write(f"Wrote {options['out']}")
        else:
            self.stdout.write(text)
