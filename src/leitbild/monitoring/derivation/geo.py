"""District boundaries from GeoJSON (plain Python): read, check, and slim them down."""

from __future__ import annotations

import json
from dataclasses import dataclass

from .rows import InputError, Problem

GEOMETRY_TYPES = {"Polygon", "MultiPolygon"}
CODE_KEYS = ("Nr", "nr", "code", "Code", "id", "ID")
NAME_KEYS = ("Name", "name", "NAME")


@dataclass
class Boundary:
    index: int  # 1-based feature number in the file
    code: str
    name: str
    geometry: dict


def _round(coordinates, digits: int):
    if isinstance(coordinates, (int, float)):
        return round(coordinates, digits)
    return [_round(c, digits) for c in coordinates]


def read_boundaries(data: bytes, *, digits: int = 5) -> list[Boundary]:
    """Every feature's code (``Nr``/``code``), name and polygon geometry.

    Coordinates are rounded to ``digits`` decimals (5 ≈ 1 m), which keeps maps small.
    All problems are collected and raised together as :class:`InputError`.
    """
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InputError.single(f"The file is not GeoJSON: {error}.") from error
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
        raise InputError.single("The file must be a GeoJSON FeatureCollection.")
    boundaries, problems = [], []
    for index, feature in enumerate(document.get("features") or [], start=1):
        properties = feature.get("properties") or {}
        code = next((str(properties[k]) for k in CODE_KEYS if properties.get(k) is not None), "")
        name = next((str(properties[k]).strip() for k in NAME_KEYS if properties.get(k)), "")
        geometry = feature.get("geometry") or {}
        where = f"feature {index}"
        if not code and not name:
            problems.append(Problem(None, None, f"{where} has neither a code (Nr) nor a name."))
            continue
        if geometry.get("type") not in GEOMETRY_TYPES:
            problems.append(
                Problem(
                    None,
                    None,
                    f"{where} ({name or code}) is a {geometry.get('type')!r}, "
                    "not a Polygon or MultiPolygon.",
                )
            )
            continue
        boundaries.append(
            Boundary(
                index=index,
                code=code,
                name=name,
                geometry={
                    "type": geometry["type"],
                    "coordinates": _round(geometry["coordinates"], digits),
                },
            )
        )
    if not boundaries and not problems:
        problems.append(Problem(None, None, "The file holds no features."))
    if problems:
        raise InputError(problems)
    return boundaries
