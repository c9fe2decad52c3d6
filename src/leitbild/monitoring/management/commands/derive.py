import json
from pathlib import Path

import polars as pl
from django.core.management.base import BaseCommand, CommandError

from leitbild.core.progress import ProgressBar
from leitbild.monitoring.derivation import register


class Command(BaseCommand):
    help = (
        "Derive the migration background of every resident in a register extract (CSV or "
        "Parquet) and write persons.parquet, aggregates.csv and report.json to --out. "
        "A bad extract writes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("extract", type=Path)
        parser.add_argument("--out", type=Path, required=True)
        parser.add_argument("--definition", choices=register.DEFINITIONS, default="muenster")
        parser.add_argument("--year", type=int, required=True, help="reference year for ages")
        parser.add_argument(
            "--exclude-expellees", action="store_true", help="born abroad before 1950 is none"
        )

    def handle(self, *args, extract, out, definition, year, exclude_expellees, **options):
        progress = ProgressBar("deriving", stream=self.stderr._out)
        if not extract.is_file():
            raise CommandError(f"{extract}: no such file.")
        try:
            frame = (
                pl.read_parquet(extract)
                if extract.suffix == ".parquet"
                else pl.read_csv(extract, infer_schema=False)
            )
        except Exception as error:  # polars raises several kinds for unreadable files
            raise CommandError(f"{extract.name}: cannot be read: {error}") from error
        progress(1, 3)
        result = register.run(
            frame, year=year, definition=definition, include_expellees=not exclude_expellees
        )
        checked = result.validation
        if not checked.ok:
            lines = "\n".join(f"  {f}" for f in checked.errors)
            raise CommandError(
                f"{extract.name}: the extract is not usable, nothing written:\n{lines}"
            )
        derived, aggregates = result.persons, result.aggregates
        progress(2, 3)
        out.mkdir(parents=True, exist_ok=True)
        derived.write_parquet(out / "persons.parquet")
        aggregates.write_csv(out / "aggregates.csv")
        summary = derived.group_by("category").len().sort("category")
        report = {
            "extract": extract.name,
            "definition": definition,
            "year": year,
            "persons": derived.height,
            "categories": dict(summary.iter_rows()),
            "warnings": [str(w) for w in checked.warnings],
        }
        (out / "report.json").write_text(json.dumps(report, indent=1, ensure_ascii=False))
        progress(3, 3)
        self.stdout.write(f"{'category':<14} {'persons':>10} {'share':>7}")
        for category, count in summary.iter_rows():
            self.stdout.write(f"{category:<14} {count:>10,} {count / derived.height:>7.1%}")
        for warning in checked.warnings:
            self.stdout.write(self.style.WARNING(f"warning: {warning}"))
        self.stdout.write(self.style.SUCCESS(f"{derived.height:,} persons derived into {out}."))
