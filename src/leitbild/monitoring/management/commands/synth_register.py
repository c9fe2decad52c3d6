from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from leitbild.monitoring.derivation.synth import MUENSTER_2017, synthesize


class Command(BaseCommand):
    help = (
        "Write a SYNTHETIC register extract calibrated to Münster 2017 (no real person is in "
        "it), as CSV or Parquet by the file's extension."
    )

    def add_arguments(self, parser):
        parser.add_argument("--persons", type=int, default=MUENSTER_2017["persons"])
        parser.add_argument("--seed", type=int, default=2017)
        parser.add_argument("--out", type=Path, required=True)

    def handle(self, *args, persons, seed, out, **options):
        if persons < 100:
            raise CommandError("--persons must be at least 100.")
        frame = synthesize(persons, seed=seed)
        if out.suffix == ".parquet":
            frame.write_parquet(out)
        else:
            frame.write_csv(out)
        self.stdout.write(self.style.SUCCESS(f"{frame.height:,} synthetic residents → {out}"))
