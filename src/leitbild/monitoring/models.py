"""Integration monitoring: indicators and their observations by period, area and breakdown.

The data logic (reading files, Open SDG output, progress status) lives in plain Python
in :mod:`.derivation`; this module only stores what it reads and writes.
"""

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from leitbild.concept.models import City, District, Goal


class Indicator(models.Model):
    class Direction(models.TextChoices):
        INCREASE = "increase", _("Higher is better")
        DECREASE = "decrease", _("Lower is better")

    class Frequency(models.TextChoices):
        YEARLY = "yearly", _("Yearly")
        EVERY_TWO_YEARS = "biennial", _("Every two years")
        EVERY_FIVE_YEARS = "five_years", _("Every five years")
        IRREGULAR = "irregular", _("Irregular")

    city = models.ForeignKey(
        City, verbose_name=_("city"), on_delete=models.CASCADE, related_name="indicators"
    )
    code = models.SlugField(
        _("code"), max_length=60, help_text=_("Used in files and addresses, e.g. mig-share.")
    )
    name = models.CharField(_("name"), max_length=300)
    definition = models.TextField(_("definition"), blank=True)
    numerator = models.CharField(_("numerator"), max_length=300, blank=True)
    denominator = models.CharField(_("denominator"), max_length=300, blank=True)
    unit = models.CharField(_("unit"), max_length=40, help_text=_("e.g. %, persons, per 1,000"))
    source = models.CharField(_("source"), max_length=300, blank=True)
    frequency = models.CharField(
        _("update frequency"), max_length=12, choices=Frequency.choices, default=Frequency.YEARLY
    )
    direction = models.CharField(
        _("direction of improvement"),
        max_length=10,
        choices=Direction.choices,
        default=Direction.INCREASE,
    )
    disaggregations = models.JSONField(
        _("breakdowns"),
        default=list,
        blank=True,
        help_text=_("Dimension names besides the area, e.g. sex, age_group, career_level."),
    )
    goals = models.ManyToManyField(
        Goal, verbose_name=_("goals it measures"), blank=True, related_name="indicators"
    )
    target_value = models.FloatField(_("target value"), null=True, blank=True)
    target_year = models.PositiveSmallIntegerField(_("target year"), null=True, blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["city", "position", "code"]
        constraints = [
            models.UniqueConstraint(fields=["city", "code"], name="indicator_unique_code")
        ]

    def __str__(self):
        return f"{self.code}: {self.name}"

    def get_absolute_url(self):
        return reverse("monitoring:indicator", kwargs={"code": self.code})

    def as_spec(self) -> dict:
        """The plain-data view :mod:`.derivation` validates and exports with."""
        return {
            "id": self.code,
            "name": self.name,
            "unit": self.unit,
            "definition": self.definition,
            "source": self.source,
            "disaggregations": list(self.disaggregations or []),
            "direction": self.direction,
            "target": self.target_value,
            "target_label": str(self.target_year or ""),
        }


class Observation(models.Model):
    """One value of an indicator for a period, an area and a combination of breakdowns."""

    class Status(models.TextChoices):
        NORMAL = "normal", _("Normal")
        ESTIMATED = "estimated", _("Estimated")
        PROVISIONAL = "provisional", _("Provisional")
        SUPPRESSED = "suppressed", _("Suppressed (too few cases)")

    indicator = models.ForeignKey(
        Indicator,
        verbose_name=_("indicator"),
        on_delete=models.CASCADE,
        related_name="observations",
    )
    period = models.PositiveSmallIntegerField(_("year"))
    area = models.ForeignKey(
        District, verbose_name=_("area"), on_delete=models.PROTECT, related_name="observations"
    )
    disaggregation = models.JSONField(_("breakdown"), default=dict, blank=True)
    # Canonical "dimension=value;…" (sorted; empty for the total), for the unique key.
    disaggregation_key = models.CharField(max_length=300, blank=True, editable=False)
    value = models.FloatField(_("value"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.NORMAL
    )
    comment = models.CharField(_("comment"), max_length=300, blank=True)
    imported_at = models.DateTimeField(_("imported at"), auto_now=True)

    class Meta:
        verbose_name = _("observation")
        verbose_name_plural = _("observations")
        ordering = ["indicator", "period", "area", "disaggregation_key"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "period", "area", "disaggregation_key"],
                name="observation_unique_key",
            )
        ]
        indexes = [models.Index(fields=["indicator", "period"], name="observation_series")]

    def __str__(self):
        return f"{self.indicator.code} {self.period} {self.area}: {self.value}"


def disaggregation_key(values: dict) -> str:
    return ";".join(f"{k}={v}" for k, v in sorted(values.items()))
