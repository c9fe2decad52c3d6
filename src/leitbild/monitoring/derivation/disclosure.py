"""Statistical disclosure control for count tables (plain Python).

A table is a mapping ``{(row, column): count}``. Either it is published with its row and
column totals, which then are always shown; or it carries its margins as cells —
:func:`with_margins` adds ``(row, TOTAL)``, ``(TOTAL, column)`` and ``(TOTAL, TOTAL)`` —
and a margin may be hidden like any other cell (only the grand total never is).

Counts from 1 to ``threshold - 1`` are suppressed (primary suppression). Then, while any
row or column has exactly one suppressed cell — which the rest of its line would reveal —
the smallest other cell of that line is suppressed as well (secondary suppression); with
margins that may be the line's total, when nothing else is left to hide (a table of one
district, say, whose city totals are its own counts). A table whose grand total is itself
below the threshold shows nothing. :func:`recoverable` is the
attacker: it solves every line that leaves a single unknown, repeatedly, and returns the
cells it can work out.
"""

from __future__ import annotations

from collections import defaultdict

Cell = tuple[str, str]
TOTAL = "\uffffTOTAL"  # sorts after every real row and column name


def with_margins(table: dict[Cell, int]) -> dict[Cell, int]:
    """The table with its row, column and grand totals as cells."""
    out = dict(table)
    for (row, column), count in table.items():
        out[(row, TOTAL)] = out.get((row, TOTAL), 0) + count
        out[(TOTAL, column)] = out.get((TOTAL, column), 0) + count
        out[(TOTAL, TOTAL)] = out.get((TOTAL, TOTAL), 0) + count
    return out


def _lines(table: dict[Cell, int]) -> list[tuple[list[Cell], Cell | None]]:
    """Every row and column with its margin cell (``None`` if the table has no margins)."""
    rows, columns = defaultdict(list), defaultdict(list)
    for cell in table:
        rows[cell[0]].append(cell)
        columns[cell[1]].append(cell)
    lines = []
    for key, cells in rows.items():
        margin = (key, TOTAL)
        lines.append((cells, margin if margin in table else None))
    for key, cells in columns.items():
        margin = (TOTAL, key)
        lines.append((cells, margin if margin in table else None))
    return lines


def suppress(table: dict[Cell, int], *, threshold: int = 3) -> set[Cell]:
    """The cells not to publish: small counts, and what protects them from the totals."""
    grand = (TOTAL, TOTAL)
    if 0 < table.get(grand, threshold) < threshold:
        return set(table)  # a handful of people in all: nothing can be shown
    hidden = {cell for cell, count in table.items() if 0 < count < threshold and cell != grand}
    lines = _lines(table)
    changed = True
    while changed:
        changed = False
        for cells, _margin in lines:
            inside = [c for c in cells if c in hidden]
            if len(inside) != 1:
                continue
            others = [c for c in cells if c not in hidden and c != grand]
            # A zero next to the hidden cell protects nothing; prefer a real count.
            candidates = sorted(
                (c for c in others if table[c] > 0), key=lambda c: (table[c], c)
            ) or sorted(others, key=lambda c: (table[c], c))
            if not candidates:
                continue
            hidden.add(candidates[0])
            changed = True
    return hidden


def recoverable(table: dict[Cell, int], hidden: set[Cell]) -> set[Cell]:
    """Hidden cells an attacker can compute exactly from the published cells and totals."""
    known = {cell: count for cell, count in table.items() if cell not in hidden}
    lines = _lines(table)
    # Without margin cells, the line totals are published: the attacker knows them.
    totals = [None if margin else sum(table[c] for c in cells) for cells, margin in lines]
    solved: set[Cell] = set()
    progress = True
    while progress:
        progress = False
        for (cells, margin), total in zip(lines, totals, strict=True):
            unknown = [c for c in cells if c not in known]
            if len(unknown) != 1:
                continue
            cell = unknown[0]
            if margin is None:
                known[cell] = total - sum(known[c] for c in cells if c != cell)
            elif cell == margin:
                known[cell] = sum(known[c] for c in cells if c != margin)
            else:
                known[cell] = known[margin] - sum(
                    known[c] for c in cells if c not in (cell, margin)
                )
            solved.add(cell)
            progress = True
    return solved & hidden


def published(table: dict[Cell, int], hidden: set[Cell]) -> dict[Cell, int | None]:
    return {cell: (None if cell in hidden else count) for cell, count in table.items()}
