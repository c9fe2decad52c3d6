import json

from django.core.management.base import BaseCommand, CommandError

from leitbild.concept.selectors import (
    EditionNotFound,
    comparison_counts,
    edition_comparison,
    edition_resolve,
)
from leitbild.concept.services import edition_link_lineage


class Command(BaseCommand):
    help = (
        "Compare the goals of two editions: new, removed, reworded, unchanged. Editions are "
        "given by year, or city/year when the database holds several cities."
    )

    def add_arguments(self, parser):
        parser.add_argument("old")
        parser.add_argument("new")
        parser.add_argument("--format", choices=["text", "json"], default="text")
        parser.add_argument(
            "--relink",
            action="store_true",
            help="match goals by text similarity again first (links staff set are kept)",
        )

    def handle(self, *args, **options):
        try:
            old, new = edition_resolve(options["old"]), edition_resolve(options["new"])
        except EditionNotFound as exc:
            raise CommandError(str(exc)) from exc
        if old.city_id != new.city_id:
            raise CommandError("Both editions must belong to the same city.")
        if old.year >= new.year:
            raise CommandError(f"{options['old']} is not older than {options['new']}.")
        if options["relink"]:
            edition_link_lineage(old=old, new=new)
        rows = edition_comparison(old=old, new=new)
        if options["format"] == "json":
            self.stdout.write(json.dumps([r.as_json() for r in rows], ensure_ascii=False, indent=2))
            return
        for row in rows:
            text = (row.new or row.old).text
            self.stdout.write(f"{row.status:<10} {(row.new or row.old).permalink}  {text[:70]}")
        counts = comparison_counts(rows)
        self.stdout.write(", ".join(f"{count} {status}" for status, count in counts.items()))
