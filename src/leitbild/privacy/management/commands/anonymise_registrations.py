from django.conf import settings
from django.core.management.base import BaseCommand

from leitbild.participation.services import registrations_anonymise
from leitbild.privacy.services import privacy_requests_expire


class Command(BaseCommand):
    help = (
        "Anonymise registrations of events that ended more than REGISTRATION_RETENTION_DAYS "
        "ago, and clear expired privacy-request links. Run it daily."
    )

    def handle(self, *args, **options):
        count = registrations_anonymise()
        expired = privacy_requests_expire()
        days = settings.REGISTRATION_RETENTION_DAYS
        self.stdout.write(
            f"{count} registration(s) older than {days} days after their event anonymised; "
            f"{expired} expired privacy link(s) cleared."
        )
