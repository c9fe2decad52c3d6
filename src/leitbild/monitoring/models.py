"""Integration monitoring: indicators and their observations by period, area and breakdown.

The data logic (reading files, Open SDG output, progress status) lives in plain Python
in :mod:`.derivation`; this module only stores what it reads and writes.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from leitbild.concept.models import City, District, Goal
from leitbild.core.storage import private_storage


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


class RegisterRunQuerySet(models.QuerySet):
    def unfinished(self):
        """Runs queued or in progress: their uploaded microdata still exists."""
        return self.filter(status__in=[RegisterRun.Status.QUEUED, RegisterRun.Status.RUNNING])

    def stalled(self, *, since):
        """Runs marked running whose worker has written no progress since ``since``: the
        worker has most likely died, and nothing else would ever end the run. (A queued
        run is not stalled: its task waits in the queue for the next worker.)"""
        return self.filter(status=RegisterRun.Status.RUNNING).filter(
            models.Q(updated_at__lt=since) | models.Q(updated_at__isnull=True, created_at__lt=since)
        )


class RegisterRun(models.Model):
    """One derivation of migration background from an uploaded register extract.

    The extract (microdata) lives only while the run is queued or running and is deleted
    when it ends, however it ends; what stays is the report, the aggregates (staff only)
    and the disclosure-checked figures published into the monitoring.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    class Stage(models.TextChoices):
        QUEUED = "queued", _("Waiting for the worker")
        READING = "reading", _("Reading the file")
        DERIVING = "deriving", _("Checking, deriving and counting")
        PUBLISHING = "publishing", _("Publishing the figures")
        DONE = "done", _("Done")
        FAILED = "failed", _("Stopped")

    class Definition(models.TextChoices):
        MUENSTER = "muenster", _("Migration background (definition of the concept)")
        EINWANDERUNG = "einwanderungsgeschichte", _("Immigration history (Destatis since 2023)")

    city = models.ForeignKey(
        City, verbose_name=_("city"), on_delete=models.CASCADE, related_name="register_runs"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    # Written with every step of progress: how a dead worker is told from a slow one.
    updated_at = models.DateTimeField(_("last progress at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    definition = models.CharField(
        _("definition"), max_length=30, choices=Definition.choices, default=Definition.MUENSTER
    )
    year = models.PositiveSmallIntegerField(_("reference year"))
    include_expellees = models.BooleanField(
        _("count expellees born abroad before 1950"), default=True
    )
    extract_name = models.CharField(_("file name"), max_length=255)
    extract = models.FileField(
        _("extract"), upload_to="register/", storage=private_storage, blank=True
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    stage = models.CharField(_("stage"), max_length=12, choices=Stage.choices, default=Stage.QUEUED)
    persons = models.PositiveIntegerField(_("residents"), null=True, blank=True)
    report = models.JSONField(_("report"), default=dict, blank=True)
    aggregates = models.FileField(
        _("aggregates"), upload_to="register-aggregates/", storage=private_storage, blank=True
    )
    error = models.TextField(_("error"), blank=True)

    objects = RegisterRunQuerySet.as_manager()

    class Meta:
        verbose_name = _("register run")
        verbose_name_plural = _("register runs")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.extract_name} ({self.year}, {self.get_status_display()})"

    def get_absolute_url(self):
        return reverse("monitoring:register_run", kwargs={"pk": self.pk})
