"""The public API under /api/v1/; its OpenAPI schema is at /api/v1/openapi.json.

Errors: ``{"detail": "..."}`` (401, 403, 404, 429), and for input that does not
validate ``{"errors": {"field": ["message", ...]}}`` (422; 409 for a duplicate
registration). See ``docs/api.md``.
"""

import enum

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Count, Prefetch, Q
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from ninja import File, NinjaAPI, Status
from ninja.errors import HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.files import UploadedFile
from ninja.pagination import LimitOffsetPagination, paginate

from leitbild.actors.models import Organisation
from leitbild.concept.models import District, Edition, FieldOfAction
from leitbild.concept.selectors import edition_document, edition_summary_json
from leitbild.core.ratelimit import rate_limited
from leitbild.monitoring.models import Indicator
from leitbild.monitoring.selectors import indicator_overview
from leitbild.participation.models import Event, Phase, Process, Registration
from leitbild.participation.permissions import can_edit_events
from leitbild.participation.services import event_create, event_update, registration_create

from .auth import optional_staff_token, staff_token
from .schemas import (
    ActionGoalOut,
    EditionDocumentOut,
    EditionSummaryOut,
    ErrorOut,
    EventIn,
    EventOut,
    EventPatchIn,
    FieldErrorsOut,
    IndicatorOut,
    MeasureOut,
    ObservationImportOut,
    ObservationOut,
    ProcessOut,
    RegistrationIn,
    RegistrationOut,
)

api = NinjaAPI(
    title="leitbild API",
    version="1",
    description=(
        "The integration concept as open data: editions, chapters, fields, goals; "
        "participation processes and their events, with registration; monitoring "
        "indicators and their observations. "
        "Staff write events with `Authorization: Bearer <token>` (`leitbild api-token`)."
    ),
    urls_namespace="api-1",
    docs_url=None,  # the interactive docs load assets from a CDN; the schema is enough
)


@api.get(
    "/editions/",
    response=list[EditionSummaryOut],
    tags=["editions"],
    url_name="edition_list",
    summary="List editions",
)
@paginate(LimitOffsetPagination)
def edition_list(request, city: str | None = None, status: str | None = None):
    """Public editions, newest first; filter by ``city`` (slug) or ``status``."""
    editions = Edition.objects.public().select_related("city").order_by("city__name", "-year")
    if city:
        editions = editions.filter(city__slug=city)
    if status:
        editions = editions.filter(status=status)
    return [edition_summary_json(e) for e in editions]


@api.get(
    "/editions/{slug}/",
    response=EditionDocumentOut,
    tags=["editions"],
    url_name="edition_detail",
    summary="One edition, complete",
)
def edition_detail(request, slug: str):
    """The whole edition as one document: chapters, glossary, fields and nested goals."""
    edition = Edition.objects.public().select_related("city").filter(slug=slug).first()
    if edition is None:
        raise Http404("No such edition.")
    return edition_document(edition)


# Errors -------------------------------------------------------------------------------

# The sources ninja puts first in an error's location, and the name our views give
# their request body: neither is a field the client knows.
_LOCATIONS = {"body", "query", "path", "header", "cookie", "form", "file"}
_BODY_PARAM = "payload"


def _field_name(loc) -> str:
    parts = [str(part) for part in loc if isinstance(part, str)]
    source = parts.pop(0) if parts and parts[0] in _LOCATIONS else ""
    if parts and parts[0] == _BODY_PARAM:
        parts.pop(0)
    return ".".join(parts) or source or "__all__"


def _message(error: dict) -> str:
    if error.get("type") == "value_error" and error.get("ctx", {}).get("error"):
        return str(error["ctx"]["error"])  # our own validators' text, without "Value error, "
    return error.get("msg", "Invalid value.")


@api.exception_handler(NinjaValidationError)
def request_invalid(request, exc):
    """Input that does not match the schema: 422 with messages per field."""
    errors: dict[str, list[str]] = {}
    for error in exc.errors:
        errors.setdefault(_field_name(error.get("loc", ())), []).append(_message(error))
    return api.create_response(request, {"errors": errors}, status=422)


@api.exception_handler(DjangoValidationError)
def service_invalid(request, exc):
    """A service refused the input (``ValidationError`` keyed by field): 422."""
    errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    return api.create_response(request, {"errors": errors}, status=422)


# Participation: processes -----------------------------------------------------------


@api.get(
    "/processes/",
    response=list[ProcessOut],
    tags=["participation"],
    url_name="process_list",
    summary="List participation processes",
)
@paginate(LimitOffsetPagination)
def process_list(request):
    """Participation processes, newest first, with their phases."""
    return Process.objects.select_related("base_edition", "draft_edition").prefetch_related(
        Prefetch(
            "phases",
            queryset=Phase.objects.order_by("position").prefetch_related("priority_fields"),
        )
    )


# Participation: events --------------------------------------------------------------

_ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: FieldErrorsOut}
# "No token, or a valid one": the schema says so, as OpenAPI writes optional auth.
_OPTIONAL_AUTH = {"security": [{"StaffToken": []}, {}]}


def event_queryset(user=None):
    """Events ``user`` may read, ready for :class:`EventOut` in a fixed number of queries.

    Anonymous callers see public events; staff of a process (and superusers) also
    see its invitation-only ones. Seats are counted in the database, never by
    loading registrations.
    """
    events = Event.objects.all()
    if user is None or not user.is_authenticated:
        events = events.public()
    elif not user.is_superuser:
        events = events.filter(
            Q(visibility=Event.Visibility.PUBLIC)
            | Q(process__in=Process.objects.filter(staff=user).values("pk"))
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
    )


def _require_editor(request, process: Process) -> None:
    if not can_edit_events(request.auth, process):
        raise HttpError(403, "Only staff of this process can change its events.")


def _aware(value):
    """Times without an offset are local (Europe/Berlin) time."""
    if value is not None and timezone.is_naive(value):
        return timezone.make_aware(value)
    return value


def _event_values(data: dict, process: Process) -> dict:
    """Schema data to service arguments: phase and fields looked up in the process."""
    values = {}
    errors = {}
    for name, value in data.items():
        if isinstance(value, enum.Enum):
            value = value.value
        if name in ("starts_at", "ends_at", "registration_deadline"):
            value = _aware(value)
        values[name] = value
    if values.get("phase") is not None:
        position = values["phase"]
        values["phase"] = process.phases.filter(position=position).first()
        if values["phase"] is None:
            errors["phase"] = [f"The process has no phase {position}."]
    if "fields" in values:
        numbers = list(dict.fromkeys(values["fields"] or []))
        draft = process.draft_edition_id
        found = {
            f.number: f for f in FieldOfAction.objects.filter(edition_id=draft, number__in=numbers)
        }
        unknown = [n for n in numbers if n not in found]
        if unknown:
            errors["fields"] = [
                f"Not a field of action of the process's draft: {', '.join(unknown)}."
            ]
        values["fields"] = [found[n] for n in numbers if n in found]
    if errors:
        raise DjangoValidationError(errors)
    return values


@api.get(
    "/events/",
    response={200: list[EventOut], 401: ErrorOut},
    auth=optional_staff_token,
    openapi_extra=_OPTIONAL_AUTH,
    tags=["participation"],
    url_name="event_list",
    summary="List events",
)
@paginate(LimitOffsetPagination)
def event_list(
    request,
    process: str | None = None,
    phase: int | None = None,
    upcoming: bool | None = None,
    kind: Event.Kind | None = None,
):
    """Events in time order; filter by ``process`` (slug), ``phase`` (position), ``kind``,
    and ``upcoming`` (true: not yet over; false: over).

    Without a token: public events. With a staff token: also the invitation-only
    events of the processes the user is staff of.
    """
    events = event_queryset(request.auth)
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


@api.get(
    "/events/{id}/",
    response={200: EventOut, 401: ErrorOut, 404: ErrorOut},
    auth=optional_staff_token,
    openapi_extra=_OPTIONAL_AUTH,
    tags=["participation"],
    url_name="event_detail",
    summary="One event",
)
def event_detail(request, id: int):
    """One event, with its free seats; invitation-only events need a staff token."""
    event = event_queryset(request.auth).filter(pk=id).first()
    if event is None:
        raise Http404("No such event.")
    return event


@api.post(
    "/events/",
    response={201: EventOut, **_ERRORS},
    auth=staff_token,
    tags=["participation"],
    url_name="event_create",
    summary="Create an event (staff)",
)
def event_create_view(request, payload: EventIn):
    """Staff of the process create an event; answers with the event as ``GET`` shows it."""
    data = payload.model_dump()
    process = (
        Process.objects.filter(slug=data.pop("process")).select_related("draft_edition").first()
    )
    if process is None:
        raise DjangoValidationError({"process": ["No process with this slug."]})
    _require_editor(request, process)
    values = _event_values(data, process)
    event = event_create(process=process, **values)
    return Status(201, event_queryset(request.auth).get(pk=event.pk))


@api.patch(
    "/events/{id}/",
    response={200: EventOut, **_ERRORS},
    auth=staff_token,
    tags=["participation"],
    url_name="event_update",
    summary="Change an event (staff)",
)
def event_update_view(request, id: int, payload: EventPatchIn):
    """Changes only the attributes sent. A larger ``capacity`` moves people up from the
    waiting list (they are told by e-mail)."""
    event = Event.objects.select_related("process").filter(pk=id).first()
    if event is None:
        raise Http404("No such event.")
    _require_editor(request, event.process)
    values = _event_values(payload.model_dump(exclude_unset=True), event.process)
    fields = values.pop("fields", None)
    event = event_update(event=event, fields=fields, **values)
    return event_queryset(request.auth).get(pk=event.pk)


# Participation: registration --------------------------------------------------------


@api.post(
    "/events/{id}/registrations/",
    response={
        201: RegistrationOut,
        404: ErrorOut,
        409: FieldErrorsOut,
        422: FieldErrorsOut,
        429: ErrorOut,
    },
    url_name="event_register_slash",
    include_in_schema=False,  # the same, for clients that add the slash the other paths have
)
@api.post(
    "/events/{id}/registrations",
    response={
        201: RegistrationOut,
        404: ErrorOut,
        409: FieldErrorsOut,
        422: FieldErrorsOut,
        429: ErrorOut,
    },
    tags=["participation"],
    url_name="event_register",
    summary="Register for an event",
)
def event_register(request, id: int, payload: RegistrationIn):
    """Anyone registers for a public event whose registration is open: a seat if one is
    free, else a place on the waiting list. A confirmation with the cancel link goes
    to the e-mail address. No login, no token, no CSRF token."""
    if rate_limited(request, "api-registration"):
        raise HttpError(429, "Too many registrations from this address; please try later.")
    event = Event.objects.public().select_related("process__base_edition").filter(pk=id).first()
    if event is None:
        raise Http404("No such event.")
    city_id = event.process.base_edition.city_id
    errors = {}
    organisation = district = None
    if payload.organisation:
        organisation = Organisation.objects.filter(
            city_id=city_id, slug=payload.organisation
        ).first()
        if organisation is None:
            errors["organisation"] = ["No organisation with this slug in the city."]
    if payload.district:
        district = (
            District.objects.filter(city_id=city_id, name=payload.district)
            .order_by("level")
            .first()
        )
        if district is None:
            errors["district"] = ["No district of this name in the city."]
    if errors:
        raise DjangoValidationError(errors)
    try:
        registration = registration_create(
            event=event,
            name=payload.name,
            email=payload.email,
            consent=payload.consent,
            organisation=organisation,
            organisation_name=payload.organisation_name,
            stakeholder_group=payload.stakeholder_group.value if payload.stakeholder_group else "",
            district=district,
            target_groups=[group.value for group in payload.target_groups],
            needs_interpreting=payload.needs_interpreting,
            needs_childcare=payload.needs_childcare,
            needs_accessibility=payload.needs_accessibility,
        )
    except DjangoValidationError as error:
        # The address is well-formed (the schema checked it), so an e-mail error from
        # the service means it is registered already: a conflict, not bad input.
        if hasattr(error, "error_dict") and "email" in error.error_dict:
            return Status(409, {"errors": {"email": error.message_dict["email"]}})
        raise
    waiting_position = None
    if registration.status == Registration.Status.WAITING:
        waiting_position = (
            event.registrations.waiting()
            .filter(
                Q(created_at__lt=registration.created_at)
                | Q(created_at=registration.created_at, pk__lte=registration.pk)
            )
            .count()
        )
    return Status(
        201,
        {
            "status": registration.status,
            "waiting_position": waiting_position,
            "event": event.pk,
            "cancel_url": request.build_absolute_uri(registration.get_cancel_url()),
        },
    )


# Monitoring ---------------------------------------------------------------------------


def _indicator_json(request, indicator) -> dict:
    def absolute(name, **kwargs):
        return request.build_absolute_uri(reverse(name, kwargs=kwargs))

    return {
        **{
            name: getattr(indicator, name)
            for name in (
                "code",
                "name",
                "definition",
                "numerator",
                "denominator",
                "unit",
                "source",
                "frequency",
                "direction",
                "target_value",
                "target_year",
            )
        },
        "disaggregations": list(indicator.disaggregations or []),
        "status": indicator.progress.status,
        "url": request.build_absolute_uri(indicator.get_absolute_url()),
        "data_csv": absolute("monitoring:indicator_download", code=indicator.code, fmt="csv"),
        "data_json": absolute("monitoring:indicator_download", code=indicator.code, fmt="json"),
    }


@api.get(
    "/indicators/",
    response=list[IndicatorOut],
    tags=["monitoring"],
    url_name="indicator_list",
    summary="List indicators with their progress status",
)
@paginate(LimitOffsetPagination)
def indicator_list(request):
    """Every indicator, its definition and target, and its status by the growth-rate method."""
    return [_indicator_json(request, i) for i in indicator_overview()]


@api.get(
    "/indicators/{code}/observations/",
    response=list[ObservationOut],
    tags=["monitoring"],
    url_name="indicator_observations",
    summary="An indicator's observations",
)
@paginate(LimitOffsetPagination)
def indicator_observations(
    request,
    code: str,
    period: int | None = None,
    area: str | None = None,
    breakdown: str | None = None,
):
    """Filter by ``period`` (year), ``area`` (official code; ``city`` for city-wide values)
    and ``breakdown`` (``dimension=value;…`` as in the downloads; ``total`` for none)."""
    indicator = Indicator.objects.filter(code=code).first()
    if indicator is None:
        raise Http404("No such indicator.")
    observations = indicator.observations.select_related("area").order_by(
        "period", "area__level", "area__number", "disaggregation_key"
    )
    if period is not None:
        observations = observations.filter(period=period)
    if area == "city":
        observations = observations.filter(area__level=District.Level.CITY)
    elif area:
        observations = observations.filter(area__number=area)
    if breakdown == "total":
        observations = observations.filter(disaggregation_key="")
    elif breakdown:
        observations = observations.filter(disaggregation_key=breakdown)

    def as_json(o):
        return {
            "period": o.period,
            "area": "" if o.area.level == District.Level.CITY else o.area.number,
            "area_name": o.area.name,
            "disaggregation": o.disaggregation,
            "value": o.value,
            "status": o.status,
            "comment": o.comment,
        }

    return LazyRows(observations, as_json)


class LazyRows:
    """A queryset the paginator can count and slice, turned into dicts only for one page."""

    def __init__(self, queryset, convert):
        self.queryset, self.convert = queryset, convert

    def __len__(self):
        return self.queryset.count()

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self.convert(o) for o in self.queryset[index]]
        return self.convert(self.queryset[index])


# Implementation ---------------------------------------------------------------------------


@api.get(
    "/action-goals/",
    response=list[ActionGoalOut],
    tags=["implementation"],
    url_name="action_goal_list",
    summary="Action goals with their SMART gaps and status",
)
@paginate(LimitOffsetPagination)
def action_goal_list(request):
    """Action goals (Handlungsziele): target, deadline, who is responsible, SMART gaps."""
    from leitbild.implementation.models import ActionGoal
    from leitbild.implementation.selectors import action_goal_progress
    from leitbild.monitoring.selectors import city_series

    items = list(
        ActionGoal.objects.select_related("goal__field", "goal__edition").prefetch_related(
            "responsible", "indicators"
        )
    )
    series = city_series({i for item in items for i in item.indicators.all()})
    return [
        {
            "id": item.pk,
            "text": item.text,
            "goal": request.build_absolute_uri(item.goal.get_absolute_url()),
            "responsible": [o.name for o in item.responsible.all()],
            "indicators": [i.code for i in item.indicators.all()],
            "baseline_value": item.baseline_value,
            "baseline_year": item.baseline_year,
            "target_value": item.target_value,
            "direction": item.direction,
            "deadline": item.deadline,
            "smart_gaps": [p.code for p in item.smart_problems()],
            "status": action_goal_progress(item, series).status,
            "url": request.build_absolute_uri(item.get_absolute_url()),
        }
        for item in items
    ]


@api.get(
    "/measures/",
    response=list[MeasureOut],
    tags=["implementation"],
    url_name="measure_list",
    summary="Measures with their progress reports",
)
@paginate(LimitOffsetPagination)
def measure_list(request, status: str | None = None):
    """Measures (projects): period, funding, lead and partners, goals, progress reports."""
    from leitbild.implementation.models import Measure

    measures = Measure.objects.prefetch_related(
        "lead", "partners", "goals__field", "goals__edition", "reports"
    )
    if status:
        measures = measures.filter(status=status)
    return [
        {
            "id": m.pk,
            "title": m.title,
            "description": m.description,
            "status": m.status,
            "starts_on": m.starts_on,
            "ends_on": m.ends_on,
            "funding_programme": m.funding_programme,
            "budget": float(m.budget) if m.budget is not None else None,
            "result": m.result,
            "lead": [o.name for o in m.lead.all()],
            "partners": [o.name for o in m.partners.all()],
            "goals": [request.build_absolute_uri(g.get_absolute_url()) for g in m.goals.all()],
            "reports": [
                {"date": r.reported_on, "text": r.text, "percent": r.percent}
                for r in m.reports.all()
            ],
            "url": request.build_absolute_uri(m.get_absolute_url()),
        }
        for m in measures
    ]


@api.post(
    "/observations/import",
    response={200: ObservationImportOut, 403: ErrorOut, 422: FieldErrorsOut},
    tags=["monitoring"],
    auth=staff_token,
    url_name="observation_import",
    summary="Import observations (staff token)",
)
def observation_import(request, file: File[UploadedFile], fmt: str = "auto", indicator: str = ""):
    """A long CSV/XLSX or an Open SDG CSV (``fmt=opensdg&indicator=<code>``), multipart
    field ``file``. All rows are checked first; with any problem nothing is written and
    the answer is 422 listing every problem under ``errors.file``."""
    from leitbild.monitoring.derivation.rows import InputError
    from leitbild.monitoring.selectors import city_resolve
    from leitbild.monitoring.services import observations_import

    if not request.auth.has_perm("monitoring.add_observation"):
        return Status(403, {"detail": "This token's user may not import observations."})
    try:
        city = city_resolve()
    except ValueError:
        return Status(422, {"errors": {"file": ["Set up exactly one city first."]}})
    try:
        report = observations_import(
            city=city,
            data=file.read(),
            filename=file.name or "upload.csv",
            fmt=fmt,
            indicator=indicator,
        )
    except InputError as error:
        return Status(422, {"errors": {"file": [str(p) for p in error.problems]}})
    return {
        "created": report.created,
        "updated": report.updated,
        "unchanged": report.unchanged,
        "indicators": report.indicators,
        "notes": report.notes,
    }
