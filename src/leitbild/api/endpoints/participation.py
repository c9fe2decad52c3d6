"""Participation: processes, events, public registration, staff writes by token."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils import timezone
from ninja import Path, Query, Router, Status
from ninja.errors import HttpError
from ninja.pagination import paginate

from leitbild.concept.models import FieldOfAction
from leitbild.core.ratelimit import rate_limited
from leitbild.participation.models import Event, Process, Registration
from leitbild.participation.permissions import can_edit_events
from leitbild.participation.services import event_create, event_update, registration_create

from .. import selectors
from ..auth import optional_staff_token, staff_token, staff_write_limited
from ..pagination import Pagination
from ..schemas import (
    INVALID,
    MAX_ID,
    NOT_FOUND,
    ErrorOut,
    EventFilters,
    EventIn,
    EventOut,
    EventPatchIn,
    FieldErrorsOut,
    ProcessOut,
    RegistrationIn,
    RegistrationOut,
    Text,
)

router = Router(tags=["participation"])

# Writes: a body that is not JSON (400), no or a bad token (401), not staff of the
# process (403), input that does not validate (422).
_WRITE_ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 429: ErrorOut, **INVALID}
PROCESS = Path(..., description="Slug of the process.", example="fortschreibung-2023-2025")
EVENT_ID = Path(..., ge=1, le=MAX_ID, description="Id of the event.")
# "No token, or a valid one": the schema says so, as OpenAPI writes optional auth.
_OPTIONAL_AUTH = {"security": [{"StaffToken": []}, {}]}


# Processes ------------------------------------------------------------------------------


@router.get(
    "/processes/",
    response={200: list[ProcessOut], **INVALID},
    url_name="process_list",
    summary="List participation processes",
)
@paginate(Pagination)
def process_list(request):
    """Participation processes, newest first, with their phases."""
    return selectors.process_list()


@router.get(
    "/processes/{slug}/",
    response={200: ProcessOut, **NOT_FOUND, **INVALID},
    url_name="process_detail",
    summary="One participation process",
)
def process_detail(request, slug: Text = PROCESS):
    """One process with its phases; its events are ``GET /events/?process={slug}``."""
    process = selectors.process_get(slug)
    if process is None:
        raise Http404("No such process.")
    return process


# Events: reading ---------------------------------------------------------------------------


@router.get(
    "/events/",
    response={200: list[EventOut], 401: ErrorOut, **INVALID},
    auth=optional_staff_token,
    openapi_extra=_OPTIONAL_AUTH,
    url_name="event_list",
    summary="List events",
)
@paginate(Pagination)
def event_list(request, filters: Query[EventFilters]):
    """Events in time order; filter by ``process`` (slug), ``phase`` (position), ``kind``,
    and ``upcoming`` (true: not yet over; false: over).

    Without a token: public events. With a staff token: also the invitation-only
    events of the processes the user is staff of.
    """
    return selectors.event_list(
        user=request.auth,
        process=filters.process,
        phase=filters.phase,
        kind=filters.kind,
        upcoming=filters.upcoming,
    )


@router.get(
    "/events/{id}/",
    response={200: EventOut, 401: ErrorOut, **NOT_FOUND, **INVALID},
    auth=optional_staff_token,
    openapi_extra=_OPTIONAL_AUTH,
    url_name="event_detail",
    summary="One event",
)
def event_detail(request, id: int = EVENT_ID):
    """One event, with its free seats; invitation-only events need a staff token."""
    event = selectors.event_queryset(request.auth).filter(pk=id).first()
    if event is None:
        raise Http404("No such event.")
    return event


# Events: staff writes -----------------------------------------------------------------------


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


@router.post(
    "/events/",
    response={201: EventOut, **_WRITE_ERRORS},
    auth=staff_token,
    url_name="event_create",
    summary="Create an event (staff)",
)
def event_create_view(request, payload: EventIn):
    """Staff of the process create an event; answers with the event as ``GET`` shows it."""
    if staff_write_limited(request):
        raise HttpError(429, "Too many changes with this token; please try later.")
    data = payload.model_dump()
    process = (
        Process.objects.filter(slug=data.pop("process")).select_related("draft_edition").first()
    )
    if process is None:
        raise DjangoValidationError({"process": ["No process with this slug."]})
    _require_editor(request, process)
    values = _event_values(data, process)
    event = event_create(process=process, **values)
    return Status(201, selectors.event_queryset(request.auth).get(pk=event.pk))


@router.patch(
    "/events/{id}/",
    response={200: EventOut, **_WRITE_ERRORS, **NOT_FOUND},
    auth=staff_token,
    url_name="event_update",
    summary="Change an event (staff)",
)
def event_update_view(request, payload: EventPatchIn, id: int = EVENT_ID):
    """Changes only the attributes sent. A larger ``capacity`` moves people up from the
    waiting list (they are told by e-mail)."""
    if staff_write_limited(request):
        raise HttpError(429, "Too many changes with this token; please try later.")
    event = Event.objects.select_related("process").filter(pk=id).first()
    if event is None:
        raise Http404("No such event.")
    _require_editor(request, event.process)
    values = _event_values(payload.model_dump(exclude_unset=True), event.process)
    fields = values.pop("fields", None)
    event = event_update(event=event, fields=fields, **values)
    return selectors.event_queryset(request.auth).get(pk=event.pk)


# Registration ---------------------------------------------------------------------------------

_REGISTRATION_RESPONSES = {
    201: RegistrationOut,
    400: ErrorOut,
    **NOT_FOUND,
    409: FieldErrorsOut,
    **INVALID,
    429: ErrorOut,
}


@router.post(
    "/events/{id}/registrations/",
    response=_REGISTRATION_RESPONSES,
    url_name="event_register_slash",
    include_in_schema=False,  # the same, for clients that add the slash the other paths have
)
@router.post(
    "/events/{id}/registrations",
    response=_REGISTRATION_RESPONSES,
    url_name="event_register",
    summary="Register for an event",
)
def event_register(request, payload: RegistrationIn, id: int = EVENT_ID):
    """Anyone registers for a public event whose registration is open: a seat if one is
    free, else a place on the waiting list. A confirmation with the cancel link goes
    to the e-mail address. No login, no token, no CSRF token. Limited per client
    address (``RATE_LIMITS["api-registration"]``, 30 an hour): 429 beyond."""
    if rate_limited(request, "api-registration"):
        raise HttpError(429, "Too many registrations from this address; please try later.")
    event = Event.objects.public().select_related("process__base_edition").filter(pk=id).first()
    if event is None:
        raise Http404("No such event.")
    city_id = event.process.base_edition.city_id
    errors = {}
    organisation = district = None
    if payload.organisation:
        organisation = selectors.organisation_in_city(city_id=city_id, slug=payload.organisation)
        if organisation is None:
            errors["organisation"] = ["No organisation with this slug in the city."]
    if payload.district:
        district = selectors.district_in_city(city_id=city_id, name=payload.district)
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
        waiting_position = selectors.waiting_position(registration)
    return Status(
        201,
        {
            "status": registration.status,
            "waiting_position": waiting_position,
            "event": event.pk,
            "cancel_url": request.build_absolute_uri(registration.get_cancel_url()),
        },
    )
