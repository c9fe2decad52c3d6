from django.core.management.base import BaseCommand, CommandError

from leitbild.core.progress import ProgressBar
from leitbild.demo.scale import AlreadyScaled, DemoMissing, is_scaled, planned, scale


class Command(BaseCommand):
    help = (
        "Add SYNTHETIC rows to the loaded demo for load tests: FACTOR × 200 contributions, "
        "× 50 registrations (on FACTOR synthetic events) and about × 5,000 observations, "
        "all marked as synthetic. All or nothing; runs once per database."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--factor", type=int, default=100, help="how many times the demo (default: 100)"
        )
        parser.add_argument("--seed", type=int, default=100, help="random seed (default: 100)")

    def handle(self, *args, factor, seed, **options):
        if factor < 1:
            raise CommandError("--factor must be at least 1.")
        try:
            if is_scaled():
                raise AlreadyScaled(
                    "The database holds scaled demo data already; scale a freshly loaded "
                    "demo instead."
                )
            plan = planned(factor)
            self.stderr.write(
                f"Adding {plan['contributions']:,} contributions, {plan['registrations']:,} "
                f"registrations on {plan['events']:,} events and {plan['observations']:,} "
                f"observations of {plan['indicators']:,} indicators (synthetic) …"
            )
            report = scale(
                factor=factor,
                seed=seed,
                progress=ProgressBar("writing", stream=self.stderr._out),
            )
        except (AlreadyScaled, DemoMissing) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"{report.contributions:,} contributions ({report.replies:,} replies), "
                f"{report.registrations:,} registrations ({report.waiting:,} waiting) on "
                f"{report.events:,} events, {report.observations:,} observations of "
                f"{report.indicators:,} indicators added (all synthetic)."
            )
        )
