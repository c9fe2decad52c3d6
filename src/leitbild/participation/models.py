"""The participatory revision of a concept.

A :class:`Process` revises an adopted edition into a draft of the next one. It runs in
:class:`Phase` s, holds :class:`Event` s that people register for, and collects
:class:`Contribution` s on the draft's goals. Every contribution gets a disposition
(how it was weighed), and changes to draft goals record which contributions led to
them — the trail from a workshop remark to the adopted text.

Personal data (names, e-mail addresses, needs) lives on :class:`Registration`,
:class:`Contribution` and :class:`PollBallot`; only staff of the process see it
(see :mod:`.permissions`). Public pages show contributions under the name the
author chose to show, or anonymously.
"""

import secrets

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from leitbild.actors.models import Organisation
from leitbild.concept.models import District, Edition, FieldOfAction, Goal, GoalRevision


def new_token() -> str:
    return secrets.token_urlsafe(24)


class StakeholderGroup(models.TextChoices):
    """Who someone takes part as; the groups seed 002 names as the process's actors."""

    ADMINISTRATION = "administration", _("Public administration")
    INTEGRATION_COUNCIL = "integration_council", _("Integration council")
    POLITICS = "politics", _("Politics")
    MIGRANT_ORG = "migrant_org", _("Migrant organisation")
    WELFARE = "welfare", _("Welfare association")
    RELIGIOUS = "religious", _("Religious community")
    EDUCATION = "education", _("Education and research")
    BUSINESS = "business", _("Business, chambers, unions")
    POLICE = "police", _("Police")
    ASSOCIATION = "association", _("Association or volunteer initiative")
    RESIDENT = "resident", _("Interested resident")
    OTHER = "other", _("Other")


class TargetGroup(models.TextChoices):
    """Self-declared, opt-in; only ever shown as aggregates with small counts suppressed."""

    OWN_MIGRATION = "own_migration", _("I migrated to Germany myself")
    PARENTS_MIGRATION = "parents_migration", _("At least one of my parents migrated")
    REFUGEE = "refugee", _("I came as a refugee")
    YOUNG = "young", _("Under 27 years old")
    SENIOR = "senior", _("65 years or older")
    DISABILITY = "disability", _("Living with a disability")


class PersonFields(models.Model):
    """Who someone is, as far as they chose to say; shared by registrations and contributions."""

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="%(class)ss",
    )
    stakeholder_group = models.CharField(
        _("taking part as"), max_length=30, choices=StakeholderGroup.choices, blank=True
    )
    district = models.ForeignKey(
        District,
        verbose_name=_("district"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    target_groups = models.JSONField(_("target groups (self-declared)"), default=list, blank=True)

    class Meta:
        abstract = True


class Process(models.Model):
    """A participatory revision, e.g. "Fortschreibung 2023–2025" of the 2019 edition."""

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    summary = models.TextField(_("summary"), blank=True)
    description = models.TextField(_("description (HTML)"), blank=True)
    base_edition = models.ForeignKey(
        Edition,
        verbose_name=_("edition being revised"),
        on_delete=models.PROTECT,
        related_name="revisions",
    )
    draft_edition = models.ForeignKey(
        Edition,
        verbose_name=_("draft edition"),
        on_delete=models.PROTECT,
        related_name="drafting_processes",
        null=True,
        blank=True,
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    contact = models.TextField(_("contact"), blank=True)
    contributions_open = models.BooleanField(
        _("open for contributions"),
        default=True,
        help_text=_("Visitors can comment on the draft while this is on."),
    )
    staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("process staff"),
        blank=True,
        related_name="processes",
        help_text=_("They see registrations and contributors' personal data, and moderate."),
    )
    calendar_token = models.CharField(max_length=40, default=new_token, editable=False)

    class Meta:
        verbose_name = _("participation process")
        verbose_name_plural = _("participation processes")
        ordering = ["-starts_on"]
        permissions = [
            # The coordination office's (workspace/roles.py): see permissions.py.
            (
                "staff_of_every_process",
                "Acts as staff of every process (personal data, moderation, events)",
            )
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("participation:process", kwargs={"process": self.slug})

    def get_calendar_url(self):
        return reverse("participation:process_ical", kwargs={"process": self.slug})


class PhaseQuerySet(models.QuerySet):
    """Time logic for phases. ``today`` defaults to the current date in Berlin."""

    def _today(self, today):
        return today or timezone.localdate()

    def past(self, today=None):
        """Phases that ended before today."""
        return self.filter(ends_on__lt=self._today(today))

    def current(self, today=None):
        """Phases that have started and not yet ended (an open end counts as running)."""
        today = self._today(today)
        return self.filter(starts_on__lte=today).filter(
            models.Q(ends_on__gte=today) | models.Q(ends_on__isnull=True)
        )

    def upcoming(self, today=None):
        """Phases that start after today."""
        return self.filter(starts_on__gt=self._today(today))


class Phase(models.Model):
    process = models.ForeignKey(
        Process, verbose_name=_("process"), on_delete=models.CASCADE, related_name="phases"
    )
    position = models.PositiveSmallIntegerField(_("position"))
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    priority_fields = models.ManyToManyField(
        FieldOfAction,
        verbose_name=_("prioritised fields of action"),
        blank=True,
        related_name="prioritised_in",
    )

    objects = PhaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("phase")
        verbose_name_plural = _("phases")
        ordering = ["process", "position"]
        constraints = [
            models.UniqueConstraint(fields=["process", "position"], name="phase_unique_position")
        ]

    def __str__(self):
        return self.title

    def state(self, today=None) -> str:
        """ "past", "current" or "upcoming" — the same rules as :class:`PhaseQuerySet`."""
        today = today or timezone.localdate()
        if self.starts_on > today:
            return "upcoming"
        if self.ends_on and self.ends_on < today:
            return "past"
        return "current"


class EventQuerySet(models.QuerySet):
    def public(self):
        """Events anyone may see and register for; invitation-only ones are staff business."""
        return self.filter(visibility=Event.Visibility.PUBLIC)

    def upcoming(self, now=None):
        return self.filter(ends_at__gte=now or timezone.now())

    def past(self, now=None):
        return self.filter(ends_at__lt=now or timezone.now())


class Event(models.Model):
    class Kind(models.TextChoices):
        WORKSHOP = "workshop", _("Workshop")
        EXPERT_ROUND = "expert_round", _("Expert round")
        SUBJECT_FORUM = "subject_forum", _("Subject forum")
        EXPERT_EXCHANGE = "expert_exchange", _("Expert exchange")
        PLENARY = "plenary", _("Plenary session")
        FINAL_EVENT = "final_event", _("Final event")
        OTHER = "other", _("Other")

    class Mode(models.TextChoices):
        IN_PERSON = "in_person", _("In person")
        ONLINE = "online", _("Online")
        HYBRID = "hybrid", _("Hybrid")

    class Visibility(models.TextChoices):
        PUBLIC = "public", _("Public")
        INVITATION = "invitation", _("By invitation")

    process = models.ForeignKey(
        Process, verbose_name=_("process"), on_delete=models.CASCADE, related_name="events"
    )
    phase = models.ForeignKey(
        Phase,
        verbose_name=_("phase"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="events",
    )
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices, default=Kind.WORKSHOP)
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    mode = models.CharField(
        _("format"), max_length=10, choices=Mode.choices, default=Mode.IN_PERSON
    )
    place_name = models.CharField(_("place"), max_length=200, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    room = models.CharField(_("room"), max_length=200, blank=True)
    online_url = models.URLField(_("online link"), blank=True)
    fields = models.ManyToManyField(
        FieldOfAction, verbose_name=_("fields of action discussed"), blank=True, related_name="+"
    )
    capacity = models.PositiveIntegerField(
        _("capacity"), null=True, blank=True, help_text=_("Empty means no limit.")
    )
    registration_deadline = models.DateTimeField(_("registration deadline"), null=True, blank=True)
    visibility = models.CharField(
        _("visibility"), max_length=12, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    # Raised on every change so calendar clients replace their copy (RFC 5545 SEQUENCE).
    sequence = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gte=models.F("starts_at")),
                name="event_ends_after_start",
            )
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse(
            "participation:event", kwargs={"process": self.process.slug, "event": self.pk}
        )

    def get_calendar_url(self):
        return reverse(
            "participation:event_ical", kwargs={"process": self.process.slug, "event": self.pk}
        )

    @property
    def location(self) -> str:
        return ", ".join(part for part in (self.place_name, self.room, self.address) if part)

    def registration_open(self, now=None) -> bool:
        now = now or timezone.now()
        if self.visibility != self.Visibility.PUBLIC or self.ends_at < now:
            return False
        return self.registration_deadline is None or now <= self.registration_deadline


class RegistrationQuerySet(models.QuerySet):
    def active(self):
        """Registrations that hold a seat or a place in line."""
        return self.exclude(status=Registration.Status.CANCELLED)

    def confirmed(self):
        return self.filter(status=Registration.Status.CONFIRMED)

    def waiting(self):
        """The waiting list, first in line first."""
        return self.filter(status=Registration.Status.WAITING).order_by("created_at", "pk")


class Registration(PersonFields):
    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("Confirmed")
        WAITING = "waiting", _("Waiting list")
        CANCELLED = "cancelled", _("Cancelled")

    event = models.ForeignKey(
        Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="registrations"
    )
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("e-mail"))
    organisation_name = models.CharField(_("organisation (free text)"), max_length=300, blank=True)
    needs_interpreting = models.CharField(
        _("interpreting needed (language)"), max_length=100, blank=True
    )
    needs_childcare = models.BooleanField(_("childcare needed"), default=False)
    needs_accessibility = models.CharField(_("accessibility needs"), max_length=300, blank=True)
    consent_at = models.DateTimeField(_("consent to the privacy notice given at"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    attended = models.BooleanField(_("attended"), null=True, blank=True)
    token = models.CharField(max_length=40, default=new_token, unique=True, editable=False)
    created_at = models.DateTimeField(_("registered at"), default=timezone.now)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    promoted_at = models.DateTimeField(
        _("moved up from the waiting list at"), null=True, blank=True
    )

    objects = RegistrationQuerySet.as_manager()

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["event", "created_at", "pk"]
        constraints = [
            # One seat or place in line per e-mail address and event.
            models.UniqueConstraint(
                fields=["event", "email"],
                condition=~models.Q(status="cancelled"),
                name="registration_unique_active_email",
            )
        ]

    def __str__(self):
        # Not the name: admin pages (e.g. delete confirmations) list rows by this.
        return f"#{self.pk} – {self.event}"

    def get_cancel_url(self):
        return reverse("participation:registration_cancel", kwargs={"token": self.token})


class ContributionQuerySet(models.QuerySet):
    def visible(self):
        """Shown on public pages: confirmed ones; hidden ones stay as a placeholder."""
        return self.exclude(status=Contribution.Status.PENDING)

    def published(self):
        return self.filter(status=Contribution.Status.PUBLISHED)


class Contribution(PersonFields):
    """A comment, an amendment (rewording) or an idea, from a visitor or a workshop."""

    class Kind(models.TextChoices):
        COMMENT = "comment", _("Comment")
        AMENDMENT = "amendment", _("Proposed rewording")
        IDEA = "idea", _("Idea")
        REPLY = "reply", _("Reply")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for e-mail confirmation")
        PUBLISHED = "published", _("Published")
        HIDDEN = "hidden", _("Hidden by moderation")

    class Disposition(models.TextChoices):
        OPEN = "", _("Not yet weighed")
        TAKEN_UP = "taken_up", _("Taken up")
        PARTLY = "partly", _("Partly taken up")
        NOT_TAKEN_UP = "not_taken_up", _("Not taken up")
        NOT_APPLICABLE = "not_applicable", _("Not applicable")

    process = models.ForeignKey(
        Process, verbose_name=_("process"), on_delete=models.CASCADE, related_name="contributions"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    goal = models.ForeignKey(
        Goal,
        verbose_name=_("goal"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contributions",
    )
    field = models.ForeignKey(
        FieldOfAction,
        verbose_name=_("field of action"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contributions",
    )
    event = models.ForeignKey(
        Event,
        verbose_name=_("said at event"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contributions",
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("reply to"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="replies",
    )
    quote = models.TextField(
        _("quoted passage"), blank=True, help_text=_("The part of the goal text this is about.")
    )
    body = models.TextField(_("text"))
    proposed_text = models.TextField(_("proposed wording"), blank=True)
    author_name = models.CharField(
        _("name shown"), max_length=120, blank=True, help_text=_("Empty: shown anonymously.")
    )
    email = models.EmailField(_("e-mail"), blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by staff"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    token = models.CharField(max_length=40, default=new_token, unique=True, editable=False)
    created_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    hidden_reason = models.CharField(_("reason for hiding"), max_length=300, blank=True)
    report_count = models.PositiveIntegerField(_("reports"), default=0)
    disposition = models.CharField(
        _("disposition"),
        max_length=20,
        choices=Disposition.choices,
        default=Disposition.OPEN,
        blank=True,
    )
    disposition_reason = models.TextField(_("reason for the disposition"), blank=True)
    disposed_at = models.DateTimeField(_("weighed at"), null=True, blank=True)
    disposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("weighed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    revisions = models.ManyToManyField(
        GoalRevision,
        verbose_name=_("changes it led to"),
        blank=True,
        related_name="contributions",
    )

    objects = ContributionQuerySet.as_manager()

    class Meta:
        verbose_name = _("contribution")
        verbose_name_plural = _("contributions")
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["process", "status"], name="contribution_process_status"),
            # Lists and the consideration table page through a process's contributions in
            # this order; the index lets a page stop after its rows instead of sorting all.
            models.Index(fields=["process", "created_at", "id"], name="contribution_process_order"),
        ]

    def __str__(self):
        return f"#{self.pk} {self.get_kind_display()}: {self.body[:50]}"

    def get_absolute_url(self):
        return reverse(
            "participation:contribution",
            kwargs={"process": self.process.slug, "pk": self.pk},
        )

    @property
    def display_name(self) -> str:
        return self.author_name or str(_("Anonymous"))


class ContributionReport(models.Model):
    """A visitor's report that a contribution breaks the rules; one per visitor and contribution."""

    contribution = models.ForeignKey(
        Contribution,
        verbose_name=_("contribution"),
        on_delete=models.CASCADE,
        related_name="reports",
    )
    reporter = models.CharField(max_length=64, editable=False)  # salted hash, not an address
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        constraints = [
            models.UniqueConstraint(
                fields=["contribution", "reporter"], name="report_once_per_reporter"
            )
        ]

    def __str__(self):
        return f"report on #{self.contribution_id}"


class Poll(models.Model):
    """Participants distribute a fixed number of points over fields of action."""

    process = models.ForeignKey(
        Process, verbose_name=_("process"), on_delete=models.CASCADE, related_name="polls"
    )
    slug = models.SlugField(_("slug"), max_length=80)
    title = models.CharField(_("title"), max_length=200)
    question = models.TextField(_("question"), blank=True)
    points = models.PositiveSmallIntegerField(_("points per person"), default=10)
    max_per_option = models.PositiveSmallIntegerField(
        _("maximum points per field"), null=True, blank=True
    )
    options = models.ManyToManyField(
        FieldOfAction, verbose_name=_("fields of action to choose from"), related_name="+"
    )
    opens_at = models.DateTimeField(_("opens at"))
    closes_at = models.DateTimeField(_("closes at"))

    class Meta:
        verbose_name = _("prioritisation poll")
        verbose_name_plural = _("prioritisation polls")
        ordering = ["process", "opens_at"]
        constraints = [models.UniqueConstraint(fields=["process", "slug"], name="poll_unique_slug")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse(
            "participation:poll", kwargs={"process": self.process.slug, "poll": self.slug}
        )

    def is_open(self, now=None) -> bool:
        now = now or timezone.now()
        return self.opens_at <= now <= self.closes_at


class PollBallot(models.Model):
    """One person's points; counted once its e-mail address is confirmed."""

    poll = models.ForeignKey(
        Poll, verbose_name=_("poll"), on_delete=models.CASCADE, related_name="ballots"
    )
    email = models.EmailField(_("e-mail"))
    allocation = models.JSONField(_("points per field of action"), default=dict)
    pending_allocation = models.JSONField(
        _("points waiting for confirmation"), null=True, blank=True, editable=False
    )
    token = models.CharField(max_length=40, default=new_token, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("ballot")
        verbose_name_plural = _("ballots")
        constraints = [
            # One vote per e-mail address: a second ballot replaces the first.
            models.UniqueConstraint(fields=["poll", "email"], name="ballot_one_per_email")
        ]

    def __str__(self):
        return f"ballot {self.pk} in {self.poll}"


class ApiToken(models.Model):
    """A staff member's key for write access to the API; only its hash is stored."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="api_tokens",
    )
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self):
        return f"token of {self.user}"
