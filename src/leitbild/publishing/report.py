"""What the monitoring report shows (reads only).

Per field of action of an edition: its goals, the action goals with their progress
status and SMART check, the measures with their latest progress report, and every
indicator that measures one of its goals with its city-wide series, its target and its
table by district. Everything is read in a constant number of queries, however many
fields, goals, measures or indicators there are; charts are drawn from the result by
:mod:`.reports_services`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Prefetch, Q

from leitbild.concept.models import District, Edition, FieldOfAction, Goal
from leitbild.concept.selectors import edition_fields_with_goals
from leitbild.implementation.models import ActionGoal, Measure, ProgressReport
from leitbild.implementation.selectors import action_goal_progress
from leitbild.implementation.views import SMART_MESSAGES
from leitbild.monitoring.derivation import charts
from leitbild.monitoring.derivation.status import Progress
from leitbild.monitoring.models import Indicator, Observation
from leitbild.monitoring.selectors import STATUS_DISPLAY, indicator_progress

from .models import MonitoringReport

# Year columns of a district table: as many recent years as fit across an A4 page
# beside the area names at 8 pt.
DISTRICT_YEARS = 8
# A breakdown is drawn beside the total only while the lines stay tellable apart.
MAX_BREAKDOWN_SERIES = 4
STATUS_ORDER = ("achieved", "on_track", "at_risk", "off_track", "no_data")


@dataclass
class Cell:
    """One value of a table: shown, hidden to protect privacy, or missing."""

    value: float | None
    status: str = Observation.Status.NORMAL

    @property
    def suppressed(self) -> bool:
        return self.status == Observation.Status.SUPPRESSED

    @property
    def flagged(self) -> bool:
        """Estimated or provisional: shown with a mark."""
        return self.value is not None and self.status not in (
            Observation.Status.NORMAL,
            Observation.Status.SUPPRESSED,
        )


@dataclass
class DistrictRow:
    area: District
    cells: list[Cell | None]
    level: str  # "city" | "borough" | "district"

    @property
    def has_values(self) -> bool:
        return any(c is not None for c in self.cells)


@dataclass
class DistrictTable:
    periods: list[int]
    rows: list[DistrictRow]

    @property
    def suppressed(self) -> int:
        return sum(1 for r in self.rows for c in r.cells if c is not None and c.suppressed)


@dataclass
class IndicatorBlock:
    """One indicator as a field of action shows it: series, target, status, districts."""

    indicator: Indicator
    anchor: str
    progress: Progress
    target: float | None
    target_year: int | None
    target_from_action_goal: bool
    series: list[str]  # the chart's lines: the city's total first, then a breakdown
    years: list[dict]  # [{"year": 2019, "cells": [Cell | None per series]}]
    districts: DistrictTable | None
    dimension: str = ""
    number_format: str = "1g"  # the floatformat argument for its values
    chart_svg: str = ""  # drawn by the service; empty when there is nothing to draw

    def points(self) -> list[dict]:
        """The chart's data: one point per year and series with a value."""
        return [
            {"year": row["year"], "value": cell.value, "series": name}
            for row in self.years
            for name, cell in zip(self.series, row["cells"], strict=True)
            if cell is not None and cell.value is not None
        ]


@dataclass
class FieldBlock:
    field: FieldOfAction
    action_goals: list[ActionGoal] = dataclasses.field(default_factory=list)
    measures: list[Measure] = dataclasses.field(default_factory=list)
    indicators: list[IndicatorBlock] = dataclasses.field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.action_goals or self.measures or self.indicators)


@dataclass
class ReportContent:
    edition: Edition
    content_language: str
    fields: list[FieldBlock]
    indicators: list[Indicator]  # every indicator shown, once, for methods and sources
    action_goals: list[ActionGoal]  # in the order of the fields, for the overview
    status_counts: list[dict]  # [{"status", "icon", "label", "count"}]


def monitoring_report_default_edition() -> Edition | None:
    """The edition a report covers unless told otherwise: the newest adopted one."""
    return Edition.objects.adopted().select_related("city").order_by("-year").first()


def monitoring_report_list(*, can_manage: bool) -> list[MonitoringReport]:
    """The reports a visitor may see: finished ones for everyone, all for staff."""
    reports = MonitoringReport.objects.select_related("edition", "requested_by")
    if not can_manage:
        reports = reports.done()
    return list(reports[:50])


def monitoring_report_content(
    *, edition: Edition, content_language: str = "de", today: dt.date | None = None
) -> ReportContent:
    """Everything the report prints for ``edition``, in a constant number of queries."""
    today = today or dt.date.today()
    if content_language not in settings.CONTENT_LANGUAGES:
        content_language = settings.CONTENT_SOURCE_LANGUAGE
    fields = edition_fields_with_goals(edition)
    for one in fields:
        for goal in (g for s in one.sections for top in s["goals"] for g in (top, *top.nested)):
            # The brochure's goal partial reads segments; the report prints no footnotes.
            goal.print_segments = [(goal.translated("text", content_language)[0], None)]
    blocks = {f.pk: FieldBlock(field=f) for f in fields}

    action_goals = list(
        ActionGoal.objects.filter(goal__edition=edition)
        .select_related("goal__field")
        .prefetch_related("responsible", "indicators")
        .order_by("goal__field__position", "goal__position", "pk")
    )
    indicators = list(
        Indicator.objects.filter(Q(goals__edition=edition) | Q(action_goals__goal__edition=edition))
        .distinct()
        .select_related("city")
        .prefetch_related(
            Prefetch("goals", queryset=Goal.objects.filter(edition=edition).only("pk", "field"))
        )
        .order_by("position", "code")
    )
    series = _city_observations(indicators)
    totals = {
        i.pk: [
            (year, cell.value)
            for year, cell in sorted(series.get(i.pk, {}).get("", {}).items())
            if cell.value is not None
        ]
        for i in indicators
    }

    for item in action_goals:
        item.progress = action_goal_progress(item, totals)
        item.problems = [
            {"code": p.code, "message": SMART_MESSAGES[p.code]} for p in item.smart_problems(today)
        ]
        item.goal_label = goal_label(item.goal)
        blocks[item.goal.field_id].action_goals.append(item)

    for measure in _measures(edition):
        measure.latest_report = next(iter(measure.reports.all()), None)
        served = {g.field_id for g in measure.goals.all()}
        served |= {a.goal.field_id for a in measure.action_goals.all()}
        for field_id in sorted(served, key=lambda pk: blocks[pk].field.position):
            blocks[field_id].measures.append(measure)

    districts = _district_tables(indicators, edition)
    for block in blocks.values():
        # An indicator belongs to a field when it measures one of the field's goals or
        # one of its action goals does.
        measured = {i.pk for item in block.action_goals for i in item.indicators.all()}
        block.indicators = [
            _indicator_block(
                indicator,
                field=block.field,
                action_goal=_target_action_goal(indicator, block.action_goals),
                observations=series.get(indicator.pk, {}),
                total=totals[indicator.pk],
                districts=districts.get(indicator.pk),
            )
            for indicator in indicators
            if indicator.pk in measured
            or any(g.field_id == block.field.pk for g in indicator.goals.all())
        ]

    counts = defaultdict(int)
    for item in action_goals:
        counts[item.progress.status] += 1
    return ReportContent(
        edition=edition,
        content_language=content_language,
        fields=[blocks[f.pk] for f in fields],
        indicators=indicators,
        action_goals=action_goals,
        status_counts=[
            {
                "status": status,
                "icon": STATUS_DISPLAY[status][0],
                "label": STATUS_DISPLAY[status][1],
                "count": counts[status],
            }
            for status in STATUS_ORDER
        ],
    )


GOAL_SLUG = re.compile(r"^[a-z]+-(\d+(?:-\d+)*)$")


def goal_label(goal: Goal) -> str:
    """The goal's kind and number as the printed lists show it: "Teilziel 4" for
    ``teilziel-4``, "Teilziel 2a" for the nested ``teilziel-2-1`` (nested goals are
    lettered)."""
    match = GOAL_SLUG.match(goal.slug)
    if not match:
        return f"{goal.get_kind_display()} {goal.slug}"
    parts = [int(n) for n in match.group(1).split("-")]
    number = str(parts[0])
    if len(parts) == 2 and 1 <= parts[1] <= 26:
        number += chr(ord("a") + parts[1] - 1)
    elif len(parts) > 1:
        number = ".".join(map(str, parts))
    return f"{goal.get_kind_display()} {number}"


def _measures(edition: Edition) -> list[Measure]:
    """Measures serving a goal of the edition or one of its action goals, each with its
    progress reports newest first (the first is the latest)."""
    return list(
        Measure.objects.filter(Q(goals__edition=edition) | Q(action_goals__goal__edition=edition))
        .distinct()
        .prefetch_related(
            "lead",
            "partners",
            Prefetch("goals", queryset=Goal.objects.filter(edition=edition).only("pk", "field")),
            Prefetch(
                "action_goals",
                queryset=ActionGoal.objects.filter(goal__edition=edition).select_related("goal"),
            ),
            Prefetch("reports", queryset=ProgressReport.objects.order_by("-reported_on", "-pk")),
        )
        .order_by("title")
    )


def _target_action_goal(indicator: Indicator, action_goals: list[ActionGoal]):
    """The field's first action goal that measures itself by ``indicator`` with a target."""
    for item in action_goals:
        if item.target_value is not None and any(
            i.pk == indicator.pk for i in item.indicators.all()
        ):
            return item
    return None


def _city_observations(indicators) -> dict[int, dict[str, dict[int, Cell]]]:
    """City-wide values of every indicator, in one query:
    ``{indicator id: {breakdown key ("" = total): {year: Cell}}}``."""
    result: dict[int, dict[str, dict[int, Cell]]] = defaultdict(lambda: defaultdict(dict))
    rows = Observation.objects.filter(
        indicator__in=indicators, area__level=District.Level.CITY
    ).values_list("indicator_id", "disaggregation_key", "period", "value", "status")
    for indicator_id, key, period, value, status in rows:
        result[indicator_id][key][period] = Cell(value, status)
    return result


def _breakdown(indicator: Indicator, observations: dict[str, dict]) -> tuple[str, list[str]]:
    """The breakdown drawn beside the total: the first declared dimension with
    city-wide values alone (not crossed with another), if it has few enough values."""
    for dimension in indicator.disaggregations or []:
        keys = sorted(
            k for k in observations if k and ";" not in k and k.split("=", 1)[0] == dimension
        )
        if keys and len(keys) <= MAX_BREAKDOWN_SERIES:
            return dimension, keys
    return "", []


def _indicator_block(
    indicator: Indicator,
    *,
    field: FieldOfAction,
    action_goal: ActionGoal | None,
    observations: dict[str, dict[int, Cell]],
    total: list[tuple[int, float]],
    districts: DistrictTable | None,
) -> IndicatorBlock:
    dimension, keys = _breakdown(indicator, observations)
    labels = {"": indicator.city.name} | {k: f"{dimension}: {k.split('=', 1)[1]}" for k in keys}
    # A series without a single value (a total that is only published by breakdown,
    # say) would be an empty column and a legend entry without a line.
    keys = [k for k in ["", *keys] if observations.get(k)]
    years = sorted({year for key in keys for year in observations[key]})
    values = [c.value for k in keys for c in observations[k].values() if c.value is not None]
    if districts:
        values += [c.value for r in districts.rows for c in r.cells if c and c.value is not None]
    if action_goal is not None:
        target = action_goal.target_value
        target_year = action_goal.deadline.year if action_goal.deadline else None
        status = action_goal.progress
    else:
        target, target_year = indicator.target_value, indicator.target_year
        status = indicator_progress(indicator, total)
    return IndicatorBlock(
        indicator=indicator,
        anchor=f"indikator-{field.slug}-{indicator.code}",
        progress=status,
        target=target,
        target_year=target_year,
        target_from_action_goal=action_goal is not None,
        dimension=dimension if any(keys) else "",
        series=[labels[k] for k in keys],
        years=[
            {"year": year, "cells": [observations[k].get(year) for k in keys]} for year in years
        ],
        districts=districts,
        # Counts print as whole numbers, anything else with one decimal throughout.
        number_format="0g" if all(float(v).is_integer() for v in values) else "1g",
    )


def _district_tables(indicators, edition: Edition) -> dict[int, DistrictTable]:
    """Totals of the recent years by area, per indicator that has values below the city,
    in two queries: the city first, then each borough heading its districts. Hidden
    values stay in, as suppressed cells."""
    observations = list(
        Observation.objects.filter(indicator__in=indicators, disaggregation_key="")
        .select_related("area")
        .defer("area__geometry", "comment", "disaggregation")
    )
    local = {o.indicator_id for o in observations if o.area.level != District.Level.CITY}
    if not local:
        return {}
    boroughs = {
        b.pk: b for b in District.objects.filter(city=edition.city, level=District.Level.BOROUGH)
    }
    by_indicator: dict[int, dict[int, dict[int, Cell]]] = defaultdict(lambda: defaultdict(dict))
    areas: dict[int, District] = {}
    for o in observations:
        if o.indicator_id in local:
            by_indicator[o.indicator_id][o.area_id][o.period] = Cell(o.value, o.status)
            areas[o.area_id] = o.area
    tables = {}
    for indicator_id, by_area in by_indicator.items():
        local_periods = {
            p
            for area_id, cells in by_area.items()
            if areas[area_id].level != District.Level.CITY
            for p in cells
        }
        periods = sorted(local_periods)[-DISTRICT_YEARS:]
        members: dict[int | None, list[District]] = defaultdict(list)
        for area_id in by_area:
            area = areas[area_id]
            if area.level == District.Level.DISTRICT:
                members[area.parent_id if area.parent_id in boroughs else None].append(area)
        heads = sorted(
            {pk for pk in members if pk is not None}
            | {a for a in by_area if areas[a].level == District.Level.BOROUGH},
            key=lambda pk: _area_number(boroughs.get(pk) or areas[pk]),
        )

        rows = [
            DistrictRow(areas[a], [by_area[a].get(p) for p in periods], "city")
            for a in by_area
            if areas[a].level == District.Level.CITY
        ]
        for head in heads:
            borough = boroughs.get(head) or areas[head]
            cells = by_area.get(head, {})
            rows.append(DistrictRow(borough, [cells.get(p) for p in periods], "borough"))
            rows += [
                DistrictRow(area, [by_area[area.pk].get(p) for p in periods], "district")
                for area in sorted(members.get(head, []), key=_area_number)
            ]
        rows += [
            DistrictRow(area, [by_area[area.pk].get(p) for p in periods], "district")
            for area in sorted(members.get(None, []), key=_area_number)
        ]
        tables[indicator_id] = DistrictTable(periods=periods, rows=rows)
    return tables


def _area_number(area: District) -> tuple:
    """Official codes sort as numbers ("9" before "10"), names after."""
    number = area.number or ""
    return (0, int(number), "") if number.isdigit() else (1, 0, number or area.name)


# -- charts ------------------------------------------------------------------------------

SVG_ROOT = re.compile(r"<svg\b[^>]*>", re.S)
XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>\s*", re.S)


def indicator_chart_spec(
    *,
    block: IndicatorBlock,
    target_label: str,
    year_label: str,
    value_label: str,
    series_label: str,
) -> dict | None:
    """The monitoring's line chart (``derivation.charts``) of a block, with its target as
    a dashed horizontal rule; ``None`` when there is no value to draw."""
    points = block.points()
    if not points:
        return None
    spec = charts.line_chart(
        points,
        title="",  # the figure has its own heading in the report
        unit=block.indicator.unit,
        target=block.target,
        target_label=target_label,
        year_label=year_label,
        value_label=value_label,
        series_label=series_label,
        width=520,
        height=210,
    )
    # On paper the legend goes below the chart, where long breakdown names fit whole;
    # a single line needs none (the caption names it).
    spec["config"]["legend"] = {"orient": "bottom", "direction": "horizontal", "labelLimit": 0}
    if len(block.series) == 1:
        spec["layer"][0]["encoding"]["color"]["legend"] = None
    return spec


def chart_svg_inline(*, svg: str) -> str:
    """A Vega SVG document as an element to inline in HTML: no XML declaration, scaled
    to its container by its viewBox, hidden from assistive technology (the table beside
    it has the same numbers)."""
    svg = XML_DECLARATION.sub("", svg)
    root = SVG_ROOT.search(svg)
    if root is None:
        raise ValueError("not an SVG document")
    tag = root.group(0)
    width = re.search(r'\swidth="([\d.]+)"', tag)
    height = re.search(r'\sheight="([\d.]+)"', tag)
    if "viewBox" not in tag and width and height:
        tag = tag[:-1] + f' viewBox="0 0 {width.group(1)} {height.group(1)}">'
    tag = re.sub(r'\s(width|height)="[^"]*"', "", tag)
    tag = tag[:-1] + ' class="chart-svg" aria-hidden="true" focusable="false">'
    return svg[: root.start()] + tag + svg[root.end() :]
