"""The organisations (actors) of a city's integration work.

The 2019 concept lists about 120 institutions that took part in its revision; they
register for events, make contributions and later carry out measures.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from leitbild.concept.models import City, FieldOfAction


class Organisation(models.Model):
    class Category(models.TextChoices):
        CITY_OFFICE = "city_office", _("City office")
        MIGRANT_ORG = "migrant_org", _("Migrant organisation")
        WELFARE = "welfare", _("Welfare association")
        RELIGIOUS = "religious", _("Religious community")
        SCHOOL = "school", _("School or adult education")
        UNIVERSITY = "university", _("University")
        POLITICAL = "political", _("Political party or group")
        CHAMBER_UNION = "chamber_union", _("Chamber or union")
        POLICE = "police", _("Police")
        ASSOCIATION = "association", _("Association or initiative")
        COMPANY = "company", _("Company")
        OTHER = "other", _("Other")

    city = models.ForeignKey(
        City, verbose_name=_("city"), on_delete=models.CASCADE, related_name="organisations"
    )
    name = models.CharField(_("name"), max_length=300)
    slug = models.SlugField(_("slug"), max_length=120)
    category = models.CharField(
        _("category"), max_length=20, choices=Category.choices, default=Category.OTHER
    )
    fields = models.ManyToManyField(
        FieldOfAction,
        verbose_name=_("fields of action"),
        blank=True,
        related_name="organisations",
        help_text=_("The fields of action the organisation works in."),
    )
    website = models.URLField(_("website"), blank=True)
    description = models.TextField(_("description"), blank=True)
    contact = models.TextField(
        _("contact"),
        blank=True,
        help_text=_(
            "Address, telephone, a general e-mail address — shown publicly, so no "
            "personal addresses."
        ),
    )

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["city", "name"]
        constraints = [
            models.UniqueConstraint(fields=["city", "slug"], name="organisation_unique_slug"),
            models.UniqueConstraint(fields=["city", "name"], name="organisation_unique_name"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("actors:detail", kwargs={"slug": self.slug})


class OrganisationMember(models.Model):
    """A user who acts for an organisation, in one role.

    Membership grants rights (see ``actors/permissions.py`` and
    ``implementation/permissions.py``), so only administrators create it, as only they
    name a process's staff. A user may hold both roles for the same organisation.
    """

    class Role(models.TextChoices):
        # Keeps the organisation's public profile (description, website, contact).
        REPRESENTATIVE = "representative", _("Representative")
        # Writes progress reports on the measures and action goals it is responsible for.
        REPORTER = "reporter", _("Department reporter")

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="organisation_memberships",
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(_("since"), auto_now_add=True)

    class Meta:
        verbose_name = _("organisation member")
        verbose_name_plural = _("organisation members")
        ordering = ["organisation", "role", "user"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "user", "role"], name="organisation_member_unique_role"
            )
        ]

    def __str__(self):
        return f"{self.user} · {self.organisation} ({self.get_role_display()})"
