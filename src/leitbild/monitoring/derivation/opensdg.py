"""Open SDG indicator files: read data CSVs, write data CSVs and metadata, check both.

An Open SDG data file (``data/indicator_<id>.csv``) is comma-separated UTF-8 with
``Year`` first and ``Value`` last; the columns between are disaggregations (a blank cell
is the total) and the special columns ``Units``, ``GeoCode``, ``Series``, ``COMMENT_OBS``
and ``OBS_STATUS``. A metadata file (``meta/<id>.md``) is Markdown with YAML front matter.

Observation status travels in ``COMMENT_OBS`` (shown as a footnote by Open SDG, so it
needs no site configuration): ``suppressed``, ``estimated`` or ``provisional``, followed
by ``: comment`` when there is one. A suppressed value is written blank. The reader also
takes ``OBS_STATUS`` (our status words or the SDMX codes ``A``, ``E``, ``P``).

Checks follow Open SDG's data checks; see ``docs/data-formats.md``.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping

from .longformat import decode_utf8
from .rows import (
    STATUSES,
    CellError,
    InputError,
    ObservationRow,
    Problem,
    describe_key,
    format_number,
    parse_number,
    parse_year,
)

YEAR, VALUE, UNITS, GEOCODE = "Year", "Value", "Units", "GeoCode"
COMMENT, OBS_STATUS = "COMMENT_OBS", "OBS_STATUS"
_SPECIAL = {n.casefold(): n for n in (YEAR, VALUE, UNITS, GEOCODE, COMMENT, OBS_STATUS)}
_SDMX_STATUS = {"a": "normal", "e": "estimated", "p": "provisional"}
_MARKER_RE = re.compile(r"^(suppressed|estimated|provisional)(?:\s*:\s*(.*))?$", re.I | re.S)
_YEAR_RE = re.compile(r"-?\d+")
_NUMBER_RE = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_ID_RE = re.compile(r"[A-Za-z0-9]+(?:[-.][A-Za-z0-9]+)*")
REQUIRED_META = ("reporting_status", "graph_type", "graph_title", "indicator_number")


# --- reading --------------------------------------------------------------------------


def read_opensdg(data: bytes, indicator: str) -> list[ObservationRow]:
    """Read an Open SDG data CSV as rows of ``indicator``; raise :class:`InputError`."""
    problems: list[Problem] = []
    if not data or not data.strip():
        raise InputError([Problem(None, None, "The file is empty")])
    text = decode_utf8(data, problems)
    if text is None:
        raise InputError(problems)
    first = next((line for line in text.splitlines() if line.strip()), "")
    if ";" in first and "," not in first:
        raise InputError(
            [
                Problem(
                    None,
                    None,
                    "The file is separated by ';'; Open SDG data files are separated by ','",
                )
            ]
        )
    reader = csv.reader(io.StringIO(text, newline=""))
    records: list[tuple[int, list[str]]] = []
    previous = 0
    try:
        for cells in reader:
            records.append((previous + 1, cells))
            previous = reader.line_num
    except csv.Error as exc:
        raise InputError(
            [Problem(previous + 1, None, f"the line cannot be read as CSV ({exc})")]
        ) from None
    records = [(n, cs) for n, cs in records if any(c.strip() for c in cs)]
    if not records:
        raise InputError([Problem(None, None, "The file is empty")])
    (header_row, raw_header), body = records[0], records[1:]
    header = [h.strip() for h in raw_header]

    special: dict[str, int] = {}
    dimensions: list[tuple[str, int]] = []
    seen_names: dict[str, int] = {}
    for index, name in enumerate(header):
        if not name:
            continue
        folded = name.casefold()
        if folded in seen_names:
            problems.append(
                Problem(
                    header_row,
                    name,
                    f"the column '{name}' appears twice (columns {seen_names[folded] + 1} "
                    f"and {index + 1})",
                )
            )
            continue
        seen_names[folded] = index
        if folded in _SPECIAL:
            special[_SPECIAL[folded]] = index
        else:
            dimensions.append((name, index))
    for required in (YEAR, VALUE):
        if required not in special:
            problems.append(Problem(None, None, f"The column '{required}' is missing"))
    if problems:
        raise InputError(problems)

    def column(cells: list[str], name: str) -> str:
        index = special.get(name)
        return cells[index].strip() if index is not None and index < len(cells) else ""

    result: list[ObservationRow] = []
    seen: dict[tuple, int] = {}
    for line, raw in body:
        cells = [c.strip() for c in raw]
        row_problems: list[Problem] = []
        if len(cells) != len(header):
            extra = [c for c in cells[len(header) :] if c]
            if len(cells) < len(header) or extra:
                row_problems.append(
                    Problem(
                        line,
                        None,
                        f"the row has {len(cells)} cells but the header has {len(header)}",
                    )
                )
        cells += [""] * (len(header) - len(cells))
        for index, name in enumerate(header):
            if not name and cells[index]:
                row_problems.append(
                    Problem(
                        line,
                        None,
                        f"cell {index + 1} holds '{cells[index]}' but its column has no header",
                    )
                )
        year = 0
        try:
            year = parse_year(column(cells, YEAR))
        except CellError as exc:
            row_problems.append(Problem(line, YEAR, str(exc)))

        comment = column(cells, COMMENT)
        status = "normal"
        status_text = column(cells, OBS_STATUS)
        if status_text:
            folded = status_text.casefold()
            if folded in STATUSES:
                status = folded
            elif folded in _SDMX_STATUS:
                status = _SDMX_STATUS[folded]
            else:
                allowed = ", ".join(f"'{s}'" for s in STATUSES)
                row_problems.append(
                    Problem(
                        line,
                        OBS_STATUS,
                        f"'{status_text}' is not a status (use {allowed}, the SDMX codes "
                        "'A', 'E', 'P', or leave it blank)",
                    )
                )
        marker = _MARKER_RE.match(comment)
        if marker and (not status_text or marker.group(1).casefold() == status):
            status = marker.group(1).casefold()
            comment = (marker.group(2) or "").strip()

        value: float | None = None
        raw_value = column(cells, VALUE)
        if raw_value:
            if status == "suppressed":
                row_problems.append(
                    Problem(
                        line,
                        VALUE,
                        f"'{raw_value}' is given but the observation is marked as suppressed; "
                        "leave the value blank",
                    )
                )
            else:
                try:
                    value = parse_number(raw_value, decimal_comma=False)
                except CellError as exc:
                    row_problems.append(Problem(line, VALUE, str(exc)))
        if row_problems:
            problems.extend(row_problems)
            continue
        row = ObservationRow(
            row=line,
            indicator=indicator,
            period=year,
            area=column(cells, GEOCODE),
            disaggregation={name: cells[i] for name, i in dimensions if cells[i]},
            value=value,
            unit=column(cells, UNITS),
            status=status,
            comment=comment,
        )
        key = row.key()
        if key in seen:
            problems.append(
                Problem(line, None, f"duplicates row {seen[key]}: same {describe_key(key)}")
            )
            continue
        seen[key] = line
        result.append(row)
    if problems:
        raise InputError(problems, rows=result)
    return result


# --- writing --------------------------------------------------------------------------


def _clean(text: str) -> str:
    """One line without stray whitespace."""
    return " ".join(str(text).split())


def write_opensdg_csv(rows: list[ObservationRow]) -> str:
    """The Open SDG data CSV for one indicator's rows.

    ``Year``, the disaggregation columns (sorted), ``Units``, ``GeoCode`` and
    ``COMMENT_OBS`` (each only when a row needs it), ``Value``. Blank cells for totals
    and the whole city; suppressed values blank with ``suppressed`` in ``COMMENT_OBS``.
    Rows are sorted by area, disaggregation, unit and year. Raises ``ValueError`` for rows
    of several indicators, duplicate keys or a dimension named like a special column.
    """
    indicators = {r.indicator for r in rows}
    if len(indicators) > 1:
        raise ValueError(f"rows of several indicators: {', '.join(sorted(indicators))}")
    dims = sorted({_clean(d) for r in rows for d in r.disaggregation})
    for d in dims:
        if not d or d.casefold() in _SPECIAL:
            raise ValueError(f"a disaggregation cannot be called '{d}'")
    keys: dict[tuple, ObservationRow] = {}
    for r in rows:
        key = r.key()
        if key in keys:
            raise ValueError(f"rows {keys[key].row} and {r.row} have the same key {key}")
        keys[key] = r

    def comment_of(r: ObservationRow) -> str:
        comment = _clean(r.comment)
        if r.status == "normal":
            return comment
        return f"{r.status}: {comment}" if comment else r.status

    with_units = any(_clean(r.unit) for r in rows)
    with_geo = any(_clean(r.area) for r in rows)
    with_comment = any(comment_of(r) for r in rows)
    header = [YEAR, *dims]
    header += [UNITS] if with_units else []
    header += [GEOCODE] if with_geo else []
    header += [COMMENT] if with_comment else []
    header.append(VALUE)

    def dim_values(r: ObservationRow) -> list[str]:
        cleaned = {_clean(k): _clean(v) for k, v in r.disaggregation.items()}
        return [cleaned.get(d, "") for d in dims]

    def sort_key(r: ObservationRow) -> tuple:
        return (_clean(r.area), dim_values(r), _clean(r.unit), r.period)

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for r in sorted(rows, key=sort_key):
        line = [str(r.period), *dim_values(r)]
        line += [_clean(r.unit)] if with_units else []
        line += [_clean(r.area)] if with_geo else []
        line += [comment_of(r)] if with_comment else []
        blank = r.value is None or r.status == "suppressed"
        line.append("" if blank else format_number(float(r.value)))
        writer.writerow(line)
    return out.getvalue()


def _yaml_string(text: str) -> str:
    """A double-quoted YAML scalar (valid YAML 1.1 and 1.2)."""
    out = ['"']
    for char in str(text):
        code = ord(char)
        if char == "\\":
            out.append("\\\\")
        elif char == '"':
            out.append('\\"')
        elif char == "\n":
            out.append("\\n")
        elif char == "\t":
            out.append("\\t")
        elif (
            code < 0x20
            or 0x7F <= code <= 0x9F
            or code in (0x2028, 0x2029, 0xFEFF, 0xFFFE, 0xFFFF)
            or 0xD800 <= code <= 0xDFFF
        ):
            out.append(f"\\u{code:04x}")
        else:
            out.append(char)
    out.append('"')
    return "".join(out)


def write_opensdg_meta(meta: Mapping) -> str:
    """The Open SDG metadata file (``meta/<id>.md``): YAML front matter, definition as body.

    ``meta`` keys: ``id``, ``name``, ``unit``, ``definition``, ``source``, ``target``
    (number or ``None``), ``target_label``; optional ``has_data`` (default ``True``:
    ``reporting_status`` ``complete``, else ``notstarted``), ``reporting_status`` (wins
    over ``has_data``) and ``number`` (``indicator_number`` when not the id).
    """
    indicator_id = str(meta.get("id") or "").strip()
    if not indicator_id:
        raise ValueError("the indicator id is missing")
    name = _clean(meta.get("name") or indicator_id)
    status = meta.get("reporting_status") or (
        "complete" if meta.get("has_data", True) else "notstarted"
    )
    lines = [
        "---",
        f"indicator_number: {_yaml_string(str(meta.get('number') or indicator_id))}",
        f"indicator_name: {_yaml_string(name)}",
        f"reporting_status: {_yaml_string(status)}",
        "published: true",
        "data_non_statistical: false",
        f"graph_type: {_yaml_string('line')}",
        f"graph_title: {_yaml_string(name)}",
        f"computation_units: {_yaml_string(_clean(meta.get('unit') or ''))}",
    ]
    source = _clean(meta.get("source") or "")
    if source:
        lines += ["source_active_1: true", f"source_organisation_1: {_yaml_string(source)}"]
    target = meta.get("target")
    if target is not None:
        lines.append("graph_target_lines:")
        lines.append(f"  - value: {format_number(float(target))}")
        label = _clean(meta.get("target_label") or "")
        if label:
            lines.append(f"    label: {_yaml_string(label)}")
    lines.append("---")
    body = str(meta.get("definition") or "").replace("\r\n", "\n").strip()
    text = "\n".join(lines) + "\n"
    if body:
        text += "\n" + "\n".join(line.rstrip() for line in body.split("\n")) + "\n"
    return text


def opensdg_paths(indicator_id: str) -> tuple[str, str]:
    """``("data/indicator_<id>.csv", "meta/<id>.md")`` with dots as dashes (``1.2.1``)."""
    if not _ID_RE.fullmatch(indicator_id or ""):
        raise ValueError(f"'{indicator_id}' cannot be an Open SDG file name")
    slug = indicator_id.replace(".", "-")
    return f"data/indicator_{slug}.csv", f"meta/{slug}.md"


# --- checks ---------------------------------------------------------------------------


def check_opensdg_csv(text: str) -> list[Problem]:
    """Open SDG's data checks on a data CSV; an empty list when it passes."""
    problems: list[Problem] = []
    if not text.strip():
        return [Problem(None, None, "The file is empty")]
    if text.startswith("\ufeff"):
        text = text[1:]
    try:
        records = []
        reader = csv.reader(io.StringIO(text, newline=""))
        previous = 0
        for cells in reader:
            records.append((previous + 1, cells))
            previous = reader.line_num
    except csv.Error as exc:
        return [Problem(previous + 1, None, f"the line cannot be read as CSV ({exc})")]
    records = [(n, cs) for n, cs in records if cs]
    (header_row, header), body = records[0], records[1:]
    for index, name in enumerate(header):
        if not name.strip():
            problems.append(Problem(header_row, None, f"column {index + 1} has no header"))
        elif name != name.strip():
            problems.append(
                Problem(header_row, name, f"the header '{name}' has surrounding whitespace")
            )
    names = [h.strip() for h in header]
    if names[0] != YEAR:
        problems.append(
            Problem(header_row, names[0], f"the first column is '{names[0]}', not 'Year'")
        )
    if names[-1] != VALUE:
        problems.append(
            Problem(header_row, names[-1], f"the last column is '{names[-1]}', not 'Value'")
        )
    duplicates = sorted({n for n in names if n and names.count(n) > 1})
    for name in duplicates:
        problems.append(Problem(header_row, name, f"the column '{name}' appears twice"))
    year_index = names.index(YEAR) if YEAR in names else None
    value_index = names.index(VALUE) if VALUE in names else None
    seen: dict[tuple, int] = {}
    for line, cells in body:
        if len(cells) != len(header):
            problems.append(
                Problem(
                    line, None, f"the row has {len(cells)} cells but the header has {len(header)}"
                )
            )
            continue
        for name, cell in zip(names, cells, strict=True):
            if cell != cell.strip():
                problems.append(Problem(line, name or None, f"'{cell}' has surrounding whitespace"))
        if year_index is not None and not _YEAR_RE.fullmatch(cells[year_index].strip()):
            problems.append(Problem(line, YEAR, f"'{cells[year_index]}' is not an integer year"))
        if value_index is not None:
            value = cells[value_index].strip()
            if value and not _NUMBER_RE.fullmatch(value):
                problems.append(Problem(line, VALUE, f"'{value}' is not a number"))
        key = tuple(c.strip() for i, c in enumerate(cells) if i != value_index)
        if key in seen:
            problems.append(
                Problem(line, None, f"duplicates row {seen[key]} (same year and columns)")
            )
        else:
            seen[key] = line
    return problems


def check_opensdg_meta(text: str) -> list[Problem]:
    """Front matter present with non-empty ``reporting_status``, ``graph_type``,
    ``graph_title`` and ``indicator_number``; an empty list when it passes."""
    lines = text.lstrip("\ufeff").split("\n")
    if not lines or lines[0].rstrip() != "---":
        return [Problem(1, None, "the file does not start with YAML front matter ('---')")]
    try:
        end = next(i for i, line in enumerate(lines[1:], start=1) if line.rstrip() == "---")
    except StopIteration:
        return [Problem(None, None, "The front matter is not closed by a '---' line")]
    found: dict[str, tuple[int, str]] = {}
    for number, line in enumerate(lines[1:end], start=2):
        match = re.match(r"^([A-Za-z_][\w-]*)\s*:(.*)$", line)
        if match:
            found[match.group(1)] = (number, match.group(2).strip())
    problems = []
    for key in REQUIRED_META:
        if key not in found:
            problems.append(Problem(None, None, f"The front matter has no '{key}'"))
            continue
        number, value = found[key]
        if value in ("", '""', "''", "null", "~"):
            problems.append(Problem(number, None, f"'{key}' is empty"))
    return problems
