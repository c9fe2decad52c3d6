"""Reads of the participation app: timelines, feeds, goal histories, tables, statistics."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, Prefetch, Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from leitbild.actors.models import Organisation
from leitbild.concept.models import District, Edition, FieldOfAction, Goal
from leitbild.core.text import word_diff

from .models import (
    Contribution,
    Event,
    Phase,
    Poll,
    Process,
    Registration,
    StakeholderGroup,
    TargetGroup,
)

BERLIN = ZoneInfo("Europe/Berlin")


def process_get(slug: str) -> Process:
    try:
        return Process.objects.select_related("base_edition", "draft_edition").get(slug=slug)
    except Process.DoesNotExist as error:
        raise Http404(_("No such participation process.")) from error


def process_running_revision(*, base: Edition) -> Process | None:
    """The revision of ``base`` under way, if any: a process whose draft is not adopted yet.

    A revision ends when the council adopts its draft, not when participation ends
    (``ends_on``): in between the draft is finished and put to the vote, and a second
    revision of the same edition would compete with it. A process without a draft
    edition counts as running, too.
    """
    return (
        Process.objects.filter(base_edition=base)
        .filter(Q(draft_edition__isnull=True) | Q(draft_edition__status=Edition.Status.DRAFT))
        .select_related("base_edition", "draft_edition")
        .order_by("-starts_on", "-pk")
        .first()
    )


def events_for_listing(queryset):
    """Events with what their cards show, in a constant number of queries."""
    return (
        queryset.select_related("phase", "process")
        .prefetch_related("fields")
        .annotate(
            confirmed_count=Count("registrations", filter=Q(registrations__status="confirmed")),
            waiting_count=Count("registrations", filter=Q(registrations__status="waiting")),
        )
    )


def event_seats_left(event: Event) -> int | None:
    if event.capacity is None:
        return None
    confirmed = getattr(event, "confirmed_count", None)
    if confirmed is None:
        confirmed = event.registrations.confirmed().count()
    return max(event.capacity - confirmed, 0)


def process_timeline(process: Process, *, include_invitation: bool = False, today=None) -> list:
    """Phases in order, each with its state ("past", "current", "upcoming") and events."""
    events = Event.objects.filter(process=process)
    if not include_invitation:
        events = events.public()
    phases = list(
        Phase.objects.filter(process=process).prefetch_related(
            "priority_fields", Prefetch("events", queryset=events_for_listing(events))
        )
    )
    for phase in phases:
        phase.current_state = phase.state(today)
    return phases


def process_calendar(process: Process, *, include_invitation: bool = False) -> list[dict]:
    """Events grouped by month (local time), for the calendar page."""
    events = Event.objects.filter(process=process)
    if not include_invitation:
        events = events.public()
    months: dict[tuple[int, int], list[Event]] = defaultdict(list)
    for event in events_for_listing(events):
        local = timezone.localtime(event.starts_at, BERLIN)
        months[(local.year, local.month)].append(event)
    return [
        {"year": year, "month": month, "first": events_[0].starts_at, "events": events_}
        for (year, month), events_ in sorted(months.items())
    ]


# Contributions -------------------------------------------------------------------------


def contributions_for_display(queryset):
    # The event's process too: a contribution links to the event it was said at.
    return queryset.select_related(
        "goal__field", "goal__edition", "field", "event__process", "organisation", "process"
    ).prefetch_related("revisions")


def contribution_roots(queryset):
    """Top-level, confirmed contributions of ``queryset`` (to paginate before threading)."""
    return queryset.filter(parent__isnull=True).visible().order_by("created_at", "pk")


def contribution_threads(queryset, *, roots=None) -> list[Contribution]:
    """Top-level contributions with their replies attached as ``thread_replies``.

    Two queries whatever the number of contributions; replies nest one level, as
    replies to replies are shown under the same top-level contribution. ``roots``
    may be one page of :func:`contribution_roots`.
    """
    if roots is None:
        roots = contribution_roots(queryset)
    roots = list(contributions_for_display(roots))
    by_id = {c.pk: c for c in roots}
    for root in roots:
        root.thread_replies = []
    replies = contributions_for_display(
        Contribution.objects.visible().filter(parent__in=list(by_id)).order_by("created_at", "pk")
    )
    for reply in replies:
        by_id[reply.parent_id].thread_replies.append(reply)
    return roots


@dataclass
class HistoryStep:
    revision: object
    diff: list
    contributions: list


@dataclass
class GoalHistory:
    goal: Goal
    predecessor: Goal | None
    original_text: str
    steps: list[HistoryStep]
    overall_diff: list | None
    contributions: list[Contribution]
    events: list[Event]
    dispositions: dict[str, int] = field(default_factory=dict)


def goal_history(goal: Goal) -> GoalHistory:
    """How a goal came about: its text history and the contributions and events behind it.

    Contributions count when they were made on this goal (as a draft goal, which keeps
    its identity when the draft is adopted) or cited by one of its revisions.
    """
    revisions = list(
        goal.revisions.select_related("created_by").prefetch_related(
            Prefetch(
                "contributions",
                queryset=Contribution.objects.select_related("event__process", "process"),
            )
        )
    )
    predecessor = goal.predecessor
    if predecessor is not None and predecessor.edition_id == goal.edition_id:
        predecessor = None
    original = revisions[0].text_before if revisions else goal.text
    steps = [
        HistoryStep(
            revision=r,
            diff=word_diff(r.text_before, r.text_after),
            contributions=list(r.contributions.all()),
        )
        for r in revisions
    ]
    cited = {c.pk for step in steps for c in step.contributions}
    contributions = list(
        contributions_for_display(
            Contribution.objects.visible().filter(Q(goal=goal) | Q(pk__in=cited)).distinct()
        ).order_by("created_at", "pk")
    )
    # Invitation-only events stay private; their remarks count, their details do not show.
    events = {
        c.event.pk: c.event
        for c in contributions
        if c.event_id and c.event.visibility == Event.Visibility.PUBLIC
    }
    dispositions = Counter(c.disposition for c in contributions if c.parent_id is None)
    return GoalHistory(
        goal=goal,
        predecessor=predecessor,
        original_text=original,
        steps=steps,
        overall_diff=word_diff(predecessor.text, goal.text) if predecessor else None,
        contributions=contributions,
        events=sorted(events.values(), key=lambda e: e.starts_at),
        dispositions=dict(dispositions),
    )


def _event_label(event: Event) -> str:
    """An event as named in public tables: invitation-only ones without their details."""
    if event.visibility == Event.Visibility.PUBLIC:
        return event.title
    return _("closed session")


def consideration_contributions(process: Process):
    """The rows of the consideration table, in order, ready for :func:`consideration_rows`
    (the page shows them a page at a time; the downloads take them all)."""
    return contributions_for_display(process.contributions.visible()).order_by("created_at", "pk")


def consideration_counts(process: Process) -> list[tuple[str, int]]:
    """How many contributions got each disposition (by its label), in one query."""
    counts = Counter()
    rows = process.contributions.visible().order_by().values_list("disposition")
    for disposition, n in rows.annotate(n=Count("pk")):
        label = Contribution.Disposition(disposition).label if disposition else None
        counts[str(label or _("Not yet weighed"))] += n
    return sorted(counts.items())


def consideration_rows(process: Process, contributions=None) -> list[dict]:
    """The consideration table (Abwägungstabelle): every contribution and how it was weighed.

    Replies are listed too — they are contributions — with the number they reply to.
    Hidden contributions keep their row; their text is replaced by the public reason.
    ``contributions`` may be one page of :func:`consideration_contributions`.
    """
    rows = []
    draft_public = process.draft_edition is not None and process.draft_edition.published
    if contributions is None:
        contributions = consideration_contributions(process)
    for c in contributions:
        if c.goal_id:
            subject = f"{c.goal.field.number} {c.goal.get_kind_display()} {c.goal.slug}"
        elif c.field_id:
            subject = str(c.field)
        else:
            subject = ""
        hidden = c.status == Contribution.Status.HIDDEN
        text = _("Hidden by moderation: %s") % c.hidden_reason if hidden else c.body
        rows.append(
            {
                "contribution": c,
                "number": c.pk,
                "date": timezone.localtime(c.created_at, BERLIN).date(),
                "kind": c.get_kind_display(),
                "source": _event_label(c.event) if c.event_id else _("online"),
                "subject": subject,
                "goal_text": c.goal.text if c.goal_id and draft_public else "",
                "text": text,
                "proposed_text": "" if hidden else c.proposed_text,
                "reply_to": c.parent_id or "",
                "disposition": c.get_disposition_display() if c.disposition else "",
                "reason": c.disposition_reason,
                "hidden": hidden,
            }
        )
    return rows


CONSIDERATION_HEADERS = (
    "No.",
    "Date",
    "Kind",
    "Source",
    "Goal / field of action",
    "Goal text",
    "Contribution",
    "Proposed wording",
    "Reply to no.",
    "Disposition",
    "Reason",
)


def consideration_table(process: Process) -> tuple[list[str], list[list]]:
    headers = [_(h) for h in CONSIDERATION_HEADERS]
    rows = [
        [
            r["number"],
            r["date"].isoformat(),
            r["kind"],
            r["source"],
            r["subject"],
            r["goal_text"],
            r["text"],
            r["proposed_text"],
            r["reply_to"],
            r["disposition"],
            r["reason"],
        ]
        for r in consideration_rows(process)
    ]
    return headers, rows


# Polls ---------------------------------------------------------------------------------


def poll_results(poll: Poll) -> dict:
    """Points per field of action from confirmed ballots, highest first."""
    options = list(poll.options.all())
    totals = Counter()
    ballots = 0
    for allocation in poll.ballots.filter(confirmed_at__isnull=False).values_list(
        "allocation", flat=True
    ):
        ballots += 1
        for key, points in allocation.items():
            totals[int(key)] += int(points)
    total_points = sum(totals.values())
    top = max(totals.values(), default=0)
    rows = [
        {
            "field": option,
            "points": totals.get(option.pk, 0),
            "share": (totals.get(option.pk, 0) / total_points * 100) if total_points else 0,
            "bar": (totals.get(option.pk, 0) / top * 100) if top else 0,
        }
        for option in options
    ]
    rows.sort(key=lambda r: (-r["points"], r["field"].position))
    return {"rows": rows, "ballots": ballots, "points": total_points}


# Who took part ---------------------------------------------------------------------------


def _suppress(counter: Counter, labels: dict, *, partition: bool) -> list[dict]:
    """Counts per label with small ones hidden.

    Counts below ``STATS_MIN_COUNT`` — zero included, so that "none" and "a few" look
    alike — are shown only as "fewer than N". When the rows partition the people (each
    person in exactly one row) and only one row would be hidden, the total minus the
    other rows would give it away: the next smallest row is hidden as well.
    """
    minimum = settings.STATS_MIN_COUNT
    rows = [{"key": key, "label": label, "n": counter.get(key, 0)} for key, label in labels.items()]
    if partition:
        rows.append({"key": "", "label": _("not stated"), "n": counter.get("", 0)})
    hidden = {id(r) for r in rows if r["n"] < minimum}
    secondary = set()
    if partition and len(hidden) == 1:
        shown = sorted((r for r in rows if id(r) not in hidden), key=lambda r: r["n"])
        if shown:
            secondary.add(id(shown[0]))
    hidden |= secondary
    top = max((r["n"] for r in rows if id(r) not in hidden), default=0)
    for row in rows:
        row["suppressed"] = id(row) in hidden
        row["secondary"] = id(row) in secondary
        row["count"] = None if row["suppressed"] else row["n"]
        row["bar"] = (row["count"] or 0) / top * 100 if top else 0
        del row["n"]
    return rows


def participation_stats(*, process: Process, event: Event | None = None) -> dict:
    """Who took part: people counted once each, by group, organisation category, district
    and self-declared target group — aggregates only, small counts hidden.

    People are told apart by e-mail address. For a process they are everyone with a
    seat at one of its events or a confirmed contribution online; for an event, those
    with a seat. Registrations marked as not attended do not count, nor does the
    waiting list. Below ``STATS_MIN_TOTAL`` people no breakdown is shown at all: in a
    small group even hidden cells say too much. Contributions entered by staff from a
    workshop carry no personal data and are not counted here.
    """
    registrations = (
        Registration.objects.confirmed().filter(event__process=process).exclude(attended=False)
    )
    if event is not None:
        registrations = registrations.filter(event=event)
    columns = ("email", "stakeholder_group", "organisation__category", "district_id")
    people: dict[str, dict] = {}
    for row in registrations.values(*columns, "target_groups").order_by("created_at"):
        people.setdefault(row["email"], row)
    if event is None:
        online = (
            Contribution.objects.filter(process=process, entered_by__isnull=True)
            .exclude(status=Contribution.Status.PENDING)
            .exclude(email="")
        )
        for row in online.values(*columns, "target_groups").order_by("created_at"):
            people.setdefault(row["email"], row)
    total = len(people)
    minimum, minimum_total = settings.STATS_MIN_COUNT, settings.STATS_MIN_TOTAL
    result = {"total": total, "minimum": minimum, "minimum_total": minimum_total}
    if total < minimum_total:
        result.update(total=None, sections=[])
        return result
    groups = Counter(p["stakeholder_group"] or "" for p in people.values())
    categories = Counter(p["organisation__category"] or "" for p in people.values())
    districts = Counter(str(p["district_id"] or "") for p in people.values())
    targets = Counter(t for p in people.values() for t in (p["target_groups"] or []))
    district_labels = {
        str(d.pk): d.name
        for d in District.objects.filter(
            city=process.base_edition.city, level=District.Level.BOROUGH
        ).order_by("number")
    }
    result["sections"] = [
        {
            "key": "stakeholder_group",
            "title": _("Taking part as"),
            "rows": _suppress(groups, dict(StakeholderGroup.choices), partition=True),
        },
        {
            "key": "organisation_category",
            "title": _("Organisation category"),
            "rows": _suppress(categories, dict(Organisation.Category.choices), partition=True),
        },
        {
            "key": "district",
            "title": _("District"),
            "rows": _suppress(districts, district_labels, partition=True),
        },
        {
            "key": "target_group",
            "title": _("Self-declared target groups (several possible)"),
            "rows": _suppress(targets, dict(TargetGroup.choices), partition=False),
        },
    ]
    return result


def draft_fields_with_goals(process: Process) -> list[FieldOfAction]:
    """The draft's fields with their goals and visible contribution counts."""
    from leitbild.concept.selectors import edition_fields_with_goals

    fields = edition_fields_with_goals(process.draft_edition)
    counts = dict(
        Contribution.objects.visible()
        .filter(process=process, goal__isnull=False)
        .values_list("goal")
        .annotate(n=Count("pk"))
    )
    for field_ in fields:
        for goal in field_.top_goals:
            for item in [goal, *goal.nested]:
                item.contribution_count = counts.get(item.pk, 0)
    return fields


# Organisations ----------------------------------------------------------------------------


@dataclass
class ProcessParticipation:
    """How an organisation took part in one process, as counts only."""

    process: Process
    events: list[Event] = field(default_factory=list)  # each with ``registration_count``
    contribution_count: int = 0

    registrations: int = 0  # set by organisation_participation, before suppression

    @property
    def registration_count(self) -> int | None:
        return self.registrations if self.registrations >= settings.STATS_MIN_COUNT else None

    @property
    def contribution_display(self) -> int | None:
        n = self.contribution_count
        return n if n >= settings.STATS_MIN_COUNT or n == 0 else None


def organisation_participation(organisation: Organisation) -> list[ProcessParticipation]:
    """Per process: active registrations per public event and published contributions.

    Three queries. Invitation-only events are staff business and left out; cancelled
    registrations and unconfirmed or hidden contributions do not count.
    """
    events = list(
        Event.objects.public()
        .select_related("process")
        .annotate(
            registration_count=Count(
                "registrations",
                filter=Q(registrations__organisation=organisation)
                & ~Q(registrations__status=Registration.Status.CANCELLED),
            )
        )
        .filter(registration_count__gt=0)
        .order_by("starts_at", "pk")
    )
    contributions = dict(
        Contribution.objects.published()
        .filter(organisation=organisation)
        .order_by()
        .values("process")
        .annotate(n=Count("pk"))
        .values_list("process", "n")
    )
    processes = {e.process_id: e.process for e in events}
    missing = set(contributions) - set(processes)
    if missing:
        processes.update({p.pk: p for p in Process.objects.filter(pk__in=missing)})
    result = {pk: ProcessParticipation(process=p) for pk, p in processes.items()}
    for event in events:
        result[event.process_id].events.append(event)
    for pk, n in contributions.items():
        result[pk].contribution_count = n
    # Exact small numbers would tell that a member of a small organisation took part.
    minimum = settings.STATS_MIN_COUNT
    for item in result.values():
        item.registrations = sum(e.registration_count for e in item.events)
        for event in item.events:
            if event.registration_count < minimum:
                event.registration_count = None
    return sorted(result.values(), key=lambda p: (p.process.starts_on, p.process.pk), reverse=True)
