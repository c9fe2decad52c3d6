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
from leitbild.concept.models import District, FieldOfAction, Goal
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
    return queryset.select_related(
        "goal__field", "goal__edition", "field", "event", "organisation", "process"
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
            Prefetch("contributions", queryset=Contribution.objects.select_related("event"))
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
    events = {c.event.pk: c.event for c in contributions if c.event_id}
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


def consideration_rows(process: Process) -> list[dict]:
    """The consideration table (Abwägungstabelle): every contribution and how it was weighed.

    Replies are listed too — they are contributions — with the number they reply to.
    Hidden contributions keep their row; their text is replaced by the public reason.
    """
    rows = []
    queryset = contributions_for_display(process.contributions.visible()).order_by(
        "created_at", "pk"
    )
    for c in queryset:
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
                "source": c.event.title if c.event_id else _("online"),
                "subject": subject,
                "goal_text": c.goal.text if c.goal_id else "",
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


def _suppress(counter: Counter, labels: dict) -> list[dict]:
    """Counts per label; below ``STATS_MIN_COUNT`` only "fewer than N" is shown."""
    minimum = settings.STATS_MIN_COUNT
    rows = []
    for key, label in labels.items():
        count = counter.get(key, 0)
        rows.append(
            {
                "key": key,
                "label": label,
                "count": count if count >= minimum or count == 0 else None,
                "suppressed": 0 < count < minimum,
            }
        )
    if counter.get("", 0):
        count = counter[""]
        rows.append(
            {
                "key": "",
                "label": _("not stated"),
                "count": count if count >= minimum else None,
                "suppressed": 0 < count < minimum,
            }
        )
    top = max((r["count"] or 0 for r in rows), default=0)
    for row in rows:
        row["bar"] = (row["count"] or 0) / top * 100 if top else 0
    return rows


def participation_stats(*, process: Process, event: Event | None = None) -> dict:
    """Who took part: people counted once each, by group, organisation category, district
    and self-declared target group — aggregates only, small counts suppressed.

    People are told apart by e-mail address. For a process they are everyone who
    registered for one of its events (not cancelled) or made a confirmed contribution
    online; for an event, those registered for it. Contributions entered by staff from
    a workshop carry no personal data and are not counted here.
    """
    registrations = Registration.objects.active().filter(event__process=process)
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
    groups = Counter(p["stakeholder_group"] or "" for p in people.values())
    categories = Counter(p["organisation__category"] or "" for p in people.values())
    districts = Counter(str(p["district_id"] or "") for p in people.values())
    targets = Counter(t for p in people.values() for t in (p["target_groups"] or []))
    district_labels = {
        str(d.pk): d.name
        for d in District.objects.filter(
            city=process.base_edition.city, level=District.Level.BOROUGH
        )
    }
    total = len(people)
    minimum = settings.STATS_MIN_COUNT
    return {
        "total": total if total >= minimum or total == 0 else None,
        "minimum": minimum,
        "sections": [
            {
                "key": "stakeholder_group",
                "title": _("Taking part as"),
                "rows": _suppress(groups, dict(StakeholderGroup.choices)),
            },
            {
                "key": "organisation_category",
                "title": _("Organisation category"),
                "rows": _suppress(categories, dict(Organisation.Category.choices)),
            },
            {
                "key": "district",
                "title": _("District"),
                "rows": _suppress(districts, district_labels),
            },
            {
                "key": "target_group",
                "title": _("Self-declared target groups (several possible)"),
                "rows": _suppress(targets, dict(TargetGroup.choices)),
            },
        ],
    }


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

    @property
    def registration_count(self) -> int:
        return sum(e.registration_count for e in self.events)


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
    return sorted(result.values(), key=lambda p: (p.process.starts_on, p.process.pk), reverse=True)
