"""The public JSON shapes: the edition documents ``leitbild export-edition`` writes too,
and the API's editions, goals, organisations, processes, events, registrations,
indicators, observations, action goals and measures.

Read shapes resolve from model instances; ``request`` comes in the resolver context,
for absolute URLs. Every ``url`` is the absolute address of the object's public page;
``permalink`` is a goal's permanent address relative to the site, as in the edition
document. Nothing here reads a person's data: registrations, contributions and
progress reports' authors have no shape in this module.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.urls import reverse
from django.utils import timezone
from ninja import Field, Schema
from ninja.schema import DjangoGetter
from pydantic import (
    AfterValidator,
    BeforeValidator,
    ConfigDict,
    StrictBool,
    StrictInt,
    field_validator,
    model_validator,
)

from leitbild.actors.models import Organisation
from leitbild.concept.models import District, Edition
from leitbild.implementation.models import ActionGoal, Measure
from leitbild.monitoring.models import Indicator, Observation
from leitbild.participation.models import Event, StakeholderGroup, TargetGroup

# Choices --------------------------------------------------------------------------------


def _values(choices) -> Any:
    """A model's choices as a ``Literal`` of their values.

    Not the enum class itself: pydantic names an enum's schema after its class, and
    ``Edition.Status``, ``Measure.Status`` and ``Observation.Status`` would all be
    "Status" in the OpenAPI document, each overwriting the others.
    """
    return Literal[tuple(choices.values)]


EditionStatus = _values(Edition.Status)
OrganisationCategory = _values(Organisation.Category)
EventKind = _values(Event.Kind)
EventMode = _values(Event.Mode)
EventVisibility = _values(Event.Visibility)
IndicatorFrequency = _values(Indicator.Frequency)
IndicatorDirection = _values(Indicator.Direction)
ObservationStatus = _values(Observation.Status)
ActionGoalDirection = _values(ActionGoal.Direction)
MeasureStatus = _values(Measure.Status)


# Input ---------------------------------------------------------------------------------


def _no_nul(value: str) -> str:
    # PostgreSQL cannot store or even compare text with NUL characters; refused here,
    # it is a 422 like any other bad input rather than a database error.
    if "\x00" in value:
        raise ValueError("Text must not contain NUL characters.")
    return value


# For text parameters declared on an endpoint (paths); filter and body schemas get the
# same check from InputSchema.
Text = Annotated[str, AfterValidator(_no_nul)]


class InputSchema(Schema):
    """Query filters and bodies: no text in them may carry a NUL character (see
    :data:`Text`)."""

    @field_validator("*", mode="after")
    @classmethod
    def _refuse_nul(cls, value):
        values = value if isinstance(value, list) else [value]
        for item in values:
            if isinstance(item, str):
                _no_nul(item)
        return value


class BodyIn(InputSchema):
    """A JSON request body: an object, whose numbers and booleans are JSON numbers and
    booleans (``StrictInt``, ``StrictBool``), not strings that look like them."""

    @model_validator(mode="before")
    @classmethod
    def _refuse_non_objects(cls, value):
        # ninja's Schema reads any object's attributes, so a JSON array or number would
        # pass as an object with every field unset: an empty PATCH that answers 200.
        # (ninja's own validator has wrapped the body in a DjangoGetter by now.)
        if not isinstance(value._obj if isinstance(value, DjangoGetter) else value, dict):
            raise ValueError("Expected a JSON object.")
        return value


# Event times within reach: near the ends of Python's range (years 1 and 9999) the
# conversion between Berlin time and UTC overflows, and nothing is planned that far off.
EARLIEST = dt.datetime(1900, 1, 1)
LATEST = dt.datetime(2999, 12, 31)


def _sane_time(value: dt.datetime | None) -> dt.datetime | None:
    if value is not None and not EARLIEST <= value.replace(tzinfo=None) <= LATEST:
        raise ValueError("The time must lie between the years 1900 and 2999.")
    return value


def _iso_text(value):
    # Lax pydantic would take a number as seconds since 1970; the schema says a string.
    if not isinstance(value, str | dt.datetime):
        raise ValueError("Expected a date and time in ISO 8601, e.g. 2030-06-14T15:00.")
    return value


Time = Annotated[dt.datetime, BeforeValidator(_iso_text), AfterValidator(_sane_time)]

# Positive integers that fit a database integer column, and ids (64-bit).
MAX_INT = 2**31 - 1
MAX_ID = 2**63 - 1


# Errors --------------------------------------------------------------------------------


class ErrorOut(Schema):
    detail: str


class FieldErrorsOut(Schema):
    errors: dict[str, list[str]] = Field(
        description="Messages by field of the body or query; `__all__` for the request as a whole."
    )


# Answers most operations share: input that does not validate; nothing at the address.
INVALID = {422: FieldErrorsOut}
NOT_FOUND = {404: ErrorOut}


def _local(value: dt.datetime | None) -> dt.datetime | None:
    """In the site's time zone (Europe/Berlin), so the offset is the local one."""
    return timezone.localtime(value) if value else None


def _absolute(context, url: str) -> str:
    return context["request"].build_absolute_uri(url)


# The edition document ------------------------------------------------------------------


class FootnoteOut(Schema):
    number: int
    text: str
    offset: int


class GoalOut(Schema):
    permalink: str
    slug: str
    kind: Literal["guiding", "sub"]
    group: str | None
    text: str
    footnotes: list[FootnoteOut]
    predecessor: str | None
    children: list[GoalOut]


class FieldOut(Schema):
    number: str | None
    slug: str
    title: str
    cross_cutting: bool
    intro: str
    goals: list[GoalOut]


class ChapterOut(Schema):
    slug: str
    kind: Literal["foreword", "intro", "chapter"]
    number: str | None
    title: str
    html: str
    footnotes: list[FootnoteOut]


class GlossaryEntryOut(Schema):
    term: str
    slug: str
    definition: str


class EditionSummaryOut(Schema):
    slug: str
    city: str
    year: int
    number: int | None
    title: str
    status: Literal["draft", "adopted", "archived"]
    adopted_on: dt.date | None
    council_paper: str | None
    valid_until: dt.date | None
    partial: bool
    url: str = Field(description="The edition's page, relative to the site.")


class EditionDocumentOut(Schema):
    format: Literal["leitbild-edition/1"]
    source_language: str
    edition: EditionSummaryOut
    imprint: str
    chapters: list[ChapterOut]
    glossary: list[GlossaryEntryOut]
    fields: list[FieldOut]


GoalOut.model_rebuild()


# Editions and goals --------------------------------------------------------------------


class EditionOut(Schema):
    """An edition in the list; ``GET /editions/{slug}/`` gives its whole document."""

    slug: str
    city: str
    year: int
    number: int | None = Field(description="The edition's number (3 for the 3rd), if known.")
    title: str
    status: EditionStatus
    adopted_on: dt.date | None
    council_paper: str | None
    valid_until: dt.date | None
    partial: bool = Field(description="Only part of the edition's text is held.")
    url: str

    @staticmethod
    def resolve_city(obj):
        return obj.city.name

    @staticmethod
    def resolve_council_paper(obj):
        return obj.council_paper or None

    @staticmethod
    def resolve_partial(obj):
        return obj.is_partial

    @staticmethod
    def resolve_url(obj, context):
        return _absolute(context, obj.get_absolute_url())


class FieldRefOut(Schema):
    number: str | None
    title: str

    @staticmethod
    def resolve_number(obj):
        return obj.number or None


class FieldLinkOut(FieldRefOut):
    slug: str
    url: str

    @staticmethod
    def resolve_url(obj, context):
        return _absolute(context, obj.get_absolute_url())


class GoalLinkOut(Schema):
    """Another goal: its permanent address, page and edition (``GET /goals/{permalink}``)."""

    permalink: str = Field(description="Permanent address relative to the site.")
    edition: str
    url: str

    @staticmethod
    def resolve_edition(obj):
        return obj.edition.slug

    @staticmethod
    def resolve_url(obj, context):
        return _absolute(context, obj.permalink)


class GoalFilters(InputSchema):
    edition: str | None = Field(None, description="Slug of an edition, e.g. `2019`.")
    field: str | None = Field(
        None, description="A field of action by number (`6.2`) or slug (`6-2`)."
    )
    kind: Literal["guiding", "sub"] | None = Field(
        None, description="`guiding` (Leitziel) or `sub` (Teilziel)."
    )


class GoalDetailOut(Schema):
    """A guiding goal or sub-goal, with where it came from and where it went."""

    permalink: str = Field(description="Permanent address relative to the site.")
    url: str
    edition: str
    field: FieldLinkOut
    kind: Literal["guiding", "sub"]
    slug: str
    group: str | None = Field(description='Heading it stands under, e.g. "Arbeit".')
    text: str
    footnotes: list[FootnoteOut]
    parent: GoalLinkOut | None = Field(description="The goal it is nested under.")
    predecessor: GoalLinkOut | None = Field(
        description="The goal it continues in an earlier edition (its lineage)."
    )
    lineage: Literal["auto", "manual", "carried"] | None = Field(
        description="How the predecessor was found: by text similarity, by staff, or "
        "carried over into a draft."
    )
    lineage_score: float | None = Field(description="Text similarity to the predecessor, 0–1.")
    successors: list[GoalLinkOut] = Field(description="Goals that continue it later.")

    @staticmethod
    def resolve_url(obj, context):
        return _absolute(context, obj.permalink)

    @staticmethod
    def resolve_edition(obj):
        return obj.edition.slug

    @staticmethod
    def resolve_group(obj):
        return obj.group.title if obj.group_id else None

    @staticmethod
    def resolve_footnotes(obj):
        return sorted(obj.footnotes.all(), key=lambda n: n.number)

    @staticmethod
    def resolve_predecessor(obj):
        return obj.public_predecessor

    @staticmethod
    def resolve_lineage(obj):
        return (obj.lineage or None) if obj.public_predecessor else None

    @staticmethod
    def resolve_lineage_score(obj):
        return obj.lineage_score if obj.public_predecessor else None

    @staticmethod
    def resolve_successors(obj):
        return obj.public_successors


# Organisations -------------------------------------------------------------------------


class OrganisationFilters(InputSchema):
    category: OrganisationCategory | None = None
    field: str | None = Field(
        None,
        description="A field of action of the current edition, by number (`6.2`) or slug.",
    )
    q: str | None = Field(None, max_length=200, description="Words in the name or description.")


class OrganisationLinkOut(Schema):
    slug: str
    name: str
    url: str

    @staticmethod
    def resolve_url(obj, context):
        return _absolute(context, obj.get_absolute_url())


class OrganisationOut(OrganisationLinkOut):
    """An institution of the city's integration work: public facts only, no people."""

    category: OrganisationCategory
    website: str
    description: str
    fields: list[FieldLinkOut] = Field(
        description="The fields of action of the current edition it works in."
    )


# Participation -------------------------------------------------------------------------


class PhaseOut(Schema):
    position: int
    title: str
    description: str
    starts_on: dt.date
    ends_on: dt.date | None
    state: Literal["past", "current", "upcoming"]
    priority_fields: list[FieldRefOut]

    @staticmethod
    def resolve_state(obj):
        return obj.state()


class ProcessOut(Schema):
    slug: str
    title: str
    summary: str
    starts_on: dt.date
    ends_on: dt.date | None
    base_edition: str
    draft_edition: str | None
    url: str
    calendar_url: str = Field(description="iCalendar feed of the process's public events.")
    phases: list[PhaseOut]

    @staticmethod
    def resolve_base_edition(obj):
        return obj.base_edition.slug

    @staticmethod
    def resolve_draft_edition(obj):
        return obj.draft_edition.slug if obj.draft_edition_id else None

    @staticmethod
    def resolve_url(obj, context):
        return _absolute(context, obj.get_absolute_url())

    @staticmethod
    def resolve_calendar_url(obj, context):
        return _absolute(context, obj.get_calendar_url())


class EventFilters(InputSchema):
    process: str | None = Field(None, description="Slug of a process.")
    phase: int | None = Field(None, ge=0, le=MAX_INT, description="Position of a phase.")
    upcoming: bool | None = Field(None, description="`true`: not yet over; `false`: over.")
    kind: EventKind | None = None


class EventPhaseOut(Schema):
    position: int
    title: str


class EventOut(Schema):
    id: int
    process: str
    phase: EventPhaseOut | None
    kind: EventKind
    title: str
    description: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    mode: EventMode
    place_name: str
    address: str
    room: str
    online_url: str
    fields: list[FieldRefOut]
    capacity: int | None = Field(description="Seats; null means no limit.")
    registration_deadline: dt.datetime | None
    visibility: EventVisibility
    registration_open: bool
    seats_left: int | None = Field(description="Free seats; null means no limit.")
    waiting_count: int = Field(description="People on the waiting list.")
    url: str
    calendar_url: str

    @staticmethod
    def resolve_process(obj):
        return obj.process.slug

    @staticmethod
    def resolve_starts_at(obj):
        return _local(obj.starts_at)

    @staticmethod
    def resolve_ends_at(obj):
        return _local(obj.ends_at)

    @staticmethod
    def resolve_registration_deadline(obj):
        return _local(obj.registration_deadline)

    @staticmethod
    def resolve_registration_open(obj):
        return obj.registration_open()

    @staticmethod
    def resolve_seats_left(obj):
        if obj.capacity is None:
            return None
        return max(obj.capacity - obj.confirmed_count, 0)

    @staticmethod
    def resolve_url(obj, context):
        return _absolute(context, obj.get_absolute_url())

    @staticmethod
    def resolve_calendar_url(obj, context):
        return _absolute(context, obj.get_calendar_url())


def _valid_email(value: str) -> str:
    value = value.strip()
    try:
        validate_email(value)
    except DjangoValidationError as error:
        raise ValueError(error.messages[0]) from error
    return value


class RegistrationIn(BodyIn):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"name": "Erika Muster", "email": "erika@example.org", "consent": True}]
        }
    )

    name: str = Field(max_length=200)
    email: Annotated[
        str,
        Field(max_length=254, json_schema_extra={"format": "email"}),
        AfterValidator(_valid_email),
    ]
    consent: StrictBool = Field(description="Agreement to the privacy notice; must be true.")
    organisation: str | None = Field(
        None, description="Slug of an organisation of the process's city (/organisationen/)."
    )
    organisation_name: str = Field("", max_length=300, description="Free text, if not listed.")
    stakeholder_group: StakeholderGroup | None = None
    district: str | None = Field(None, description="Name of a district of the city.")
    target_groups: list[TargetGroup] = Field(
        default_factory=list, description="Self-declared, optional."
    )
    needs_interpreting: str = Field("", max_length=100, description="Language, if needed.")
    needs_childcare: StrictBool = False
    needs_accessibility: str = Field("", max_length=300)


class RegistrationOut(Schema):
    status: Literal["confirmed", "waiting"]
    waiting_position: int | None = Field(description="Place in line (1 = next), if waiting.")
    event: int
    cancel_url: str = Field(description="Keep it private: whoever has it can cancel.")


class EventIn(BodyIn):
    """A new event. Times without an offset are taken as Europe/Berlin local time."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "process": "fortschreibung-2023-2025",
                    "phase": 3,
                    "fields": ["6.6"],
                    "kind": "subject_forum",
                    "title": "Fachforum Arbeit",
                    "starts_at": "2030-06-14T15:00",
                    "ends_at": "2030-06-14T18:00",
                    "capacity": 30,
                }
            ]
        }
    )

    process: str = Field(description="Slug of the process.")
    phase: StrictInt | None = Field(
        None, ge=0, le=MAX_INT, description="Position of a phase of the process."
    )
    fields: list[str] = Field(
        default_factory=list,
        description="Numbers of fields of action of the process's draft edition, e.g. 6.2.",
    )
    kind: EventKind = Event.Kind.WORKSHOP.value
    title: str = Field(min_length=1, max_length=300)
    description: str = ""
    starts_at: Time
    ends_at: Time
    mode: EventMode = Event.Mode.IN_PERSON.value
    place_name: str = Field("", max_length=200)
    address: str = Field("", max_length=300)
    room: str = Field("", max_length=200)
    online_url: str = Field("", max_length=200)
    capacity: StrictInt | None = Field(None, ge=0, le=MAX_INT, description="Seats; null: no limit.")
    registration_deadline: Time | None = None
    visibility: EventVisibility = Event.Visibility.PUBLIC.value


def _omittable(**kwargs):
    """A body field that may be left out but, when sent, may not be ``null``: the
    database column takes no NULL (a ``null`` title would fail as it is saved). The
    default is what ``exclude_unset`` drops; the schema shows none."""
    return Field(None, json_schema_extra=lambda schema: schema.pop("default", None), **kwargs)


class EventPatchIn(BodyIn):
    """Only the attributes sent are changed; ``fields`` replaces the list. ``null``
    clears ``phase``, ``capacity`` and ``registration_deadline``; the others take none."""

    phase: StrictInt | None = Field(
        None, ge=0, le=MAX_INT, description="Position of a phase; null: no phase."
    )
    fields: list[str] = _omittable()
    kind: EventKind = _omittable()
    title: str = _omittable(min_length=1, max_length=300)
    description: str = _omittable()
    starts_at: Time = _omittable()
    ends_at: Time = _omittable()
    mode: EventMode = _omittable()
    place_name: str = _omittable(max_length=200)
    address: str = _omittable(max_length=300)
    room: str = _omittable(max_length=200)
    online_url: str = _omittable(max_length=200)
    capacity: StrictInt | None = Field(None, ge=0, le=MAX_INT, description="Seats; null: no limit.")
    registration_deadline: Time | None = None
    visibility: EventVisibility = _omittable()


# Monitoring ----------------------------------------------------------------------------

ProgressStatus = Literal["achieved", "on_track", "at_risk", "off_track", "no_data"]


def _download_url(indicator: Indicator, fmt: str) -> str:
    return reverse("monitoring:indicator_download", kwargs={"code": indicator.code, "fmt": fmt})


class IndicatorLinkOut(Schema):
    code: str
    name: str
    url: str

    @staticmethod
    def resolve_url(obj, context):
        return _absolute(context, obj.get_absolute_url())


class IndicatorOut(IndicatorLinkOut):
    definition: str
    numerator: str
    denominator: str
    unit: str
    source: str
    frequency: IndicatorFrequency
    direction: IndicatorDirection
    disaggregations: list[str] = Field(description="Breakdowns besides the area, e.g. sex.")
    target_value: float | None
    target_year: int | None
    status: ProgressStatus = Field(description="Progress towards the target (growth-rate method).")
    observation_count: int
    latest_period: int | None
    goals: list[GoalLinkOut] = Field(description="The goals of the concept it measures.")
    data_csv: str
    data_json: str

    @staticmethod
    def resolve_disaggregations(obj):
        return list(obj.disaggregations or [])

    @staticmethod
    def resolve_status(obj):
        return obj.progress.status

    @staticmethod
    def resolve_goals(obj):
        return obj.public_goals

    @staticmethod
    def resolve_data_csv(obj, context):
        return _absolute(context, _download_url(obj, "csv"))

    @staticmethod
    def resolve_data_json(obj, context):
        return _absolute(context, _download_url(obj, "json"))


class ObservationFilters(InputSchema):
    period: int | None = Field(None, ge=0, le=MAX_INT, description="A year.")
    area: str | None = Field(
        None, description="Official code of an area; `city` for city-wide values."
    )
    breakdown: str | None = Field(
        None,
        description="`dimension=value;…` as in the downloads (`sex=female`); `total` for "
        "values without a breakdown.",
    )


class AllObservationFilters(ObservationFilters):
    indicator: str | None = Field(None, description="Code of an indicator.")


class ObservationOut(Schema):
    indicator: str
    period: int
    area: str = Field(description='Official code of the area; "" for the whole city.')
    area_name: str
    disaggregation: dict[str, str]
    value: float | None = Field(description="null when suppressed.")
    status: ObservationStatus
    comment: str

    @staticmethod
    def resolve_indicator(obj):
        return obj.indicator.code

    @staticmethod
    def resolve_area(obj):
        return "" if obj.area.level == District.Level.CITY else obj.area.number

    @staticmethod
    def resolve_area_name(obj):
        return obj.area.name


class ObservationImportOut(Schema):
    created: int
    updated: int
    unchanged: int
    indicators: list[str]
    notes: list[str]


# Implementation ------------------------------------------------------------------------


class ActionGoalFilters(InputSchema):
    edition: str | None = Field(None, description="Slug of the edition of the goal served.")
    field: str | None = Field(
        None, description="Field of action of the goal served, by number or slug."
    )
    indicator: str | None = Field(None, description="Code of an indicator it is measured by.")
    organisation: str | None = Field(None, description="Slug of a responsible organisation.")
    status: ProgressStatus | None = None


class ProgressOut(Schema):
    """Where an action goal stands, by its first indicator's city-wide values."""

    status: ProgressStatus
    latest_year: int | None
    latest_value: float | None
    trend: Literal["up", "down", "flat", ""] = Field(description='"" with fewer than two values.')
    explanation: str = Field(description="How the status was reached, in English.")

    @staticmethod
    def resolve_latest_year(obj):
        return obj.latest[0] if obj.latest else None

    @staticmethod
    def resolve_latest_value(obj):
        return obj.latest[1] if obj.latest else None


class MeasureLinkOut(Schema):
    id: int
    title: str
    url: str

    @staticmethod
    def resolve_url(obj, context):
        return _absolute(context, obj.get_absolute_url())


class ActionGoalLinkOut(Schema):
    id: int
    text: str
    url: str

    @staticmethod
    def resolve_url(obj, context):
        return _absolute(context, obj.get_absolute_url())


SmartGap = Literal[
    "responsible", "indicator", "baseline", "target", "deadline", "deadline_past", "vague"
]


class ActionGoalOut(ActionGoalLinkOut):
    goal: GoalLinkOut = Field(description="The goal of the concept it serves.")
    responsible: list[OrganisationLinkOut]
    indicators: list[IndicatorLinkOut]
    baseline_value: float | None
    baseline_year: int | None
    target_value: float | None
    direction: ActionGoalDirection
    deadline: dt.date | None
    smart_gaps: list[SmartGap] = Field(description="What the SMART check misses.")
    status: ProgressStatus
    progress: ProgressOut
    measures: list[MeasureLinkOut]

    @staticmethod
    def resolve_smart_gaps(obj):
        return [p.code for p in obj.smart_problems()]

    @staticmethod
    def resolve_status(obj):
        return obj.progress.status


class MeasureFilters(InputSchema):
    status: MeasureStatus | None = None
    organisation: str | None = Field(None, description="Slug of a lead or partner organisation.")
    action_goal: int | None = Field(
        None, ge=1, le=MAX_ID, description="Id of an action goal it serves."
    )
    edition: str | None = Field(None, description="Slug of the edition of a goal it serves.")


class ProgressReportOut(Schema):
    date: dt.date
    text: str
    percent: int | None

    @staticmethod
    def resolve_date(obj):
        return obj.reported_on


class MeasureOut(MeasureLinkOut):
    description: str
    status: MeasureStatus
    starts_on: dt.date | None
    ends_on: dt.date | None
    funding_programme: str
    budget: float | None = Field(description="Euros.")
    result: str
    progress: int | None = Field(description="Percent of the latest report that gives one.")
    lead: list[OrganisationLinkOut]
    partners: list[OrganisationLinkOut]
    goals: list[GoalLinkOut]
    action_goals: list[ActionGoalLinkOut]
    reports: list[ProgressReportOut] = Field(description="Newest first.")

    @staticmethod
    def resolve_budget(obj):
        return float(obj.budget) if obj.budget is not None else None

    @staticmethod
    def resolve_progress(obj):
        return next((r.percent for r in obj.reports.all() if r.percent is not None), None)

    @staticmethod
    def resolve_goals(obj):
        return obj.public_goals
