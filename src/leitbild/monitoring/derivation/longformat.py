"""Read the project's documented long layout (CSV or XLSX) into observation rows.

One observation per row. Required columns ``indicator``, ``period``, ``area``, ``value``;
optional ``unit``, ``status``, ``comment``; every other column is a disaggregation
dimension (``sex``, ``age_group`` …) whose blank cells mean "total". Headers are
case-insensitive. CSV is UTF-8 (with or without BOM), separated by ``,`` or ``;``
(detected from the header line); in ``;`` files and in XLSX text cells a German decimal
comma is read. XLSX: the first sheet, header in its first non-empty row.

Every problem is collected (with its line) and raised together as :class:`InputError`.
See ``docs/data-formats.md``.
"""

from __future__ import annotations

import csv
import io
import warnings
import zipfile

from .rows import (
    STATUSES,
    CellError,
    InputError,
    ObservationRow,
    Problem,
    cell_text,
    describe_key,
    parse_number,
    parse_year,
)

REQUIRED = ("indicator", "period", "area", "value")
OPTIONAL = ("unit", "status", "comment")
XLSX_EXTENSIONS = (".xlsx", ".xlsm")
REFUSED_EXTENSIONS = {
    ".xls": "old Excel workbooks (.xls) cannot be read; save the sheet as .xlsx or CSV UTF-8",
    ".ods": "OpenDocument spreadsheets (.ods) cannot be read; save the sheet as .xlsx or CSV",
}

Cell = object  # str from CSV; str, int, float, datetime or None from XLSX


class Table:
    """Header and data rows of a file, with their line numbers."""

    def __init__(
        self,
        header: list[str],
        header_row: int,
        rows: list[tuple[int, list[Cell]]],
        *,
        fixed_width: bool,
    ):
        self.header = header
        self.header_row = header_row
        self.rows = rows
        self.fixed_width = fixed_width  # CSV: every record must have the header's width


def decode_utf8(data: bytes, problems: list[Problem]) -> str | None:
    """UTF-8 text without BOM, or ``None`` with a file-level problem."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        byte = data[exc.start : exc.start + 1].hex()
        problems.append(
            Problem(
                None,
                None,
                f"The file is not UTF-8 text: byte 0x{byte} on line {line} cannot be read; "
                "save it as 'CSV UTF-8'",
            )
        )
        return None


def detect_delimiter(text: str) -> str:
    """``;`` when the header line has more semicolons than commas (outside quotes)."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    counts = {",": 0, ";": 0}
    quoted = False
    for char in first:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    return ";" if counts[";"] > counts[","] else ","


def read_csv_table(
    text: str, delimiter: str, problems: list[Problem]
) -> tuple[list[str], int, list[tuple[int, list[Cell]]]] | None:
    """Parse CSV text; returns the header, its line and ``(line, cells)`` for each record."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    records: list[tuple[int, list[Cell]]] = []
    previous = 0
    try:
        for cells in reader:
            start = previous + 1
            previous = reader.line_num
            records.append((start, [c.strip() for c in cells]))
    except csv.Error as exc:
        problems.append(Problem(previous + 1, None, f"the line cannot be read as CSV ({exc})"))
        return None
    return _split_header(records)


def _split_header(
    records: list[tuple[int, list[Cell]]],
) -> tuple[list[str], int, list[tuple[int, list[Cell]]]] | None:
    for index, (line, cells) in enumerate(records):
        if any(cell_text(c) for c in cells):
            header = [cell_text(c) for c in cells]
            rest = [(n, cs) for n, cs in records[index + 1 :] if any(cell_text(c) for c in cs)]
            return header, line, rest
    return None


def read_xlsx_table(
    data: bytes, problems: list[Problem]
) -> tuple[list[str], int, list[tuple[int, list[Cell]]]] | None:
    import openpyxl

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        problems.append(Problem(None, None, f"The file cannot be read as an XLSX workbook ({exc})"))
        return None
    try:
        if not workbook.worksheets:
            return None
        sheet = workbook.worksheets[0]
        if hasattr(sheet, "reset_dimensions"):
            sheet.reset_dimensions()  # some writers store a wrong sheet size
        records = []
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            cells = [v.strip() if isinstance(v, str) else v for v in values]
            records.append((number, cells))
    finally:
        workbook.close()
    return _split_header(records)


def load_table(data: bytes, filename: str, problems: list[Problem]) -> tuple[Table, bool] | None:
    """The file's table and whether decimal commas are read, or ``None`` (see problems)."""
    name = filename.lower()
    for extension, message in REFUSED_EXTENSIONS.items():
        if name.endswith(extension):
            problems.append(Problem(None, None, f"The file '{filename}': {message}"))
            return None
    if not data or not data.strip():
        problems.append(Problem(None, None, "The file is empty"))
        return None
    if name.endswith(XLSX_EXTENSIONS):
        parsed = read_xlsx_table(data, problems)
        decimal_comma = True
    else:
        if data.startswith(b"PK\x03\x04"):
            problems.append(
                Problem(
                    None,
                    None,
                    f"The file '{filename}' is an Excel workbook, not CSV text; "
                    "give it the extension .xlsx",
                )
            )
            return None
        text = decode_utf8(data, problems)
        if text is None:
            return None
        delimiter = detect_delimiter(text)
        parsed = read_csv_table(text, delimiter, problems)
        decimal_comma = delimiter == ";"
    if parsed is None:
        if not problems:
            problems.append(Problem(None, None, "The file is empty"))
        return None
    header, header_row, rows = parsed
    fixed_width = not name.endswith(XLSX_EXTENSIONS)
    return Table(header, header_row, rows, fixed_width=fixed_width), decimal_comma


def check_row_width(
    table: Table, line: int, cells: list[Cell], problems: list[Problem]
) -> list[Cell]:
    """Report cells without a header and short rows; returns cells padded to the header."""
    width = max((i + 1 for i, h in enumerate(table.header) if h), default=0)
    for index, cell in enumerate(cells):
        text = cell_text(cell)
        if text and (index >= len(table.header) or not table.header[index]):
            problems.append(
                Problem(
                    line,
                    None,
                    f"cell {index + 1} holds '{text}' but its column has no header",
                )
            )
    if table.fixed_width and len(cells) < width:
        problems.append(
            Problem(line, None, f"the row has {len(cells)} cells but the header has {width}")
        )
    return list(cells) + [None] * (len(table.header) - len(cells))


def read_long(data: bytes, filename: str) -> list[ObservationRow]:
    """Read the long layout; raise :class:`InputError` listing every problem."""
    problems: list[Problem] = []
    loaded = load_table(data, filename, problems)
    if loaded is None:
        raise InputError(problems)
    table, decimal_comma = loaded

    columns: dict[str, int] = {}
    names: dict[str, str] = {}  # normalised → as written
    for index, raw in enumerate(table.header):
        if not raw:
            continue
        name = raw.strip().lower()
        if name in columns:
            problems.append(
                Problem(
                    table.header_row,
                    raw,
                    f"the column '{raw}' appears twice (columns {columns[name] + 1} "
                    f"and {index + 1})",
                )
            )
            continue
        columns[name] = index
        names[name] = raw
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        found = ", ".join(f"'{h}'" for h in table.header if h) or "none"
        listed = ", ".join(f"'{m}'" for m in missing)
        word = "column" if len(missing) == 1 else "columns"
        verb = "is" if len(missing) == 1 else "are"
        hint = ""
        if any("\t" in h for h in table.header):
            hint = "; the file seems to be separated by tabs, use ',' or ';'"
        problems.append(
            Problem(
                None,
                None,
                f"The required {word} {listed} {verb} missing (found: {found}){hint}",
            )
        )
        raise InputError(problems)
    dimensions = [n for n in columns if n not in REQUIRED and n not in OPTIONAL]

    result: list[ObservationRow] = []
    seen: dict[tuple, int] = {}
    for line, raw_cells in table.rows:
        cells = check_row_width(table, line, raw_cells, problems)
        row_problems: list[Problem] = []

        def text(name: str, cells: list[Cell] = cells) -> str:
            index = columns.get(name)
            return cell_text(cells[index]) if index is not None else ""

        def cell(name: str, cells: list[Cell] = cells) -> Cell:
            value = cells[columns[name]]
            return value.strip() if isinstance(value, str) else value

        indicator = text("indicator")
        if not indicator:
            row_problems.append(Problem(line, names["indicator"], "the indicator is blank"))
        period = 0
        try:
            period = parse_year(cell("period"))
        except CellError as exc:
            row_problems.append(Problem(line, names["period"], str(exc)))
        status_text = text("status")
        status = status_text.lower() or "normal"
        if status not in STATUSES:
            allowed = ", ".join(f"'{s}'" for s in STATUSES)
            row_problems.append(
                Problem(
                    line,
                    names.get("status", "status"),
                    f"'{status_text}' is not a status (use {allowed} or leave it blank)",
                )
            )
        value: float | None = None
        raw_value = text("value")
        if status == "suppressed":
            if raw_value:
                row_problems.append(
                    Problem(
                        line,
                        names["value"],
                        f"'{raw_value}' is given but the status is 'suppressed'; "
                        "leave the value blank",
                    )
                )
        else:
            try:
                value = parse_number(cell("value"), decimal_comma=decimal_comma)
            except CellError as exc:
                message = str(exc)
                if not raw_value:
                    message = "the value is blank; give a number or set the status to 'suppressed'"
                row_problems.append(Problem(line, names["value"], message))
        disaggregation = {d: text(d) for d in dimensions if text(d)}
        if row_problems:
            problems.extend(row_problems)
            continue
        row = ObservationRow(
            row=line,
            indicator=indicator,
            period=period,
            area=text("area"),
            disaggregation=disaggregation,
            value=value,
            unit=text("unit"),
            status=status,
            comment=text("comment"),
        )
        key = row.key()
        if key in seen:
            problems.append(
                Problem(line, None, f"duplicates row {seen[key]}: same {describe_key(key)}")
            )
            continue
        seen[key] = line
        result.append(row)
    if not table.rows:
        problems.append(Problem(None, None, "The file has a header but no data rows"))
    if problems:
        raise InputError(problems, rows=result)
    return result
