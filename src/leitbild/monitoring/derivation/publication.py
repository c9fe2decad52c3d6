"""What may be published from register aggregates: the district table, disclosure-checked
(plain Python over the output of :func:`.register.aggregate`, no Django).

Per district the table has the residents, the count of each category and its share of
the residents, and the count and share with migration background. Before anything is
published:

* counts from 1 to ``threshold - 1`` are hidden, and as many more cells as it takes that
  no hidden count can be worked out from the published cells and totals
  (:func:`.disclosure.suppress` on the table with its margins: a district's residents
  and the city's count of a category are hidden too when nothing else protects a cell);
* the count with migration background is published only when it follows from published
  cells — the sum of the background categories, or the residents minus the others — so
  it never tells more than they do;
* every share is hidden whose count is hidden or whose denominator (the district's
  residents) is below ``min_denominator`` — a percentage of a handful of people says
  more about them than the city should;
* a district whose residents are hidden shows no shares at all.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from . import disclosure

THRESHOLD = 3
MIN_DENOMINATOR = 30
CITY = ""  # the area code of the whole city in published rows


@dataclass
class DistrictRow:
    district: str
    residents: int | None
    counts: dict[str, int | None] = field(default_factory=dict)
    shares: dict[str, float | None] = field(default_factory=dict)
    with_background: int | None = None
    share: float | None = None  # with migration background, in percent


def _share(count: int | None, residents: int | None, *, min_denominator: int) -> float | None:
    if count is None or not residents or residents < min_denominator:
        return None
    return round(count / residents * 100, 1)


def district_table(
    aggregates: pl.DataFrame,
    *,
    threshold: int = THRESHOLD,
    min_denominator: int = MIN_DENOMINATOR,
) -> list[DistrictRow]:
    """The disclosure-checked table: one row per district, then the city (``CITY``)."""
    background = {
        category: bool(flag)
        for category, flag in aggregates.group_by("category")
        .agg(pl.col("migration_background").any())
        .iter_rows()
    }
    background.setdefault("none", False)
    categories = [*sorted(c for c in background if c != "none"), "none"]
    counts = aggregates.group_by("district", "category").agg(pl.col("count").sum()).iter_rows()
    table = {(str(district), category): int(n) for district, category, n in counts}
    districts = sorted({d for d, _c in table})
    for district in districts:
        for category in categories:
            table.setdefault((district, category), 0)
    full = disclosure.with_margins(table)
    hidden = disclosure.suppress(full, threshold=threshold)
    shown = disclosure.published(full, hidden)

    def row_of(key: str, name: str) -> DistrictRow:
        residents = shown[(key, disclosure.TOTAL)]
        row = DistrictRow(name, residents)
        for category in categories:
            row.counts[category] = shown[(key, category)]
            row.shares[category] = _share(
                row.counts[category], residents, min_denominator=min_denominator
            )
        inside = [row.counts[c] for c in categories if background[c]]
        outside = [row.counts[c] for c in categories if not background[c]]
        if None not in inside:
            row.with_background = sum(inside)
        elif None not in outside and residents is not None:
            row.with_background = residents - sum(outside)
        row.share = _share(row.with_background, residents, min_denominator=min_denominator)
        return row

    return [
        *(row_of(district, district) for district in districts),
        row_of(disclosure.TOTAL, CITY),
    ]


def published_counts(rows: list[DistrictRow]) -> dict[tuple[str, str], int | None]:
    """The published counts with their margins as cells (see
    :func:`.disclosure.with_margins`), ``None`` where hidden — for the recovery checker."""
    cells = {}
    for row in rows:
        key = disclosure.TOTAL if row.district == CITY else row.district
        cells[(key, disclosure.TOTAL)] = row.residents
        for category, count in row.counts.items():
            cells[(key, category)] = count
    return cells
