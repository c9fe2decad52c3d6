"""Background tasks shared by the apps (Django's task framework).

Tasks take JSON-serialisable arguments only: the worker may run in another
process, later.
"""

from django.conf import settings
from django.core.mail import EmailMessage
from django.tasks import task


@task
def send_email(*, to: list[str], subject: str, body: str) -> int:
    """Send a plain-text e-mail; queued so that a slow mail server never slows a page."""
    return EmailMessage(
        subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=to
    ).send()
