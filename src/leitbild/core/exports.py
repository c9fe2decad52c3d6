"""Tables as CSV or XLSX downloads, for council papers and office spreadsheets."""

import csv
import io
import re
from collections.abc import Iterable, Sequence

from django.http import HttpResponse

# A leading = + - @ (or tab/CR) makes spreadsheet programs run a cell as a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


# Control characters (other than tab, newline, carriage return) are not allowed in
# XLSX cells, and have no business in a CSV either.
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _safe(value):
    if value is None:
        return ""
    if isinstance(value, str):
        value = CONTROL_CHARS.sub("", value)
        if value.startswith(FORMULA_PREFIXES):
            return "'" + value
    return value


def csv_bytes(headers: Sequence[str], rows: Iterable[Sequence]) -> bytes:
    """Semicolon-separated UTF-8 with BOM: what German spreadsheet programs open as-is."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([str(h) for h in headers])
    for row in rows:
        writer.writerow([_safe(v) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def xlsx_bytes(headers: Sequence[str], rows: Iterable[Sequence], *, title: str = "Tabelle"):
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    sheet.append([str(h) for h in headers])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    widths = [len(str(h)) for h in headers]
    for row in rows:
        values = [_safe(v) for v in row]
        sheet.append(values)
        for i, value in enumerate(values):
            widths[i] = max(widths[i], min(len(str(value)), 60))
    for i, width in enumerate(widths):
        sheet.column_dimensions[sheet.cell(row=1, column=i + 1).column_letter].width = width + 2
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def table_response(
    *, filename: str, fmt: str, headers: Sequence[str], rows: Iterable[Sequence], title: str = ""
) -> HttpResponse:
    if fmt == "xlsx":
        content = xlsx_bytes(headers, rows, title=title or filename)
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    elif fmt == "csv":
        content = csv_bytes(headers, rows)
        content_type = "text/csv; charset=utf-8"
    else:
        raise ValueError(f"unknown export format {fmt!r}")
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    response["Cache-Control"] = "private, no-store"
    return response
