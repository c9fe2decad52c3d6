"""The API's reads: what each endpoint lists, filtered, in a fixed number of queries.

Only public data: editions that are not unpublished drafts and the goals in them,
public events (more with a staff token), organisations, indicators, observations,
action goals of public goals, measures. A link to a goal in an unpublished draft is
left out rather than shown. No read here touches a registration, a contribution or
a progress report's author.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Max, Prefetch, Q, QuerySet

from leitbild.actors.models import Organisation
from leitbild.actors.selectors import Directory, directory_resolve
from leitbild.concept.models import District, Edition, FieldOfAction, Goal
from leitbild.implementation.models import ActionGoal, Measure
from leitbild.implementation.selectors import action_goal_progress
from leitbild.monitoring.models import Indicator, Observation, disaggregation_key
from leitbild.monitoring.selectors import city_series, indicator_progress
from leitbild.participation.models import Event, Phase, Process, Registration
from leitbild.participation.permissions import processes_staffed_by


def _public_goals() -> QuerySet[Goal]:
    """Goals of public editions, ready for a link (permalink and edition)."""
    return Goal.objects.filter(edition__in=Edition.objects.public()).select_related(
        "edition", "field"
    )


def _field_q(prefix: str, field: str) -> Q:
    """A field of action by its number (``6.2``) or its slug (``6-2``)."""
    return Q(**{f"{prefix}number": field}) | Q(**{f"{prefix}slug": field})


# Editions and goals ---------------------------------------------------------------------


def edition_list(*, city: str | None = None, status: str | None = None) -> QuerySet[Edition]:
    editions = Edition.objects.public().select_related("city").order_by("city__name", "-year", "pk")
    if city:
        editions = editions.filter(city__slug=city)
    if status:
        editions = editions.filter(status=status)
    return editions


def edition_get(slug: str) -> Edition | None:
    return Edition.objects.public().select_related("city").filter(slug=slug).first()


def _goals_for_display(goals: QuerySet[Goal]) -> QuerySet[Goal]:
    """Goals with everything :class:`GoalDetailOut` shows, in four queries however many.

    The predecessor and successors are links into other editions; one in an
    unpublished draft is not shown (``public_predecessor`` is None then).
    """
    return goals.select_related(
        "edition",
        "field__edition",
        "group",
        "parent__edition",
        "parent__field",
        "predecessor__edition",
        "predecessor__field",
    ).prefetch_related(
        "footnotes",
        Prefetch(
            "successors",
            queryset=_public_goals().order_by("edition__year", "pk"),
            to_attr="public_successors",
        ),
    )


def _mark_public_predecessor(goals):
    public = set(Edition.objects.public().values_list("pk", flat=True))
    for goal in goals:
        predecessor = goal.predecessor
        goal.public_predecessor = (
            predecessor if predecessor is not None and predecessor.edition_id in public else None
        )
    return goals


class Page:
    """A queryset the paginator counts and slices; ``prepare`` finishes each page's
    objects (attributes computed in Python, for all of the page at once)."""

    def __init__(self, queryset: QuerySet, prepare):
        self.queryset, self.prepare = queryset, prepare

    def __len__(self):
        return self.queryset.count()

    def __getitem__(self, index):
        if isinstance(index, slice):
            return self.prepare(list(self.queryset[index]))
        return self.prepare([self.queryset[index]])[0]


def goal_list(
    *, edition: str | None = None, field: str | None = None, kind: str | None = None
) -> Page:
    """Goals of public editions in document order, newest edition first."""
    goals = Goal.objects.filter(edition__in=Edition.objects.public())
    if edition:
        goals = goals.filter(edition__slug=edition)
    if field:
        goals = goals.filter(_field_q("field__", field))
    if kind:
        goals = goals.filter(kind=kind)
    goals = _goals_for_display(goals).order_by(
        "edition__city__name", "-edition__year", "field__position", "position", "pk"
    )
    return Page(goals, _mark_public_predecessor)


def goal_get(*, edition: str, field: str, goal: str) -> Goal | None:
    goals = _goals_for_display(
        Goal.objects.filter(
            edition__in=Edition.objects.public(),
            edition__slug=edition,
            field__slug=field,
            slug=goal,
        )
    )
    found = goals.first()
    return _mark_public_predecessor([found])[0] if found else None


# Organisations --------------------------------------------------------------------------


def _organisations(directory: Directory, filters: Q) -> QuerySet[Organisation]:
    """The organisations of the directory's city (as ``/organisationen/`` shows them),
    each with its fields of action in the current edition."""
    if directory.city is None:
        return Organisation.objects.none()
    fields = FieldOfAction.objects.filter(edition=directory.edition).select_related("edition")
    return (
        Organisation.objects.filter(city=directory.city)
        .filter(filters)
        .prefetch_related(Prefetch("fields", queryset=fields.order_by("position")))
        .order_by("name", "pk")
    )


def organisation_list(
    *, category: str | None = None, field: str | None = None, q: str | None = None
) -> QuerySet[Organisation]:
    """Filtered like the directory page, except that an unknown field of action finds
    nothing rather than being ignored: an API client should notice its mistake."""
    directory = directory_resolve()
    filters = Q()
    if category:
        filters &= Q(category=category)
    if field:
        matching = FieldOfAction.objects.filter(_field_q("", field), edition=directory.edition)
        filters &= Q(
            pk__in=Organisation.fields.through.objects.filter(
                fieldofaction_id__in=matching.values("pk")
            ).values("organisation_id")
        )
    for word in (q or "").split():
        filters &= Q(name__icontains=word) | Q(description__icontains=word)
    return _organisations(directory, filters)


def organisation_get(slug: str) -> Organisation | None:
    return _organisations(directory_resolve(), Q(slug=slug)).first()


# Participation --------------------------------------------------------------------------


def _processes() -> QuerySet[Process]:
    return (
        Process.objects.select_related("base_edition", "draft_edition")
        .prefetch_related(
            Prefetch(
                "phases",
                queryset=Phase.objects.order_by("position").prefetch_related(
                    Prefetch("priority_fields", queryset=FieldOfAction.objects.order_by("position"))
                ),
            )
        )
        .order_by("-starts_on", "-pk")
    )


def process_list() -> QuerySet[Process]:
    return _processes()


def process_get(slug: str) -> Process | None:
    return _processes().filter(slug=slug).first()


def event_queryset(user=None) -> QuerySet[Event]:
    """Events ``user`` may read, ready for :class:`EventOut` in a fixed number of queries.

    Anonymous callers see public events; staff of a process (and superusers) also
    see its invitation-only ones. Seats are counted in the database, never by
    loading registrations.
    """
    user = user or AnonymousUser()
    events = Event.objects.all()
    if not user.is_authenticated:
        events = events.public()
    elif not user.is_superuser:
        events = events.filter(
            Q(visibility=Event.Visibility.PUBLIC)
            | Q(process__in=processes_staffed_by(user).values("pk"))
        )
    return (
        events.select_related("process", "phase")
        .prefetch_related(Prefetch("fields", queryset=FieldOfAction.objects.order_by("position")))
        .annotate(
            confirmed_count=Count(
                "registrations", filter=Q(registrations__status=Registration.Status.CONFIRMED)
            ),
            waiting_count=Count(
                "registrations", filter=Q(registrations__status=Registration.Status.WAITING)
            ),
        )
        .order_by("starts_at", "pk")
    )


def event_list(
    *,
    user=None,
    process: str | None = None,
    phase: int | None = None,
    kind: str | None = None,
    upcoming: bool | None = None,
) -> QuerySet[Event]:
    events = event_queryset(user)
    if process:
        events = events.filter(process__slug=process)
    if phase is not None:
        events = events.filter(phase__position=phase)
    if kind:
        events = events.filter(kind=kind)
    if upcoming is True:
        events = events.upcoming()
    elif upcoming is False:
        events = events.past()
    return events


def organisation_in_city(*, city_id: int, slug: str) -> Organisation | None:
    """The organisation a registration names, looked up in the event's city."""
    return Organisation.objects.filter(city_id=city_id, slug=slug).first()


def district_in_city(*, city_id: int, name: str) -> District | None:
    """The area a registration names, in the event's city; where a borough and a
    district share the name, the borough ("borough" sorts first)."""
    return District.objects.filter(city_id=city_id, name=name).order_by("level").first()


def waiting_position(registration: Registration) -> int:
    """Place on the event's waiting list, 1 being next (first come, first served)."""
    return (
        registration.event.registrations.waiting()
        .filter(
            Q(created_at__lt=registration.created_at)
            | Q(created_at=registration.created_at, pk__lte=registration.pk)
        )
        .count()
    )


# Monitoring -------------------------------------------------------------------------------


def _indicators() -> QuerySet[Indicator]:
    return (
        Indicator.objects.annotate(
            observation_count=Count("observations"), latest_period=Max("observations__period")
        )
        .prefetch_related(
            Prefetch("goals", queryset=_public_goals().order_by("pk"), to_attr="public_goals")
        )
        .order_by("position", "code", "pk")
    )


def _with_progress(indicators: list[Indicator]) -> list[Indicator]:
    series = city_series(indicators)
    for indicator in indicators:
        indicator.progress = indicator_progress(indicator, series.get(indicator.pk, []))
    return indicators


def indicator_list() -> Page:
    """Every indicator with its number of values, latest year and progress status."""
    return Page(_indicators(), _with_progress)


def indicator_get(code: str) -> Indicator | None:
    found = _indicators().filter(code=code).first()
    return _with_progress([found])[0] if found else None


def observation_list(
    *,
    indicator: Indicator | str | None = None,
    period: int | None = None,
    area: str | None = None,
    breakdown: str | None = None,
) -> QuerySet[Observation]:
    """Observations in the order of the downloads: indicator, year, area, breakdown.

    ``area`` is an official code, or ``city`` for city-wide values; ``breakdown`` is
    ``dimension=value;…`` in any order, or ``total`` for values without one.
    """
    observations = Observation.objects.select_related("indicator", "area")
    if isinstance(indicator, Indicator):
        observations = observations.filter(indicator=indicator)
    elif indicator:
        observations = observations.filter(indicator__code=indicator)
    if period is not None:
        observations = observations.filter(period=period)
    if area == "city":
        observations = observations.filter(area__level=District.Level.CITY)
    elif area:
        observations = observations.filter(area__number=area)
    if breakdown == "total":
        observations = observations.filter(disaggregation_key="")
    elif breakdown:
        observations = observations.filter(disaggregation_key=_breakdown_key(breakdown))
    return observations.order_by(
        "indicator__position",
        "indicator__code",
        "period",
        "area__level",
        "area__number",
        "disaggregation_key",
        "pk",
    )


def _breakdown_key(breakdown: str) -> str:
    """``sex=female;age=young`` in the stored order (sorted by dimension), so a caller
    need not know it; anything else is matched as given (and finds nothing)."""
    pairs = [part.partition("=") for part in breakdown.split(";")]
    if all(name and sep for name, sep, _value in pairs):
        return disaggregation_key({name: value for name, _sep, value in pairs})
    return breakdown


# Implementation -----------------------------------------------------------------------------


def _action_goals() -> QuerySet[ActionGoal]:
    return (
        ActionGoal.objects.filter(goal__edition__in=Edition.objects.public())
        .select_related("goal__edition", "goal__field")
        .prefetch_related(
            Prefetch("responsible", queryset=Organisation.objects.order_by("name")),
            Prefetch("indicators", queryset=Indicator.objects.order_by("position", "code")),
            Prefetch("measures", queryset=Measure.objects.order_by("title", "pk")),
        )
        .order_by("goal__edition__year", "goal__field__position", "goal__position", "pk")
    )


def _with_action_goal_progress(items: list[ActionGoal]) -> list[ActionGoal]:
    series = city_series({i for item in items for i in item.indicators.all()})
    for item in items:
        item.progress = action_goal_progress(item, series)
    return items


def action_goal_list(
    *,
    edition: str | None = None,
    field: str | None = None,
    indicator: str | None = None,
    organisation: str | None = None,
    status: str | None = None,
) -> list[ActionGoal] | Page:
    """Action goals of public goals with their progress.

    The status is computed, not stored: filtering by it computes every candidate's
    (one query for all their series), which is fine for the few hundred a city has.
    """
    items = _action_goals()
    if edition:
        items = items.filter(goal__edition__slug=edition)
    if field:
        items = items.filter(_field_q("goal__field__", field))
    if indicator:
        items = items.filter(
            pk__in=ActionGoal.indicators.through.objects.filter(indicator__code=indicator).values(
                "actiongoal_id"
            )
        )
    if organisation:
        items = items.filter(
            pk__in=ActionGoal.responsible.through.objects.filter(
                organisation__slug=organisation
            ).values("actiongoal_id")
        )
    if status:
        return [
            item
            for item in _with_action_goal_progress(list(items))
            if item.progress.status == status
        ]
    return Page(items, _with_action_goal_progress)


def action_goal_get(pk: int) -> ActionGoal | None:
    found = _action_goals().filter(pk=pk).first()
    return _with_action_goal_progress([found])[0] if found else None


def _measures() -> QuerySet[Measure]:
    organisations = Organisation.objects.order_by("name")
    return Measure.objects.prefetch_related(
        Prefetch("lead", queryset=organisations),
        Prefetch("partners", queryset=organisations),
        Prefetch(
            "goals",
            queryset=_public_goals().order_by("edition__year", "pk"),
            to_attr="public_goals",
        ),
        Prefetch(
            "action_goals",
            queryset=ActionGoal.objects.filter(goal__edition__in=Edition.objects.public()).order_by(
                "pk"
            ),
        ),
        "reports",
    ).order_by("-starts_on", "title", "pk")


def measure_list(
    *,
    status: str | None = None,
    organisation: str | None = None,
    action_goal: int | None = None,
    edition: str | None = None,
) -> QuerySet[Measure]:
    measures = _measures()
    if status:
        measures = measures.filter(status=status)
    if organisation:
        measures = measures.filter(
            Q(
                pk__in=Measure.lead.through.objects.filter(organisation__slug=organisation).values(
                    "measure_id"
                )
            )
            | Q(
                pk__in=Measure.partners.through.objects.filter(
                    organisation__slug=organisation
                ).values("measure_id")
            )
        )
    if action_goal is not None:
        measures = measures.filter(
            pk__in=Measure.action_goals.through.objects.filter(actiongoal_id=action_goal).values(
                "measure_id"
            )
        )
    if edition:
        measures = measures.filter(
            pk__in=Measure.goals.through.objects.filter(goal__edition__slug=edition).values(
                "measure_id"
            )
        )
    return measures


def measure_get(pk: int) -> Measure | None:
    return _measures().filter(pk=pk).first()
