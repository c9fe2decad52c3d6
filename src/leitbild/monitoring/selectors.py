"""Reads of the monitoring app."""

from collections import Counter, defaultdict

from django.db.models import Count, Max
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from leitbild.concept.models import City, District

from .derivation.status import Progress, progress
from .models import Indicator, Observation

# Status shown with text and an icon, never by colour alone.
STATUS_DISPLAY = {
    "achieved": ("✔", gettext_lazy("Target achieved")),
    "on_track": ("↗", gettext_lazy("On track")),
    "at_risk": ("⚠", gettext_lazy("At risk")),
    "off_track": ("✖", gettext_lazy("Off track")),
    "no_data": ("–", gettext_lazy("No data or no target")),
}


def indicator_progress(indicator: Indicator, series: list[tuple[int, float]]) -> Progress:
    result = progress(
        series,
        direction=indicator.direction,
        target=indicator.target_value,
        deadline=indicator.target_year,
    )
    result.icon, result.label = STATUS_DISPLAY[result.status]
    return result


def city_series(indicators) -> dict[int, list[tuple[int, float]]]:
    """City-wide totals per indicator, in one query: ``{indicator id: [(year, value)]}``."""
    series = defaultdict(list)
    rows = (
        Observation.objects.filter(
            indicator__in=indicators,
            area__level=District.Level.CITY,
            disaggregation_key="",
            value__isnull=False,
        )
        .order_by("period")
        .values_list("indicator_id", "period", "value")
    )
    for indicator_id, period, value in rows:
        series[indicator_id].append((period, value))
    return series


def city_resolve(name: str = "") -> City:
    """The city called ``name``, or the only one; ``ValueError`` naming the known ones."""
    cities = list(City.objects.filter(name=name)[:2] if name else City.objects.all()[:2])
    if len(cities) != 1:
        known = ", ".join(City.objects.values_list("name", flat=True)) or "none"
        raise ValueError(f"Name the city (known: {known}).")
    return cities[0]


def indicator_get(code: str) -> Indicator:
    indicator = Indicator.objects.select_related("city").filter(code=code).first()
    if indicator is None:
        raise Http404(_("No such indicator."))
    return indicator


def indicator_overview() -> list[Indicator]:
    """Every indicator with its number of values, latest year and progress status."""
    indicators = list(
        Indicator.objects.annotate(
            observation_count=Count("observations"), latest_period=Max("observations__period")
        ).order_by("position", "code")
    )
    series = city_series(indicators)
    for indicator in indicators:
        indicator.progress = indicator_progress(indicator, series.get(indicator.pk, []))
    return indicators


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
    series = [
        (o.period, o.value)
        for o in observations
        if o.area.level == District.Level.CITY and o.value is not None
    ]
    return {"periods": periods, "rows": rows, "progress": indicator_progress(indicator, series)}


def indicator_chart_points(indicator: Indicator, dimension: str = "") -> list[dict]:
    """City-wide values by year: the total, or one series per value of ``dimension``."""
    observations = indicator.observations.filter(area__level=District.Level.CITY).order_by("period")
    points = []
    for o in observations.values("period", "value", "disaggregation", "disaggregation_key"):
        if dimension:
            if set(o["disaggregation"]) != {dimension}:
                continue
            series = o["disaggregation"][dimension]
        elif o["disaggregation_key"]:
            continue
        else:
            series = indicator.city.name
        points.append({"year": o["period"], "value": o["value"], "series": series})
    return points


def indicator_map_areas(indicator: Indicator, period: int | None = None) -> dict:
    """One year's totals by area for the map: the latest year with area values, at the
    level (borough or district) with the most of them. One query."""
    observations = list(
        indicator.observations.filter(disaggregation_key="")
        .exclude(area__level=District.Level.CITY)
        .select_related("area")
        .order_by("-period")
    )
    if period is None and observations:
        period = observations[0].period
    in_year = [o for o in observations if o.period == period]
    levels = Counter(o.area.level for o in in_year)
    level = levels.most_common(1)[0][0] if levels else None
    areas = [
        {
            "name": o.area.name,
            "short": o.area.name[:9],
            "value": o.value,
            "geometry": o.area.geometry,
            "row": o.area.tile_row,
            "col": o.area.tile_col,
        }
        for o in in_year
        if o.area.level == level
    ]
    return {"period": period, "level": level, "areas": areas}
