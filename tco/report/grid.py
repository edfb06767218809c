"""Tables laid out for the width they are given without cutting anything: text wraps at spaces, a word (a number,
an offer id, a URL) never breaks, and a table that cannot fit is printed whole, wider than the width."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from rich import box
from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderableType, RenderResult
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text

UNDERLINED = box.Box("    \n    \n ─  \n    \n    \n    \n    \n    \n")
"""Columns one space apart, each header underlined on its own (so columns stay apart without colour)."""


@dataclass(frozen=True)
class Column:
    header: str
    right: bool = False
    """Right-aligned: figures."""


def cell(value: Any) -> RenderableType:
    """Strings become plain Text: nothing from a file is ever read as rich markup."""
    return Text(value) if isinstance(value, str) else value


def indented_word(renderable: RenderableType) -> int:
    """The widest first word of a Text cell's lines with the spaces before it: wrapping keeps an indent with its
    word, so a column narrower than both splits the word (rich measures words without their indent)."""
    if not isinstance(renderable, Text):
        return 0
    return max((cell_len(line) - cell_len(line.lstrip(" ")) + cell_len(line.lstrip(" ").split(" ", 1)[0])
                for line in renderable.plain.splitlines() if line.strip()), default=0)


class Grid:
    """A table as wide as its content, narrowed to the width it is rendered at by wrapping its widest text at
    spaces, never below a column's longest word."""

    def __init__(self, columns: Sequence[Column], rows: Iterable[Sequence[Any]], title: str | None = None):
        self.columns = list(columns)
        self.rows = [[cell(v) for v in row] for row in rows]
        self.title = title

    def _ranges(self, console: Console, options: ConsoleOptions) -> list[tuple[int, int, int]]:
        """Each column's narrowest width, its widest cell, and its natural width (the header's included)."""
        ranges = []
        for i, column in enumerate(self.columns):
            header = Measurement.get(console, options, Text(column.header))
            cells = [Measurement.get(console, options, row[i]) for row in self.rows]
            widest = max((m.maximum for m in cells), default=0)
            minimum = max([header.minimum, *(m.minimum for m in cells), *(indented_word(row[i]) for row in self.rows)])
            ranges.append((minimum, widest, max(header.maximum, widest)))
        return ranges

    def _table(self, widths: Sequence[int]) -> Table:
        table = Table(title=self.title, title_justify="left", title_style="bold", header_style="bold",
                      box=UNDERLINED, show_edge=False, pad_edge=False, padding=0)
        for i, column in enumerate(self.columns):
            table.add_column(Text(column.header), justify="right" if column.right else "left",
                             width=widths[i], overflow="fold")
        return table

    def _frame(self, console: Console, options: ConsoleOptions) -> int:
        """Characters the table adds around its cells (separators and padding)."""
        probe = self._table([1] * len(self.columns))
        return Measurement.get(console, options, probe).maximum - len(self.columns)

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        ranges, frame = self._ranges(console, options.update_width(10**6)), self._frame(console, options)
        return Measurement(sum(r[0] for r in ranges) + frame, sum(r[2] for r in ranges) + frame)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        ranges, frame = self._ranges(console, options.update_width(10**6)), self._frame(console, options)
        widths = fit(*map(list, zip(*ranges, strict=True)), room=options.max_width - frame)
        table = self._table(widths)
        for row in self.rows:
            table.add_row(*row)
        yield from console.render(table, options.update_width(max(options.max_width, sum(widths) + frame)))


def fit(minimum: list[int], cells: list[int], natural: list[int], room: int) -> list[int]:
    """Column widths within `room`: first headers wrap (no column below its widest cell), then the widest columns
    narrow together, none below its minimum, its longest word (so the result may exceed `room`)."""
    widths = list(natural)
    excess = sum(widths) - room
    for floor in ([max(m, c) for m, c in zip(minimum, cells, strict=True)], minimum):
        while excess > 0:
            narrowable = [i for i, w in enumerate(widths) if w > floor[i]]
            if not narrowable:
                break
            top = max(widths[i] for i in narrowable)
            for i in narrowable:
                if widths[i] == top and excess > 0:
                    widths[i] -= 1
                    excess -= 1
    return widths
