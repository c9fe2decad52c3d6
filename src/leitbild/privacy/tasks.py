"""Background work of the privacy app, run by the task worker."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.tasks import task
from django.template.loader import render_to_string
from django.utils import translation

from .models import PrivacyRequest


@task()
def send_privacy_request_mail(request_id: int) -> bool:
    """Mail the link to a person's data. The task holds only the request's id."""
    request = PrivacyRequest.objects.filter(pk=request_id).first()
    if request is None:  # expired and cleared before the worker got to it
        return False
    with translation.override(settings.LANGUAGE_CODE):
        text = render_to_string(
            "privacy/email/privacy_request.txt",
            {"request": request, "url": f"{settings.SITE_URL}{request.get_absolute_url()}"},
        )
    subject, _sep, body = text.strip().partition("\n")
    EmailMessage(" ".join(subject.split()), body.strip() + "\n", to=[request.email]).send()
    return True
