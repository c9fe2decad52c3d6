"""Public indicator pages and downloads."""

import json

from django.contrib.auth.decorators import permission_required
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from leitbild.audit.models import AuditEvent
from leitbild.audit.services import audit_record
from leitbild.core.exports import csv_bytes

from . import selectors
from .derivation import charts
from .derivation.rows import InputError
from .forms import ObservationUploadForm, RegisterUploadForm
from .models import Indicator, RegisterRun
from .services import (
    boundaries_import,
    indicator_rows,
    observations_import,
    register_run_create,
)


def indicator_list(request):
    return render(
        request, "monitoring/indicator_list.html", {"indicators": selectors.indicator_overview()}
    )


def indicator_detail(request, code):
    indicator = selectors.indicator_get(code)
    dimension = request.GET.get("aufschluesselung", "")
    if dimension not in (indicator.disaggregations or []):
        dimension = ""
    map_data = selectors.indicator_map_areas(indicator)
    return render(
        request,
        "monitoring/indicator_detail.html",
        {
            "indicator": indicator,
            "dimension": dimension,
            "map_year": map_data["period"],
            "has_map": any(a["geometry"] or a["row"] is not None for a in map_data["areas"]),
            **selectors.indicator_table(indicator),
        },
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


def _chart_spec(request, indicator) -> dict:
    dimension = request.GET.get("aufschluesselung", "")
    if dimension not in (indicator.disaggregations or []):
        dimension = ""
    target_label = _("Target %(value)s %(unit)s") % {
        "value": f"{indicator.target_value:g}" if indicator.target_value is not None else "",
        "unit": indicator.unit,
    }
    if indicator.target_year:
        target_label += f" ({indicator.target_year})"
    return charts.line_chart(
        selectors.indicator_chart_points(indicator, dimension),
        title=indicator.name,
        unit=indicator.unit,
        target=indicator.target_value,
        target_label=target_label,
        year_label=str(_("Year")),
        value_label=str(_("Value")),
        series_label=dimension or str(_("Area")),
    )


def indicator_chart(request, code, fmt):
    """The chart's Vega-Lite specification (JSON), or the same chart as static SVG."""
    indicator = selectors.indicator_get(code)
    return _spec_response(_chart_spec(request, indicator), fmt)


def _spec_response(spec: dict, fmt: str) -> HttpResponse:
    """A Vega-Lite specification as JSON for the page, or rendered to static SVG."""
    if fmt == "json":
        return HttpResponse(json.dumps(spec, ensure_ascii=False), content_type="application/json")
    if fmt == "svg":
        import vl_convert

        svg = vl_convert.vegalite_to_svg(spec, vl_version=charts.VEGALITE_VERSION)
        return HttpResponse(svg, content_type="image/svg+xml")
    raise Http404


def _map_spec(indicator):
    data = selectors.indicator_map_areas(indicator)
    if not data["areas"]:
        return None
    return charts.area_map(
        data["areas"],
        title=f"{indicator.name} {data['period']}",
        unit=indicator.unit,
        value_label=str(_("Value")),
        area_label=str(_("Area")),
    )


def indicator_map(request, code, fmt):
    """The district map of the latest year: Vega-Lite specification or static SVG."""
    indicator = selectors.indicator_get(code)
    spec = _map_spec(indicator)
    if spec is None:
        raise Http404(_("No values by area, or no boundaries or tile positions."))
    return _spec_response(spec, fmt)


@require_http_methods(["GET", "POST"])
@permission_required("concept.change_district")
def boundaries_upload(request):
    """Staff upload the city's district boundaries (GeoJSON)."""
    from leitbild.concept.models import District

    from .forms import BoundaryUploadForm

    form = BoundaryUploadForm(request.POST or None, request.FILES or None)
    context = {"form": form, "problems": None, "report": None}
    if request.method == "POST" and form.is_valid():
        try:
            city = selectors.city_resolve()
        except ValueError:
            form.add_error(None, _("Set up exactly one city first."))
        else:
            try:
                context["report"] = boundaries_import(
                    city=city,
                    data=form.cleaned_data["file"].read(),
                    level=form.cleaned_data["level"],
                )
            except InputError as error:
                context["problems"] = error.problems
    context["counts"] = {
        level: District.objects.filter(level=level, geometry__isnull=False).count()
        for level in ("borough", "district")
    }
    return render(request, "monitoring/boundaries_upload.html", context)


@require_http_methods(["GET", "POST"])
@permission_required("monitoring.add_registerrun")
def register_runs(request):
    """Staff upload a register extract; it is derived in the background."""
    form = RegisterUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            city = selectors.city_resolve()
        except ValueError:
            form.add_error(None, _("Set up exactly one city first."))
        else:
            try:
                run = register_run_create(
                    city=city,
                    user=request.user,
                    upload=form.cleaned_data["file"],
                    definition=form.cleaned_data["definition"],
                    year=form.cleaned_data["year"],
                    include_expellees=form.cleaned_data["include_expellees"],
                )
            except InputError as error:
                form.add_error("file", "; ".join(str(p) for p in error.problems))
            else:
                return redirect(run)
    runs = RegisterRun.objects.select_related("created_by")[:20]
    return render(request, "monitoring/register_runs.html", {"form": form, "runs": runs})


@permission_required("monitoring.view_registerrun")
def register_run(request, pk):
    run = get_object_or_404(RegisterRun.objects.select_related("created_by"), pk=pk)
    return render(request, "monitoring/register_run.html", {"run": run})


@permission_required("monitoring.view_registerrun")
def register_run_status(request, pk):
    """The run's state for the page's progress bar (polled while it runs)."""
    run = get_object_or_404(RegisterRun, pk=pk)
    return JsonResponse(
        {
            "status": run.status,
            "progress": run.progress,
            "stage": str(run.get_stage_display()),
            "finished": run.status in (RegisterRun.Status.DONE, RegisterRun.Status.FAILED),
        }
    )


@permission_required("monitoring.view_registerrun")
def register_run_aggregates(request, pk):
    """The run's full aggregate table — unsuppressed, so for staff only."""
    run = get_object_or_404(RegisterRun, pk=pk)
    if not run.aggregates:
        raise Http404
    # Small unsuppressed counts can point to persons: who took them is kept.
    audit_record(
        request=request,
        action=AuditEvent.Action.EXPORT,
        subject=f"unsuppressed register aggregates of run {run.pk} ({run.extract_name}, "
        f"{run.year})",
        people=run.persons or 0,
    )
    response = FileResponse(run.aggregates.open("rb"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="aggregate-{run.year}-{run.pk}.csv"'
    return response
