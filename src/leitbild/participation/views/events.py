"""Events: calendar, iCalendar feeds, registration, and the staff's registration list."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from leitbild.audit.models import AuditEvent
from leitbild.audit.services import audit_record
from leitbild.core.exports import table_response
from leitbild.core.ratelimit import form_refuse, form_status, rate_limited, too_many_requests

from .. import permissions, selectors, services
from ..forms import (
    ATTENDANCE_CHOICES,
    RegistrationForm,
    attendance_raw,
    attendance_value,
)
from ..ical import calendar_bytes
from ..models import Event, Registration
from .common import add_service_errors, deny


def _event(request, process, event_id) -> Event:
    events = Event.objects.filter(process=process)
    if not permissions.is_process_staff(request.user, process):
        events = events.public()
    event = selectors.events_for_listing(events).filter(pk=event_id).first()
    if event is None:
        raise Http404(_("No such event."))
    return event


def _base_url(request) -> str:
    return request.build_absolute_uri("/").rstrip("/")


def _ical_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}.ics"'
    return response


def _sent_message(email: str) -> str:
    return _("Thank you. We have sent the details of your registration to %(email)s.") % {
        "email": email
    }


def calendar(request, process):
    process = selectors.process_get(process)
    staff = permissions.is_process_staff(request.user, process)
    return render(
        request,
        "participation/calendar.html",
        {
            "process": process,
            "months": selectors.process_calendar(process, include_invitation=staff),
            "now": timezone.now(),
        },
    )


def process_ical(request, process):
    """The public feed: every public event of the process."""
    process = selectors.process_get(process)
    events = Event.objects.public().filter(process=process).select_related("process")
    return _ical_response(
        calendar_bytes(process=process, events=events, base_url=_base_url(request)),
        process.slug,
    )


def event_ical(request, process, event):
    process = selectors.process_get(process)
    event = _event(request, process, event)
    return _ical_response(
        calendar_bytes(
            process=process, events=[event], base_url=_base_url(request), name=event.title
        ),
        f"{process.slug}-{event.pk}",
    )


@require_http_methods(["GET", "POST"])
def event_detail(request, process, event):
    process = selectors.process_get(process)
    event = _event(request, process, event)
    city = process.base_edition.city
    form = RegistrationForm(request.POST or None, city=city)
    if request.method == "POST":
        if rate_limited(request, "registration"):
            form_refuse(form, _("Too many registrations from your connection; try later."))
        elif form.is_valid():
            data = form.cleaned_data
            try:
                registration = services.registration_create(
                    event=event,
                    name=data["name"],
                    email=data["email"],
                    consent=data["consent"],
                    organisation_name=data["organisation_name"],
                    needs_interpreting=data["needs_interpreting"],
                    needs_childcare=data["needs_childcare"],
                    needs_accessibility=data["needs_accessibility"],
                    **form.person_data(),
                )
            except services.AlreadyRegistered as error:
                # Answer as for a new registration and mail the person their
                # registration again: the page must not reveal who is registered.
                registration = error.registration
                services.registration_remind(registration=registration)
            except ValidationError as error:
                add_service_errors(form, error)
                registration = None
            if registration is not None:
                if registration.status == Registration.Status.CONFIRMED:
                    messages.success(request, _sent_message(registration.email))
                else:
                    messages.info(
                        request,
                        _(
                            "The event is full: you are on the waiting list. We tell you by "
                            "e-mail (%(email)s) as soon as a seat is free."
                        )
                        % {"email": registration.email},
                    )
                return redirect(event.get_absolute_url())
    return render(
        request,
        "participation/event_detail.html",
        {
            "process": process,
            "event": event,
            "form": form,
            "seats_left": selectors.event_seats_left(event),
            "registration_open": event.registration_open(),
            "is_staff": permissions.is_process_staff(request.user, process),
            "contributions": selectors.contributions_for_display(event.contributions.visible())[
                :50
            ],
        },
        status=form_status(form),
    )


@require_http_methods(["GET", "POST"])
def registration_cancel(request, token):
    """The link in the confirmation e-mail: a page to confirm, then cancel on POST."""
    if request.method == "POST" and rate_limited(request, "email-link"):
        return too_many_requests(request, _("Too many cancellations from your connection."))
    registration = get_object_or_404(
        Registration.objects.select_related("event__process"), token=token
    )
    if request.method == "POST":
        services.registration_cancel(registration=registration)
        messages.success(request, _("Your registration is cancelled. Thank you for telling us."))
        return redirect(registration.event.get_absolute_url())
    return render(
        request,
        "participation/registration_cancel.html",
        {"registration": registration, "event": registration.event},
    )


@require_http_methods(["GET", "POST"])
def registration_list(request, process, event):
    """Staff of the process: who registered, their needs, and attendance."""
    process = selectors.process_get(process)
    if not permissions.can_view_registrations(request.user, process):
        return deny(request)
    event = _event(request, process, event)
    registrations = list(
        event.registrations.select_related("organisation", "district").order_by(
            "status", "created_at", "pk"
        )
    )
    if request.method == "POST":
        attended = {}
        for registration in registrations:
            key = f"attended-{registration.pk}"
            if key in request.POST:
                attended[registration.pk] = attendance_value(request.POST[key])
        changed = services.registration_set_attendance(event=event, attended=attended)
        messages.success(request, _("Attendance saved (%(n)d changed).") % {"n": changed})
        return redirect("participation:registrations", process=process.slug, event=event.pk)
    audit_record(
        request=request,
        action=AuditEvent.Action.VIEW,
        subject=f"registrations of event {event.pk} ({event.title})",
        people=len(registrations),
    )
    waiting_position = 0
    for registration in registrations:
        registration.attendance = attendance_raw(registration)
        if registration.status == Registration.Status.WAITING:
            waiting_position += 1
            registration.waiting_position = waiting_position
    return render(
        request,
        "participation/registration_list.html",
        {
            "process": process,
            "event": event,
            "registrations": registrations,
            "attendance_choices": ATTENDANCE_CHOICES,
            "counts": {
                "confirmed": sum(r.status == "confirmed" for r in registrations),
                "waiting": sum(r.status == "waiting" for r in registrations),
                "cancelled": sum(r.status == "cancelled" for r in registrations),
            },
        },
    )


REGISTRATION_HEADERS = (
    "Name",
    "E-mail",
    "Status",
    "Registered at",
    "Organisation",
    "Taking part as",
    "District",
    "Interpreting",
    "Childcare",
    "Accessibility",
    "Attended",
)


def registration_export(request, process, event, fmt):
    process = selectors.process_get(process)
    if not permissions.can_view_registrations(request.user, process):
        return deny(request)
    event = _event(request, process, event)
    if fmt not in ("csv", "xlsx"):
        raise Http404
    rows = [
        [
            r.name,
            r.email,
            r.get_status_display(),
            timezone.localtime(r.created_at).strftime("%Y-%m-%d %H:%M"),
            r.organisation.name if r.organisation_id else r.organisation_name,
            r.get_stakeholder_group_display(),
            r.district.name if r.district_id else "",
            r.needs_interpreting,
            _("yes") if r.needs_childcare else "",
            r.needs_accessibility,
            {True: _("yes"), False: _("no")}.get(r.attended, ""),
        ]
        for r in event.registrations.select_related("organisation", "district").order_by(
            "status", "created_at", "pk"
        )
    ]
    audit_record(
        request=request,
        action=AuditEvent.Action.EXPORT,
        subject=f"registrations of event {event.pk} ({event.title}) as {fmt}",
        people=len(rows),
    )
    return table_response(
        filename=f"anmeldungen-{event.starts_at:%Y-%m-%d}-{event.pk}",
        fmt=fmt,
        headers=[_(h) for h in REGISTRATION_HEADERS],
        rows=rows,
        title=_("Registrations"),
    )
