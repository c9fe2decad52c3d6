"""Observation rows, input problems and the checks every reader shares (no Django here).

An observation is one number of one indicator, keyed by ``(indicator, period, area,
disaggregation)``. The readers (:mod:`.longformat`, :mod:`.opensdg`) turn files into
:class:`ObservationRow` objects and collect every :class:`Problem` before raising
:class:`InputError`; :func:`validate` then checks the rows against the indicators and
areas the project knows, resolving area names to codes.

Messages are English; a problem names the line (header = line 1), the column and the
offending value, e.g. ``row 5, column 'value': 'abc' is not a number``.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .areas import AreaMatcher

STATUSES = ("normal", "estimated", "provisional", "suppressed")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input."""

    row: int | None  # 1-based line number in the file (header = 1); None for the whole file
    column: str | None  # header name as written in the file
    message: str  # English; names the bad value

    def __str__(self) -> str:
        where = []
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column '{self.column}'")
        return f"{', '.join(where)}: {self.message}" if where else self.message


@dataclass
class ObservationRow:
    """One observation as read from a file."""

    row: int  # line in the source file
    indicator: str  # indicator id, e.g. "mig-share"
    period: int  # year
    area: str  # area code or name as given; "" = whole city
    disaggregation: dict[str, str] = field(default_factory=dict)  # {} = total
    value: float | None = None  # None when suppressed or missing
    unit: str = ""
    status: str = "normal"
    comment: str = ""

    def key(self) -> tuple:
        return (self.indicator, self.period, self.area, tuple(sorted(self.disaggregation.items())))


class InputError(ValueError):
    """The input cannot be used; ``problems`` lists everything wrong with it.

    Problems are kept in order of their row, file-level ones first (the sort is stable,
    so lists merged from reading and :func:`validate` come out in file order). ``rows``
    holds the rows a reader could read without a problem, so a caller can still
    :func:`validate` them and report every problem of the file at once.
    """

    def __init__(self, problems: Iterable[Problem], rows: Iterable[ObservationRow] = ()):
        self.problems = sorted(problems, key=lambda p: (p.row is not None, p.row or 0))
        self.rows = list(rows)
        super().__init__("\n".join(str(p) for p in self.problems))

    @classmethod
    def single(cls, message: str) -> InputError:
        """An error with one file-level problem."""
        return cls([Problem(None, None, message)])


# --- shared cell parsing -------------------------------------------------------------

YEAR_MIN, YEAR_MAX = 1900, 2100
_NUMBER_RE = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_DE_DECIMAL_RE = re.compile(r"[+-]?\d*,\d+")
_DE_GROUPED_RE = re.compile(r"[+-]?\d{1,3}(?:\.\d{3})+(?:,\d+)?")
_SUPPRESSION_SIGNS = {".", "x", "X", "-", "–", "—", "*", "…", "/", "()", "(x)"}


class CellError(ValueError):
    """A cell's content cannot be read; the message names the value."""


def cell_text(cell: object) -> str:
    """A cell as stripped text (numbers from XLSX without a trailing ``.0``)."""
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return "TRUE" if cell else "FALSE"
    if isinstance(cell, float):
        return format_number(cell) if math.isfinite(cell) else repr(cell)
    if isinstance(cell, int):
        return str(cell)
    if hasattr(cell, "isoformat"):
        return cell.isoformat()
    return str(cell).strip()


def parse_year(cell: object) -> int:
    """An integer year 1900–2100 from text (``"2014"``) or an XLSX number (``2014.0``)."""
    year: int | None = None
    if isinstance(cell, bool):
        year = None
    elif isinstance(cell, int):
        year = cell
    elif isinstance(cell, float) and cell.is_integer():
        year = int(cell)
    elif isinstance(cell, str) and re.fullmatch(r"\d{1,4}", cell.strip()):
        year = int(cell.strip())
    if year is None or not YEAR_MIN <= year <= YEAR_MAX:
        text = cell_text(cell)
        if not text:
            raise CellError("the year is blank")
        raise CellError(f"'{text}' is not a year between {YEAR_MIN} and {YEAR_MAX}")
    return year


def parse_number(cell: object, *, decimal_comma: bool) -> float:
    """A finite number from text or an XLSX number.

    Text uses a decimal point; with ``decimal_comma`` (semicolon CSV, XLSX text cells) a
    German decimal comma (``12,5``) and grouping dots with a comma (``1.234,5``) are read
    too, and ``1.234`` is refused as ambiguous. ``nan``, ``inf``, ``1_000`` and percent
    signs are not numbers.
    """
    if isinstance(cell, bool):
        raise CellError(f"'{cell_text(cell)}' is not a number")
    if isinstance(cell, int | float):
        number = float(cell)
    else:
        text = cell_text(cell).replace("\u2212", "-")
        if not text:
            raise CellError("the value is blank")
        if decimal_comma and _DE_GROUPED_RE.fullmatch(text):
            if "," not in text:
                plain = text.replace(".", "")
                raise CellError(
                    f"'{text}' is ambiguous: write {plain} for thousands or "
                    f"{text.replace('.', ',')} for a decimal"
                )
            text = text.replace(".", "").replace(",", ".")
        elif decimal_comma and _DE_DECIMAL_RE.fullmatch(text):
            text = text.replace(",", ".")
        if not _NUMBER_RE.fullmatch(text):
            original = cell_text(cell)
            hint = ""
            if not decimal_comma and _DE_DECIMAL_RE.fullmatch(original):
                hint = (
                    f"; in a comma-separated file write decimals with a point "
                    f"({original.replace(',', '.')})"
                )
            elif original.endswith("%"):
                hint = "; leave out the percent sign"
            elif original in _SUPPRESSION_SIGNS:
                hint = "; for a suppressed value leave the value blank and set the status"
            raise CellError(f"'{original}' is not a number{hint}")
        number = float(text)
    if not math.isfinite(number):
        raise CellError(f"'{cell_text(cell)}' is not a finite number")
    return number


def format_number(value: float) -> str:
    """``12`` rather than ``12.0``, ``0.00001`` rather than ``1e-05``."""
    if value.is_integer():
        return str(int(value))
    text = repr(value)
    if "e" in text or "E" in text:
        from decimal import Decimal

        text = format(Decimal(text), "f")
    return text


def describe_key(key: tuple) -> str:
    """``indicator 'x', period 2014, area 'Hiltrup', sex=female`` for messages."""
    indicator, period, area, dims = key
    parts = [f"indicator '{indicator}'", f"period {period}"]
    parts.append(f"area '{area}'" if area else "the whole city")
    parts.extend(f"{name}={value}" for name, value in dims)
    return ", ".join(parts)


def suggest(given: str, choices: Iterable[str], n: int = 3) -> list[str]:
    """Up to ``n`` choices closest to ``given`` (difflib, case-insensitive)."""
    by_folded: dict[str, str] = {}
    for choice in choices:
        by_folded.setdefault(choice.casefold(), choice)
    close = difflib.get_close_matches(given.casefold(), list(by_folded), n=n, cutoff=0.6)
    return [by_folded[c] for c in close]


def or_list(items: list[str]) -> str:
    """``'a'``, ``'a' or 'b'``, ``'a', 'b' or 'c'``."""
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} or {items[-1]}"


def rows_text(rows: list[int], limit: int = 5) -> str:
    rows = sorted(set(rows))
    word = "row" if len(rows) == 1 else "rows"
    shown = ", ".join(str(r) for r in rows[:limit])
    more = f" and {len(rows) - limit} more" if len(rows) > limit else ""
    return f"{word} {shown}{more}"


# --- validation against the project's indicators and areas ---------------------------


def validate(
    rows: list[ObservationRow],
    *,
    indicators: Mapping[str, Mapping],
    areas: AreaMatcher,
) -> tuple[list[ObservationRow], list[Problem], list[str]]:
    """Check rows against known indicators and areas.

    ``indicators`` maps an indicator id to ``{"unit": str, "disaggregations": [names]}``.
    Checks: unknown indicator id; unknown or ambiguous area (the matcher's message);
    a unit other than the indicator's; disaggregation dimensions the indicator does not
    declare (compared case-insensitively); duplicate keys after the areas are resolved.

    Returns ``(rows, problems, notes)``: new rows (the input is not changed) for every
    row without a problem, with ``area`` replaced by the area's code (``""`` for the
    whole city, also when the city itself was named), ``unit`` set to the indicator's
    unit and dimension names spelt as declared; every problem; and one note per area
    value that was matched forgivingly (``"rows 4, 9: 'Düesberg' read as 'Düesbergweg'
    (34)"``). Refuse the import when ``problems`` is not empty.
    """
    problems: list[Problem] = []
    valid: list[ObservationRow] = []
    resolved: dict[str, tuple[str | None, str | None, str | None]] = {}
    note_rows: dict[str, list[int]] = {}
    seen: dict[tuple, ObservationRow] = {}
    for row in rows:
        row_problems: list[Problem] = []
        spec = indicators.get(row.indicator)
        if spec is None:
            close = suggest(row.indicator, indicators)
            hint = f"; did you mean {or_list([repr(c) for c in close])}?" if close else ""
            row_problems.append(
                Problem(row.row, "indicator", f"there is no indicator '{row.indicator}'{hint}")
            )
        code = ""
        given_area = row.area.strip()
        if given_area:
            if given_area not in resolved:
                area, message, note = areas.resolve_with_note(given_area)
                if area is None:
                    resolved[given_area] = (None, message, None)
                else:
                    resolved[given_area] = ("" if area.level == "city" else area.code, None, note)
            code, message, note = resolved[given_area]
            if code is None:
                row_problems.append(Problem(row.row, "area", message or ""))
            elif note:
                note_rows.setdefault(note, []).append(row.row)
        unit = row.unit
        dims = dict(row.disaggregation)
        if spec is not None:
            declared_unit = str(spec.get("unit") or "")
            if row.unit.strip() and row.unit.strip().casefold() != declared_unit.casefold():
                expected = f"'{declared_unit}'" if declared_unit else "none"
                row_problems.append(
                    Problem(
                        row.row,
                        "unit",
                        f"'{row.unit}' is not the unit of indicator '{row.indicator}' "
                        f"(expected {expected})",
                    )
                )
            unit = declared_unit
            declared = {str(d).casefold(): str(d) for d in spec.get("disaggregations") or ()}
            dims = {}
            for name, value in row.disaggregation.items():
                canonical = declared.get(name.strip().casefold())
                if canonical is None:
                    listed = ", ".join(declared.values()) or "none"
                    row_problems.append(
                        Problem(
                            row.row,
                            name,
                            f"indicator '{row.indicator}' is not broken down by '{name}' "
                            f"(its disaggregations: {listed}); value '{value}'",
                        )
                    )
                else:
                    dims[canonical] = value
        if row_problems:
            problems.extend(row_problems)
            continue
        new = replace(row, area=code, unit=unit, disaggregation=dims)
        key = new.key()
        first = seen.get(key)
        if first is not None:
            detail = ""
            if first.area != row.area:
                detail = f"; '{row.area}' here and '{first.area}' there are the same area"
            problems.append(
                Problem(
                    row.row,
                    None,
                    f"duplicates row {first.row}: same {describe_key(key)}{detail}",
                )
            )
            continue
        seen[key] = row
        valid.append(new)
    notes = [f"{rows_text(r)}: {note}" for note, r in note_rows.items()]
    return valid, problems, notes
