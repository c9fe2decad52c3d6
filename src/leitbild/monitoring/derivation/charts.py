"""Vega-Lite specifications for indicator charts (plain data in, plain dicts out).

One specification serves both the interactive chart on the page (vendored Vega-Embed)
and the static SVG for printed documents (``vl-convert``), so they never disagree.
"""

from __future__ import annotations

SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"  # an identifier; never fetched
VEGALITE_VERSION = "6.4"
PALETTE = ["#0a5c7a", "#a8326e", "#1d6b37", "#7a4c00", "#4a5360", "#063f54"]


def line_chart(
    points: list[dict],
    *,
    title: str,
    unit: str,
    target: float | None = None,
    target_label: str = "",
    year_label: str = "Year",
    value_label: str = "Value",
    series_label: str = "Series",
    width: int = 640,
    height: int = 280,
) -> dict:
    """A line per series over the years, with the target as a dashed rule.

    ``points`` are ``{"year": int, "value": float | None, "series": str}``; missing
    values leave a gap rather than a misleading line.
    """
    values = [p for p in points if p.get("value") is not None]
    y_title = f"{value_label} ({unit})" if unit else value_label
    layers: list[dict] = [
        {
            "mark": {"type": "line", "point": True, "strokeWidth": 2.5},
            "encoding": {
                "x": {
                    "field": "year",
                    "type": "ordinal",
                    "title": year_label,
                    "axis": {"labelAngle": 0},
                },
                "y": {"field": "value", "type": "quantitative", "title": y_title},
                "color": {
                    "field": "series",
                    "type": "nominal",
                    "title": series_label,
                    "scale": {"range": PALETTE},
                },
                "tooltip": [
                    {"field": "series", "title": series_label},
                    {"field": "year", "title": year_label},
                    {"field": "value", "title": y_title, "format": ",.1f"},
                ],
            },
        }
    ]
    if target is not None:
        layers.append(
            {
                "data": {"values": [{"target": target, "label": target_label}]},
                "layer": [
                    {
                        "mark": {"type": "rule", "strokeDash": [6, 4], "color": "#a3251d"},
                        "encoding": {"y": {"field": "target", "type": "quantitative"}},
                    },
                    {
                        "mark": {
                            "type": "text",
                            "align": "left",
                            "dx": 4,
                            "dy": -6,
                            "color": "#a3251d",
                        },
                        "encoding": {
                            "y": {"field": "target", "type": "quantitative"},
                            "x": {"value": 0},
                            "text": {"field": "label"},
                        },
                    },
                ],
            }
        )
    return {
        "$schema": SCHEMA,
        "title": title,
        "width": width,
        "height": height,
        "data": {"values": values},
        "layer": layers,
        "config": {"font": "DejaVu Sans", "view": {"stroke": None}},
    }


def area_map(
    areas: list[dict],
    *,
    title: str,
    unit: str,
    value_label: str = "Value",
    area_label: str = "Area",
    width: int = 520,
    height: int = 420,
) -> dict | None:
    """A choropleth of one year's values by area.

    ``areas`` are ``{"name", "value", "geometry" | None, "row" | None, "col" | None}``.
    With boundaries it draws them; otherwise a schematic tile map (one square per area
    at its row and column, laid out roughly like the city). ``None`` when neither exists.
    """
    legend_title = f"{value_label} ({unit})" if unit else value_label
    color = {
        "field": "value",
        "type": "quantitative",
        "title": legend_title,
        "scale": {"scheme": "blues"},
    }
    tooltip = [
        {"field": "name", "title": area_label},
        {"field": "value", "title": legend_title, "format": ",.1f"},
    ]
    shaped = [a for a in areas if a.get("geometry")]
    if shaped:
        features = [
            {
                "type": "Feature",
                "geometry": a["geometry"],
                "properties": {"name": a["name"], "value": a["value"]},
            }
            for a in shaped
        ]
        return {
            "$schema": SCHEMA,
            "title": title,
            "width": width,
            "height": height,
            "data": {"values": features, "format": {"type": "json"}},
            "projection": {"type": "mercator"},
            "mark": {"type": "geoshape", "stroke": "#ffffff", "strokeWidth": 0.8},
            "encoding": {
                "color": {**color, "field": "properties.value"},
                "tooltip": [
                    {"field": "properties.name", "title": area_label},
                    {"field": "properties.value", "title": legend_title, "format": ",.1f"},
                ],
            },
            "config": {"font": "DejaVu Sans", "view": {"stroke": None}},
        }
    tiles = [a for a in areas if a.get("row") is not None and a.get("col") is not None]
    if not tiles:
        return None
    return {
        "$schema": SCHEMA,
        "title": title,
        "data": {"values": tiles},
        "width": {"step": 56},
        "height": {"step": 56},
        "layer": [
            {
                "mark": {"type": "rect", "stroke": "#ffffff", "strokeWidth": 2},
                "encoding": {
                    "x": {"field": "col", "type": "ordinal", "axis": None},
                    "y": {"field": "row", "type": "ordinal", "axis": None},
                    "color": color,
                    "tooltip": tooltip,
                },
            },
            {
                "mark": {"type": "text", "fontSize": 8, "limit": 52},
                "encoding": {
                    "x": {"field": "col", "type": "ordinal", "axis": None},
                    "y": {"field": "row", "type": "ordinal", "axis": None},
                    "text": {"field": "short"},
                    "color": {"value": "#1b1f24"},
                },
            },
        ],
        "config": {"font": "DejaVu Sans", "view": {"stroke": None}},
    }
