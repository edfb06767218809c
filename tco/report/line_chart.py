"""A step chart in plain characters: one letter per series, readable without colour, in any width from 40 columns."""

from __future__ import annotations

import string
import textwrap
from collections.abc import Callable, Sequence
from decimal import ROUND_HALF_UP, Decimal

MARKERS = string.ascii_uppercase + string.ascii_lowercase + string.digits
CROWDED = "*"
"""Drawn where two series meet in one character cell."""


def line_chart(title: str, labels: Sequence[str], series: Sequence[tuple[str, Sequence[Decimal | None]]],
               value_text: Callable[[Decimal], str], width: int = 80, height: int = 10) -> list[str]:
    """`series` (name, one value or None per label) drawn as steps over evenly spaced `labels`: each value holds
    until the next label. None leaves a gap. The axis names the highest and lowest values. Returns the lines, none
    longer than `width`."""
    values = [v for _, vs in series for v in vs if v is not None]
    if not values:
        return [title, "(nothing to draw: no series has a value)"]
    lo, hi = min(values), max(values)
    rows = height if hi > lo else 1

    def row(v: Decimal) -> int:
        return 0 if hi == lo else int(((v - lo) / (hi - lo) * (rows - 1)).to_integral_value(ROUND_HALF_UP))

    tick_text = {rows - 1: value_text(hi), 0: value_text(lo)}  # the extremes only: exact values, none rounded to a row
    margin = max(len(t) for t in tick_text.values())
    plot = max(width - margin - 2, 1)  # with more labels than columns, a later value overdraws an earlier one
    starts = [i * plot // len(labels) for i in range(len(labels) + 1)]
    grid = [[" "] * plot for _ in range(rows)]
    owners: dict[tuple[int, int], set[str]] = {}
    """The series drawn in each cell."""

    def put(r: int, c: int, char: str, marker: str) -> None:
        owners.setdefault((r, c), set()).add(marker)
        grid[r][c] = char if len(owners[r, c]) == 1 else CROWDED

    for k, (_, vs) in enumerate(series):
        marker, previous = MARKERS[k % len(MARKERS)], None
        for i, v in enumerate(vs):
            if v is None:
                previous = None
                continue
            r = row(v)
            for c in range(starts[i], starts[i + 1]):
                put(r, c, marker, marker)
            if previous is not None and abs(previous - r) > 1 and starts[i] < plot:
                for between in range(min(previous, r) + 1, max(previous, r)):
                    put(between, starts[i], "|", marker)
            previous = r
    lines = [title]
    for r in reversed(range(rows)):
        lines.append(f"{tick_text.get(r, ''):>{margin}} |" + "".join(grid[r]).rstrip())
    axis = ["-"] * plot
    for c in starts[:-1]:
        axis[c] = "+"
    lines.append(" " * margin + " +" + "".join(axis))
    under, end = [" "] * (margin + 2 + plot), -1
    for c, label in zip(starts[:-1], labels, strict=True):
        at = margin + 2 + c
        if at + len(label) > len(under):  # no room after its tick: end the label at the tick instead
            at -= len(label) - 1
        if at > end:
            under[at:at + len(label)] = label
            end = at + len(label)
    lines.append("".join(under).rstrip())
    for k, (name, _) in enumerate(series):
        lines += textwrap.wrap(f"{MARKERS[k % len(MARKERS)]}  {name}", width, subsequent_indent="   ")
    groups = sorted({"+".join(sorted(m, key=MARKERS.index)) for m in owners.values() if len(m) > 1})
    if groups:
        lines += textwrap.wrap(f"{CROWDED}  two or more series in one place: {', '.join(groups)}", width,
                               subsequent_indent="   ")
    return lines
