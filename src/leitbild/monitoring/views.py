"""Public indicator pages and downloads."""

import json

from django.contrib.auth.decorators import permission_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from leitbild.core.exports import csv_bytes

from . import selectors
from .derivation.rows import InputError
from .forms import ObservationUploadForm
from .models import Indicator
from .services import indicator_rows, observations_import


def indicator_list(request):
    return render(
        request, "monitoring/indicator_list.html", {"indicators": selectors.indicator_overview()}
    )


def indicator_detail(request, code):
    indicator = selectors.indicator_get(code)
    return render(
        request,
        "monitoring/indicator_detail.html",
        {"indicator": indicator, **selectors.indicator_table(indicator)},
    )


def indicator_download(request, code, fmt):
    """Every observation of an indicator, as CSV (the long layout) or JSON."""
    indicator = selectors.indicator_get(code)
    rows = indicator_rows(indicator)
    dimensions = sorted({k for r in rows for k in r.disaggregation})
    if fmt == "csv":
        headers = ["indicator", "period", "area", *dimensions, "value", "unit", "status", "comment"]
        body = csv_bytes(
            headers,
            (
                [
                    r.indicator,
                    r.period,
                    r.area,
                    *(r.disaggregation.get(d, "") for d in dimensions),
                    "" if r.value is None else r.value,
                    r.unit,
                    r.status,
                    r.comment,
                ]
                for r in rows
            ),
        )
        response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    elif fmt == "json":
        document = {
            "indicator": indicator.as_spec(),
            "observations": [
                {
                    "period": r.period,
                    "area": r.area,
                    "disaggregation": r.disaggregation,
                    "value": r.value,
                    "status": r.status,
                    "comment": r.comment,
                }
                for r in rows
            ],
        }
        response = HttpResponse(
            json.dumps(document, ensure_ascii=False, indent=1),
            content_type="application/json; charset=utf-8",
        )
    else:
        raise Http404
    response["Content-Disposition"] = f'attachment; filename="{indicator.code}.{fmt}"'
    return response


@require_http_methods(["GET", "POST"])
@permission_required("monitoring.add_observation")
def observations_upload(request):
    """Staff upload observations; every problem is listed and nothing written if any."""
    indicators = list(Indicator.objects.select_related("city").order_by("position", "code"))
    form = ObservationUploadForm(request.POST or None, request.FILES or None, indicators=indicators)
    context = {"form": form, "problems": None, "report": None}
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        cities = {i.city for i in indicators}
        if len(cities) != 1:
            form.add_error(None, _("Set up the indicators of exactly one city first."))
        else:
            try:
                context["report"] = observations_import(
                    city=cities.pop(),
                    data=upload.read(),
                    filename=upload.name,
                    fmt=form.cleaned_data["fmt"],
                    indicator=form.cleaned_data["indicator"],
                )
            except InputError as error:
                context["problems"] = error.problems
            context["filename"] = upload.name
    return render(request, "monitoring/upload.html", context)
