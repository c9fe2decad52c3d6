"""The organisations (actors) of a city's integration work.

The 2019 concept lists about 120 institutions that took part in its revision; they
register for events, make contributions and later carry out measures.
"""

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
