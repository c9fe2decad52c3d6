"""The public JSON shapes: the edition documents ``leitbild export-edition`` writes too,
and the participation API's processes, events and registrations."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.utils import timezone
from ninja import Field, Schema
from pydantic import AfterValidator

from leitbild.participation.models import Event, StakeholderGroup, TargetGroup


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
    url: str


class EditionDocumentOut(Schema):
    format: Literal["leitbild-edition/1"]
    source_language: str
    edition: EditionSummaryOut
    imprint: str
    chapters: list[ChapterOut]
    glossary: list[GlossaryEntryOut]
    fields: list[FieldOut]


GoalOut.model_rebuild()


# Participation ------------------------------------------------------------------------
#
# Read shapes resolve from model instances (``request`` comes in the resolver context,
# for absolute URLs); events come from ``api.event_queryset()``, which annotates the
# seat counts. Nothing here reads a registration's personal data.


def _local(value: dt.datetime | None) -> dt.datetime | None:
    """In the site's time zone (Europe/Berlin), so the offset is the local one."""
    return timezone.localtime(value) if value else None


def _absolute(context, url: str) -> str:
    return context["request"].build_absolute_uri(url)


class ErrorOut(Schema):
    detail: str


class FieldErrorsOut(Schema):
    errors: dict[str, list[str]]


class FieldRefOut(Schema):
    number: str | None
    title: str

    @staticmethod
    def resolve_number(obj):
        return obj.number or None


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
    calendar_url: str
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


class EventPhaseOut(Schema):
    position: int
    title: str


class EventOut(Schema):
    id: int
    process: str
    phase: EventPhaseOut | None
    kind: Event.Kind
    title: str
    description: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    mode: Event.Mode
    place_name: str
    address: str
    room: str
    online_url: str
    fields: list[FieldRefOut]
    capacity: int | None = Field(description="Seats; null means no limit.")
    registration_deadline: dt.datetime | None
    visibility: Event.Visibility
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


class RegistrationIn(Schema):
    name: str = Field(max_length=200)
    email: Annotated[str, Field(max_length=254), AfterValidator(_valid_email)]
    consent: bool = Field(description="Agreement to the privacy notice; must be true.")
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
    needs_childcare: bool = False
    needs_accessibility: str = Field("", max_length=300)


class RegistrationOut(Schema):
    status: Literal["confirmed", "waiting"]
    waiting_position: int | None = Field(description="Place in line (1 = next), if waiting.")
    event: int
    cancel_url: str = Field(description="Keep it private: whoever has it can cancel.")


class EventIn(Schema):
    """A new event. Times without an offset are taken as Europe/Berlin local time."""

    process: str = Field(description="Slug of the process.")
    phase: int | None = Field(None, description="Position of a phase of the process.")
    fields: list[str] = Field(
        default_factory=list,
        description="Numbers of fields of action of the process's draft edition, e.g. 6.2.",
    )
    kind: Event.Kind = Event.Kind.WORKSHOP
    title: str = Field(max_length=300)
    description: str = ""
    starts_at: dt.datetime
    ends_at: dt.datetime
    mode: Event.Mode = Event.Mode.IN_PERSON
    place_name: str = ""
    address: str = ""
    room: str = ""
    online_url: str = ""
    capacity: int | None = Field(None, ge=0, description="Seats; null means no limit.")
    registration_deadline: dt.datetime | None = None
    visibility: Event.Visibility = Event.Visibility.PUBLIC


class EventPatchIn(Schema):
    """Only the attributes sent are changed; ``fields`` replaces the list."""

    phase: int | None = Field(None, description="Position of a phase; null: no phase.")
    fields: list[str] | None = None
    kind: Event.Kind | None = None
    title: str | None = Field(None, max_length=300)
    description: str | None = None
    starts_at: dt.datetime | None = None
    ends_at: dt.datetime | None = None
    mode: Event.Mode | None = None
    place_name: str | None = None
    address: str | None = None
    room: str | None = None
    online_url: str | None = None
    capacity: int | None = Field(None, ge=0, description="Seats; null means no limit.")
    registration_deadline: dt.datetime | None = None
    visibility: Event.Visibility | None = None


class IndicatorOut(Schema):
    code: str
    name: str
    definition: str
    numerator: str
    denominator: str
    unit: str
    source: str
    frequency: str
    direction: str
    disaggregations: list[str]
    target_value: float | None
    target_year: int | None
    status: str  # achieved | on_track | at_risk | off_track | no_data
    url: str
    data_csv: str
    data_json: str


class ObservationOut(Schema):
    period: int
    area: str  # official code; "" for the whole city
    area_name: str
    disaggregation: dict[str, str]
    value: float | None
    status: str
    comment: str


class ActionGoalOut(Schema):
    id: int
    text: str
    goal: str  # permalink of the concept goal
    responsible: list[str]
    indicators: list[str]
    baseline_value: float | None
    baseline_year: int | None
    target_value: float | None
    direction: str
    deadline: dt.date | None
    smart_gaps: list[str]  # responsible, indicator, baseline, target, deadline, …
    status: str  # achieved | on_track | at_risk | off_track | no_data
    url: str


class ProgressReportOut(Schema):
    date: dt.date
    text: str
    percent: int | None


class MeasureOut(Schema):
    id: int
    title: str
    description: str
    status: str
    starts_on: dt.date | None
    ends_on: dt.date | None
    funding_programme: str
    budget: float | None
    result: str
    lead: list[str]
    partners: list[str]
    goals: list[str]
    reports: list[ProgressReportOut]
    url: str


class ObservationImportOut(Schema):
    created: int
    updated: int
    unchanged: int
    indicators: list[str]
    notes: list[str]
