"""What publishing keeps: the editable parts of a council paper, and generated reports.

The brochure itself is not stored: it is laid out from the concept on demand and cached
by content (``services.edition_pdf_cached``).
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from leitbild.participation.models import Process


class YesNo(models.TextChoices):
    YES = "yes", _("Yes")
    NO = "no", _("No")


class YesNoPartly(models.TextChoices):
    YES = "yes", _("Yes")
    NO = "no", _("No")
    PARTLY = "partly", _("Partly")


class CouncilPaper(models.Model):
    """The council paper that adopts the edition a process produced (seed 004, Annex A).

    Only what staff must decide is stored here; the goals, the synopsis, the participation
    report and the consideration table are read from the process when the paper is made.
    """

    class Obligation(models.TextChoices):
        FULLY_MANDATORY = "fully_mandatory", _("fully mandatory")
        MAINLY_MANDATORY = "mainly_mandatory", _("mainly mandatory")
        MAINLY_VOLUNTARY = "mainly_voluntary", _("mainly voluntary")
        FULLY_VOLUNTARY = "fully_voluntary", _("fully voluntary")

    class Topic(models.TextChoices):
        DEMOGRAPHY = "demography", _("Demography")
        EQUALITY = "equality", _("Gender equality")
        INCLUSION = "inclusion", _("Inclusion")
        CLIMATE = "climate", _("Climate protection")
        MIGRATION = "migration", _("Migration")

    process = models.OneToOneField(
        Process, verbose_name=_("process"), on_delete=models.CASCADE, related_name="council_paper"
    )
    reference = models.CharField(
        _("paper number"), max_length=40, blank=True, help_text=_("e.g. V/0056/2025")
    )
    title = models.CharField(_("title"), max_length=300)
    date = models.DateField(_("date of the paper"), null=True, blank=True)
    overview = models.TextField(_("short overview"))
    goals = models.TextField(_("goals, sub-goals and how achievement is measured"))
    orientation = models.TextField(_("guiding orientation"), blank=True)
    product_group = models.CharField(_("product group"), max_length=20, blank=True)
    product_group_name = models.CharField(
        _("name of the product group"), max_length=200, blank=True
    )
    affects_results_plan = models.CharField(
        _("affects the results plan"), max_length=6, choices=YesNo.choices, default=YesNo.NO
    )
    affects_financial_plan = models.CharField(
        _("affects the financial plan"), max_length=6, choices=YesNo.choices, default=YesNo.NO
    )
    budget_year = models.PositiveSmallIntegerField(_("budget year"), null=True, blank=True)
    in_adopted_budget = models.CharField(
        _("contained in the adopted (supplementary) budget"),
        max_length=6,
        choices=YesNoPartly.choices,
        default=YesNoPartly.NO,
    )
    in_draft_budget = models.CharField(
        _("contained in the draft (supplementary) budget"),
        max_length=6,
        choices=YesNoPartly.choices,
        default=YesNoPartly.NO,
    )
    future_burden = models.CharField(
        _("burdens in future budget years"), max_length=6, choices=YesNo.choices, default=YesNo.NO
    )
    already_budgeted = models.CharField(
        _("already budgeted"), max_length=6, choices=YesNo.choices, default=YesNo.NO
    )
    obligation = models.CharField(
        _("degree of obligation"),
        max_length=20,
        choices=Obligation.choices,
        default=Obligation.FULLY_MANDATORY,
    )
    obligation_reason = models.TextField(_("reason for the degree of obligation"), blank=True)
    topics = models.JSONField(
        _("cross-cutting topics directly concerned"), default=list, blank=True
    )
    relevance = models.TextField(_("relevance to cross-cutting topics"), blank=True)
    released_at = models.DateTimeField(
        _("released"),
        null=True,
        blank=True,
        help_text=_("From then on the package is public, for a council information system."),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("council paper")
        verbose_name_plural = _("council papers")

    def __str__(self):
        return self.reference or self.title

    def get_absolute_url(self):
        return reverse("publishing:council_paper", kwargs={"process": self.process.slug})

    def topic_labels(self) -> list[str]:
        labels = dict(self.Topic.choices)
        return [str(labels[t]) for t in self.topics if t in labels]


class MonitoringReportQuerySet(models.QuerySet):
    def done(self):
        """Reports whose file is ready to download."""
        return self.filter(status=MonitoringReport.Status.DONE).exclude(file="")

    def unfinished(self):
        return self.filter(
            status__in=[MonitoringReport.Status.QUEUED, MonitoringReport.Status.RUNNING]
        )

    def stalled(self, *, since):
        """Reports marked running whose worker has written no progress since ``since``:
        the worker has most likely died. (A queued report waits for the next worker.)"""
        return self.filter(status=MonitoringReport.Status.RUNNING).filter(
            models.Q(updated_at__lt=since) | models.Q(updated_at__isnull=True, created_at__lt=since)
        )


class MonitoringReport(models.Model):
    """A monitoring report PDF, laid out by the task worker (it takes tens of seconds)."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    edition = models.ForeignKey(
        "concept.Edition",
        verbose_name=_("edition"),
        on_delete=models.CASCADE,
        related_name="monitoring_reports",
    )
    language = models.CharField(_("language"), max_length=10, default="de")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    # Written with every step of progress: how a dead worker is told from a slow one.
    updated_at = models.DateTimeField(_("last progress at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    stage = models.CharField(_("stage"), max_length=200, blank=True)
    file = models.FileField(_("file"), upload_to="reports/", blank=True)
    pages = models.PositiveIntegerField(_("pages"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)

    objects = MonitoringReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("monitoring report")
        verbose_name_plural = _("monitoring reports")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.edition} ({self.created_at:%Y-%m-%d %H:%M}, {self.get_status_display()})"

    def get_absolute_url(self):
        return reverse("publishing:report", kwargs={"pk": self.pk})
