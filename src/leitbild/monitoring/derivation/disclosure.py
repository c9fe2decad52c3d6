"""Statistical disclosure control for count tables (plain Python).

A table is a mapping ``{(row, column): count}`` published with its row and column
totals. Counts from 1 to ``threshold - 1`` are suppressed (primary suppression). Then,
while any row or column has exactly one suppressed cell — which its total would
reveal — the smallest other non-zero cell of that line is suppressed as well
(secondary suppression). :func:`recoverable` is the attacker: it solves every line
whose total leaves a single unknown, repeatedly, and returns the cells it can work out.
"""

from __future__ import annotations

from collections import defaultdict

Cell = tuple[str, str]


def _lines(table: dict[Cell, int]):
    rows, columns = defaultdict(list), defaultdict(list)
    for cell in table:
        rows[cell[0]].append(cell)
        columns[cell[1]].append(cell)
    return [*rows.values(), *columns.values()]


def suppress(table: dict[Cell, int], *, threshold: int = 3) -> set[Cell]:
    """The cells not to publish: small counts, and what protects them from the totals."""
    hidden = {cell for cell, count in table.items() if 0 < count < threshold}
    lines = _lines(table)
    changed = True
    while changed:
        changed = False
        for line in lines:
            inside = [c for c in line if c in hidden]
            if len(inside) != 1:
                continue
            candidates = sorted(
                (c for c in line if c not in hidden and table[c] > 0),
                key=lambda c: (table[c], c),
            )
            if not candidates:
                # Only zeros besides: a zero reveals nothing about the hidden one unless
                # it is the only other cell; hide the smallest other cell even if zero.
                others = [c for c in line if c not in hidden]
                if not others:
                    continue
                candidates = sorted(others, key=lambda c: (table[c], c))
            hidden.add(candidates[0])
            changed = True
    return hidden


def recoverable(table: dict[Cell, int], hidden: set[Cell]) -> set[Cell]:
    """Hidden cells an attacker can compute exactly from the published cells and totals."""
    known = {cell: count for cell, count in table.items() if cell not in hidden}
    lines = _lines(table)
    totals = [sum(table[c] for c in line) for line in lines]
    solved: set[Cell] = set()
    progress = True
    while progress:
        progress = False
        for line, total in zip(lines, totals, strict=True):
            unknown = [c for c in line if c not in known]
            if len(unknown) == 1:
                cell = unknown[0]
                known[cell] = total - sum(known[c] for c in line if c != cell)
                solved.add(cell)
                progress = True
    return solved & hidden


def published(table: dict[Cell, int], hidden: set[Cell]) -> dict[Cell, int | None]:
    return {cell: (None if cell in hidden else count) for cell, count in table.items()}
