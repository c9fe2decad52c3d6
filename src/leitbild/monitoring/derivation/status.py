"""Progress of an indicator's series towards its target (no Django here).

The method is the growth-rate comparison of Eurostat's SDG monitoring, which Statistics
Canada adapted for Open SDG's progress measure and the UN SDG progress chart uses:

* ``baseline`` ``(year₀, y₀)`` is the first observation unless given; ``latest``
  ``(yearₗ, yₗ)`` is the most recent one.
* The observed compound annual growth rate is ``(yₗ / y₀) ** (1 / (yearₗ − year₀)) − 1``;
  the required one is ``(target / y₀) ** (1 / (deadline − year₀)) − 1``. When ``y₀``,
  ``yₗ`` or the target is zero or negative, linear rates are used instead:
  ``(yₗ − y₀) / (yearₗ − year₀)`` and ``(target − y₀) / (deadline − year₀)``.
* ``ratio = observed / required``; it is negative when the series moves the wrong way.

Status, first rule that applies:

=============  ================================================================
``no_data``    no observation, or no target
``achieved``   the latest value meets the target (``>=`` for ``direction=
               "increase"``, ``<=`` for ``"decrease"``) — one observation suffices
``no_data``    fewer than two observations (baseline included), or no deadline
``off_track``  the baseline met the target but the latest value no longer does
``off_track``  the deadline is not after the latest observation's year (passed
               without being achieved) or not after the baseline year
``on_track``   ratio ≥ 0.95
``at_risk``    0.5 ≤ ratio < 0.95
``off_track``  ratio < 0.5, including no movement and the wrong direction
=============  ================================================================

Years are data years: "passed" compares the deadline with the latest observation, not
with today's date. Suppressed (``None``) and non-finite values are ignored.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from .rows import format_number

DIRECTIONS = ("increase", "decrease")
STATUSES = ("achieved", "on_track", "at_risk", "off_track", "no_data")
ON_TRACK = 0.95
AT_RISK = 0.5


@dataclass
class Progress:
    status: str  # "achieved" | "on_track" | "at_risk" | "off_track" | "no_data"
    baseline: tuple[int, float] | None
    latest: tuple[int, float] | None
    target: float | None
    deadline: int | None
    direction: str  # "increase" | "decrease"
    trend: str  # "up" | "down" | "flat" | "" (fewer than two observations)
    ratio: float | None  # observed rate / required rate
    explanation: str  # one or two English sentences
    method: str = ""  # "cagr" | "linear" | "" (no rates computed)
    rate: float | None = None  # observed: fraction a year (cagr) or units a year (linear)
    required_rate: float | None = None  # the rate needed to reach the target by the deadline


def _n(value: float) -> str:
    return format_number(round(value, 6))


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))


def _meets(value: float, target: float, direction: str) -> bool:
    if _close(value, target):
        return True
    return value > target if direction == "increase" else value < target


def _trend(start: float, end: float) -> str:
    if _close(start, end):
        return "flat"
    return "up" if end > start else "down"


def _points(series: Iterable[tuple[int, float | None]]) -> list[tuple[int, float]]:
    by_year: dict[int, float] = {}
    for year, value in series:
        if value is None or not math.isfinite(value):
            continue
        year, value = int(year), float(value)
        if year in by_year and not _close(by_year[year], value):
            raise ValueError(f"two values for {year}: {by_year[year]} and {value}")
        by_year[year] = value
    return sorted(by_year.items())


def _rate(start: float, end: float, years: int, method: str) -> float:
    if method == "cagr":
        return (end / start) ** (1 / years) - 1
    return (end - start) / years


def _rate_text(rate: float, method: str) -> str:
    if method == "cagr":
        return f"{abs(rate) * 100:.1f} % a year"
    return f"{_n(abs(rate))} a year"


def progress(
    series: list[tuple[int, float]],
    *,
    direction: str,
    target: float | None,
    deadline: int | None,
    baseline: tuple[int, float] | None = None,
) -> Progress:
    """Assess ``series`` (``[(year, value)]``) against ``target`` by ``deadline``."""
    if direction not in DIRECTIONS:
        raise ValueError(f"direction must be 'increase' or 'decrease', not {direction!r}")
    points = _points(series)
    base = (int(baseline[0]), float(baseline[1])) if baseline is not None else None
    if base is None and points:
        base = points[0]
    candidates = points + ([base] if base is not None else [])
    latest = max(candidates, key=lambda p: p[0]) if candidates else None
    target = float(target) if target is not None else None

    trend = ""
    if base is not None and latest is not None and latest[0] > base[0]:
        trend = _trend(base[1], latest[1])
    result = Progress("no_data", base, latest, target, deadline, direction, trend, None, "")

    def done(status: str, explanation: str) -> Progress:
        result.status = status
        result.explanation = explanation
        return result

    if latest is None:
        return done("no_data", "There are no observations.")
    if target is None:
        return done("no_data", "No target is set, so progress cannot be assessed.")
    bound = "at least" if direction == "increase" else "at most"
    goal = f"the target of {bound} {_n(target)}"
    if _meets(latest[1], target, direction):
        return done("achieved", f"The latest value, {_n(latest[1])} in {latest[0]}, meets {goal}.")
    assert base is not None
    if latest[0] <= base[0]:
        return done(
            "no_data",
            f"There is only one observation ({latest[0]}); two are needed to measure progress.",
        )
    if deadline is None:
        return done("no_data", f"No deadline is set for {goal}, so no pace can be required.")

    method = "cagr" if min(base[1], latest[1], target) > 0 else "linear"
    result.method = method
    result.rate = _rate(base[1], latest[1], latest[0] - base[0], method)
    moved = {"up": "rose", "down": "fell", "flat": "stayed"}[trend]
    history = f"From {_n(base[1])} in {base[0]} to {_n(latest[1])} in {latest[0]} the value {moved}"
    if trend != "flat":
        history += f" by {_rate_text(result.rate, method)}"

    if _meets(base[1], target, direction):
        return done(
            "off_track",
            f"{history}; it met {goal} in {base[0]} but no longer does.",
        )
    if deadline > base[0]:
        result.required_rate = _rate(base[1], target, deadline - base[0], method)
        result.ratio = result.rate / result.required_rate
    if deadline <= latest[0]:
        return done(
            "off_track",
            f"{history}; the deadline {deadline} has passed without reaching {goal}.",
        )
    if result.ratio is None:
        return done(
            "off_track",
            f"{history}; the deadline {deadline} is not after the baseline year {base[0]}.",
        )
    needs = (
        f"reaching {goal} by {deadline} needs "
        f"{'a rise' if direction == 'increase' else 'a fall'} of "
        f"{_rate_text(result.required_rate or 0.0, method)}"
    )
    ratio = result.ratio
    if ratio >= ON_TRACK:
        verdict = f"At {ratio:.2f} times the required pace it is on track."
        status = "on_track"
    elif ratio >= AT_RISK:
        verdict = f"At {ratio:.2f} times the required pace the target is at risk."
        status = "at_risk"
    elif ratio > 0:
        verdict = f"At {ratio:.2f} times the required pace it is off track."
        status = "off_track"
    elif trend == "flat":
        verdict = "Without movement it is off track."
        status = "off_track"
    else:
        verdict = "It is moving away from the target: off track."
        status = "off_track"
    return done(status, f"{history}; {needs}. {verdict}")
