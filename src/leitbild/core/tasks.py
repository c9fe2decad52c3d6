"""Background work of the core app, run by the task worker."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMessage
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode


@task()
def send_password_reset_mail(user_id: int) -> bool:
    """Mail the link to set a new password. The task holds only the user's id; the link's
    token is made here and is void once the password changes or after
    ``PASSWORD_RESET_TIMEOUT``."""
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None or not user.email:
        return False
    path = reverse(
        "account:password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    with translation.override(settings.LANGUAGE_CODE):
        text = render_to_string(
            "core/email/password_reset.txt",
            {
                "user": user,
                "url": f"{settings.SITE_URL}{path}",
                "hours": settings.PASSWORD_RESET_TIMEOUT // 3600,
            },
        )
    subject, _sep, body = text.strip().partition("\n")
    EmailMessage(" ".join(subject.split()), body.strip() + "\n", to=[user.email]).send()
    return True
