from django.conf import settings
from django.core.management.base import BaseCommand

from leitbild.monitoring.services import register_runs_abandon_stalled
from leitbild.publishing.reports_services import monitoring_reports_abandon_stalled


class Command(BaseCommand):
    help = (
        "End register runs and monitoring reports whose worker died: running, but without "
        "progress for JOB_STALL_MINUTES. They are marked failed with the reason, and a "
        "register run's uploaded microdata is deleted. `serve --production` runs this "
        "every 15 minutes."
    )

    def handle(self, *args, **options):
        runs = register_runs_abandon_stalled()
        reports = monitoring_reports_abandon_stalled()
        self.stdout.write(
            f"{runs} register run(s) and {reports} monitoring report(s) without progress for "
            f"{settings.JOB_STALL_MINUTES} minutes ended as failed."
        )
