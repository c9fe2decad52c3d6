"""Implementation: action goals (Handlungsziele) under the concept's goals, and measures.

The concept's goals are deliberately broad; action goals make them specific, measurable
and time-bound, and measures (projects) carry them out.
"""

import datetime as dt

from django.conf import settings
from django.core.validators import FileExtensionValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from leitbild.actors.models import Organisation
from leitbild.concept.models import Goal
from leitbild.monitoring.models import Indicator

from .smart import smart_problems


class ActionGoal(models.Model):
    class Direction(models.TextChoices):
        INCREASE = "increase", _("Increase to at least")
        DECREASE = "decrease", _("Decrease to at most")

    goal = models.ForeignKey(
        Goal,
        verbose_name=_("goal it serves"),
        on_delete=models.PROTECT,
        related_name="action_goals",
        help_text=_("A guiding goal or sub-goal of the concept."),
    )
    text = models.TextField(_("action goal"))
    responsible = models.ManyToManyField(
        Organisation, verbose_name=_("responsible"), blank=True, related_name="action_goals"
    )
    indicators = models.ManyToManyField(
        Indicator, verbose_name=_("indicators"), blank=True, related_name="action_goals"
    )
    baseline_value = models.FloatField(_("baseline value"), null=True, blank=True)
    baseline_year = models.PositiveSmallIntegerField(_("baseline year"), null=True, blank=True)
    target_value = models.FloatField(_("target value"), null=True, blank=True)
    direction = models.CharField(
        _("direction"), max_length=10, choices=Direction.choices, default=Direction.INCREASE
    )
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("action goal")
        verbose_name_plural = _("action goals")
        ordering = ["goal__edition", "goal__field__position", "goal__position", "pk"]

    def __str__(self):
        return self.text[:80]

    def get_absolute_url(self):
        return reverse("implementation:action_goal", kwargs={"pk": self.pk})

    def smart_problems(self, today: dt.date | None = None):
        """The SMART check; expects ``responsible`` and ``indicators`` prefetched in lists."""
        return smart_problems(
            text=self.text,
            responsible=len(self.responsible.all()),
            indicators=len(self.indicators.all()),
            baseline_value=self.baseline_value,
            baseline_year=self.baseline_year,
            target_value=self.target_value,
            deadline=self.deadline,
            today=today or dt.date.today(),
        )


class Measure(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        RUNNING = "running", _("Running")
        COMPLETED = "completed", _("Completed")
        DISCONTINUED = "discontinued", _("Discontinued")

    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    goals = models.ManyToManyField(
        Goal, verbose_name=_("goals served"), blank=True, related_name="measures"
    )
    action_goals = models.ManyToManyField(
        ActionGoal, verbose_name=_("action goals served"), blank=True, related_name="measures"
    )
    lead = models.ManyToManyField(
        Organisation, verbose_name=_("lead"), blank=True, related_name="measures_led"
    )
    partners = models.ManyToManyField(
        Organisation, verbose_name=_("partners"), blank=True, related_name="measures_joined"
    )
    starts_on = models.DateField(_("from"), null=True, blank=True)
    ends_on = models.DateField(_("until"), null=True, blank=True)
    funding_programme = models.CharField(_("funding programme"), max_length=200, blank=True)
    budget = models.DecimalField(
        _("budget (EUR)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PLANNED
    )
    result = models.TextField(_("result"), blank=True)

    class Meta:
        verbose_name = _("measure")
        verbose_name_plural = _("measures")
        ordering = ["-starts_on", "title"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("implementation:measure", kwargs={"pk": self.pk})


class ProgressReport(models.Model):
    """A dated report the responsible department writes itself, on a measure or on an
    action goal (exactly one of the two)."""

    measure = models.ForeignKey(
        Measure,
        verbose_name=_("measure"),
        on_delete=models.CASCADE,
        related_name="reports",
        null=True,
        blank=True,
    )
    action_goal = models.ForeignKey(
        ActionGoal,
        verbose_name=_("action goal"),
        on_delete=models.CASCADE,
        related_name="reports",
        null=True,
        blank=True,
    )
    reported_on = models.DateField(_("date"), default=dt.date.today)
    text = models.TextField(_("report"))
    percent = models.PositiveSmallIntegerField(_("progress (%)"), null=True, blank=True)
    attachment = models.FileField(
        _("attachment"),
        upload_to="reports/%Y/",
        blank=True,
        validators=[
            FileExtensionValidator(["pdf", "png", "jpg", "jpeg", "odt", "docx", "xlsx", "csv"])
        ],
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("written by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")
        ordering = ["measure", "-reported_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(percent__isnull=True) | models.Q(percent__lte=100),
                name="report_percent_at_most_100",
            ),
            models.CheckConstraint(
                condition=models.Q(measure__isnull=False, action_goal__isnull=True)
                | models.Q(measure__isnull=True, action_goal__isnull=False),
                name="report_on_a_measure_or_an_action_goal",
            ),
        ]

    def __str__(self):
        return f"{self.measure or self.action_goal}: {self.reported_on}"
