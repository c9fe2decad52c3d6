"""E-mails of the participation app, sent by the task worker.

Tasks carry only the kind of mail and a row id: the address, the name and the secret
links are read and rendered when the mail is sent, so the task queue never holds a
copy of anyone's personal data or of working cancel/confirm links.
"""

from django.conf import settings
from django.core.mail import EmailMessage
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from .models import Contribution, PollBallot, Registration


def absolute(url: str) -> str:
    return f"{settings.SITE_URL}{url}"


def _registration(pk: int) -> tuple[str, dict]:
    registration = Registration.objects.select_related("event__process").get(pk=pk)
    return registration.email, {
        "registration": registration,
        "event": registration.event,
        "event_url": absolute(registration.event.get_absolute_url()),
        "cancel_url": absolute(registration.get_cancel_url()),
    }


def _contribution(pk: int) -> tuple[str, dict]:
    contribution = Contribution.objects.get(pk=pk)
    url = reverse("participation:contribution_confirm", args=[contribution.token])
    return contribution.email, {"contribution": contribution, "confirm_url": absolute(url)}


def _ballot(pk: int) -> tuple[str, dict]:
    ballot = PollBallot.objects.select_related("poll").get(pk=pk)
    url = reverse("participation:ballot_confirm", args=[ballot.token])
    return ballot.email, {"ballot": ballot, "poll": ballot.poll, "confirm_url": absolute(url)}


MAILS = {
    "registration_created": _registration,
    "registration_promoted": _registration,
    "contribution_confirm": _contribution,
    "ballot_confirm": _ballot,
}


def render_mail(kind: str, pk: int) -> tuple[str, str, str]:
    """``(to, subject, body)`` from ``participation/email/<kind>.txt`` (first line: subject)."""
    to, context = MAILS[kind](pk)
    with translation.override(settings.LANGUAGE_CODE):
        text = render_to_string(f"participation/email/{kind}.txt", context)
    subject, _sep, body = text.strip().partition("\n")
    # One line, whatever the title held: a newline in a header is refused (and unsafe).
    return to, " ".join(subject.split()), body.strip() + "\n"


@task
def send_participation_mail(*, kind: str, pk: int) -> int:
    to, subject, body = render_mail(kind, pk)
    return EmailMessage(
        subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[to]
    ).send()
