"""Who looked at or downloaded personal data, and when.

Staff need participants' names and addresses to run events; the city must be able to say
afterwards who saw them (GDPR accountability, Art. 5(2)). Every staff view or download of
personal data writes one row here. Rows are never changed; administrators read them.
The row names what was seen (e.g. "registrations of event 12") and how many people it
covered — never the personal data itself.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    class Action(models.TextChoices):
        VIEW = "view", _("viewed")
        EXPORT = "export", _("downloaded")
        ERASE = "erase", _("erased")
        DISCLOSE = "disclose", _("disclosed to the person")

    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    username = models.CharField(
        _("user name"), max_length=150, blank=True, help_text=_("Kept if the account is deleted.")
    )
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    subject = models.CharField(_("what"), max_length=300)
    people = models.PositiveIntegerField(_("people concerned"), default=0)
    path = models.CharField(_("address"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-at", "-pk"]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.username or '—'} {self.action} {self.subject}"
