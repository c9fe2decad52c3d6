from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from leitbild.core.progress import ProgressBar
from leitbild.monitoring.selectors import city_resolve
from leitbild.monitoring.services import opensdg_export


class Command(BaseCommand):
    help = (
        "Write the indicators as an Open SDG data folder (data/indicator_<id>.csv, meta/<id>.md)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--out", type=Path, required=True, help="folder to write into")
        parser.add_argument("--city", default="", help="city name (default: the only one)")

    def handle(self, *args, out, city, **options):
        try:
            city = city_resolve(city)
        except ValueError as error:
            raise CommandError(f"{error} Use --city.") from error
        written = opensdg_export(
            city=city, out=out, progress=ProgressBar("indicators", stream=self.stderr._out)
        )
        self.stdout.write(self.style.SUCCESS(f"{len(written)} files written to {out}."))
