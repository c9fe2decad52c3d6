"""Reads of the monitoring app."""

from django.db.models import Count, Max
from django.http import Http404
from django.utils.translation import gettext as _

from leitbild.concept.models import District

from .models import Indicator


def indicator_get(code: str) -> Indicator:
    indicator = Indicator.objects.select_related("city").filter(code=code).first()
    if indicator is None:
        raise Http404(_("No such indicator."))
    return indicator


def indicator_overview():
    return Indicator.objects.annotate(
        observation_count=Count("observations"), latest_period=Max("observations__period")
    ).order_by("position", "code")


def indicator_table(indicator: Indicator) -> dict:
    """Totals (no breakdown) by year and area, as rows of a table; constant queries."""
    observations = list(
        indicator.observations.filter(disaggregation_key="")
        .select_related("area")
        .order_by("area__level", "area__number", "period")
    )
    periods = sorted({o.period for o in observations})
    by_area: dict[int, dict] = {}
    for o in observations:
        entry = by_area.setdefault(o.area_id, {"area": o.area, "values": {}})
        entry["values"][o.period] = o
    order = {District.Level.CITY: 0, District.Level.BOROUGH: 1, District.Level.DISTRICT: 2}
    rows = sorted(by_area.values(), key=lambda e: (order[e["area"].level], e["area"].number))
    for row in rows:
        row["cells"] = [row["values"].get(p) for p in periods]
    return {"periods": periods, "rows": rows}
