"""A person's request for their data, confirmed by a link sent to their address.

Participants have no accounts: an e-mail address is what ties a registration, a
contribution and a ballot to a person. Whoever can read mail at that address may see and
erase what is held under it. The request row exists only so that the mail task carries
an id rather than the address; it expires after ``PRIVACY_REQUEST_HOURS`` and is deleted
when the data are erased (or by ``leitbild anonymise-registrations``, which also clears
expired requests).
"""

import secrets

from django.db import models
from django.utils.translation import gettext_lazy as _


def new_token() -> str:
    return secrets.token_urlsafe(32)


class PrivacyRequestQuerySet(models.QuerySet):
    def valid(self, now):
        """Requests whose link still works."""
        return self.filter(expires_at__gt=now)


class PrivacyRequest(models.Model):
    email = models.EmailField(_("e-mail"))
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("link valid until"))

    objects = PrivacyRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("privacy request")
        verbose_name_plural = _("privacy requests")

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M}"

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("privacy:request_detail", kwargs={"token": self.token})
