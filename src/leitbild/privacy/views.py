"""The privacy notice, and a person's access to and erasure of their data."""

import json

from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from leitbild.audit.models import AuditEvent
from leitbild.audit.services import audit_record
from leitbild.core.ratelimit import form_refuse, form_status, rate_limited, too_many_requests

from . import selectors, services
from .forms import EraseForm, PrivacyRequestForm


def notice(request):
    context = {
        "privacy": {
            "controller": settings.PRIVACY_CONTROLLER or _("The operator of this site"),
            "contact": settings.PRIVACY_CONTACT,
            "officer": settings.PRIVACY_OFFICER,
            "retention_days": settings.REGISTRATION_RETENTION_DAYS,
        }
    }
    return render(request, "privacy/notice.html", context)


@require_http_methods(["GET", "POST"])
def request_form(request):
    form = PrivacyRequestForm(request.POST or None)
    sent = False
    if request.method == "POST":
        if rate_limited(request, "privacy-request"):
            form_refuse(form, _("Too many requests from your connection. Try again later."))
        elif form.is_valid():
            services.privacy_request_create(email=form.cleaned_data["email"])
            sent = True
    return render(
        request, "privacy/request.html", {"form": form, "sent": sent}, status=form_status(form)
    )


def _request(token):
    found = services.privacy_request_get(token=token)
    if found is None:
        raise Http404(_("This link has expired or was already used."))
    return found


@require_http_methods(["GET", "POST"])
def request_detail(request, token):
    # Counted before the token is looked up, so that wrong tokens count as well.
    if request.method == "POST" and rate_limited(request, "email-link"):
        return too_many_requests(request, _("Too many requests from your connection."))
    privacy_request = _request(token)
    form = EraseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        counts = services.personal_data_erase(request=privacy_request)
        return render(request, "privacy/erased.html", {"counts": counts})
    data = selectors.personal_data(email=privacy_request.email)
    context = {
        "privacy_request": privacy_request,
        "data": data,
        "counts": selectors.personal_data_counts(data),
        "form": form,
    }
    return render(request, "privacy/request_detail.html", context)


def request_download(request, token):
    privacy_request = _request(token)
    data = selectors.personal_data(email=privacy_request.email)
    audit_record(
        action=AuditEvent.Action.DISCLOSE,
        subject="personal data disclosed to the person (privacy request)",
        people=1,
    )
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json"
    )
    response["Content-Disposition"] = 'attachment; filename="meine-daten.json"'
    response["Cache-Control"] = "no-store"
    return response
