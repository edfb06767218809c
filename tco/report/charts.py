"""Pictures for the terminal, drawn in plain text characters (readable without colour) at the width of the cell
they are given: bars, a tornado's two-sided bars, and small histograms."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.text import Text

EIGHTHS = " ▏▎▍▌▋▊▉█"
LEVELS = " ▁▂▃▄▅▆▇█"
LOW_END, HIGH_END = "▒", "█"
"""The tornado's glyphs for the input at its low and at its high end (also told apart by colour)."""


def _count(share: Decimal, width: int, steps: int = 1) -> int:
    return int((share * width * steps).quantize(Decimal(1), ROUND_HALF_UP))


class Bar:
    """A bar `share` (0 to 1) of the cell's width long, in eighths of a character; `glyph` fills whole characters."""

    def __init__(self, share: Decimal, glyph: str = "█", narrowest: int = 10, widest: int = 50):
        self.share, self.glyph, self.narrowest, self.widest = share, glyph, narrowest, widest

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement(self.narrowest, self.widest).with_maximum(options.max_width)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        eighths = _count(self.share, options.max_width, 8)
        whole, part = divmod(eighths, 8)
        tail = EIGHTHS[part].strip() if self.glyph == "█" else (self.glyph if part >= 4 else "")
        yield Text(self.glyph * whole + tail)


class TornadoBar:
    """Two bars from a centre line: `down` and `up` are shares (0 to 1) of each half; `left_low` says whether the
    left bar is the input at its low end."""

    def __init__(self, down: Decimal, up: Decimal, left_low: bool, narrowest: int = 13, widest: int = 49):
        self.down, self.up, self.left_low, self.narrowest, self.widest = down, up, left_low, narrowest, widest

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement(self.narrowest, self.widest).with_maximum(options.max_width)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        half = (options.max_width - 1) // 2
        down, up = _count(self.down, half), _count(self.up, half)
        ends = [(LOW_END, "cyan"), (HIGH_END, "magenta")]
        (left, left_style), (right, right_style) = ends if self.left_low else ends[::-1]
        text = Text(" " * (half - down))
        text.append(left * down, style=left_style)
        text.append("│")
        text.append(right * up, style=right_style)
        yield text


def legend() -> Text:
    text = Text("Bars run from the base: ")
    text.append(f"{LOW_END} input at its low end", style="cyan")
    text.append(", ")
    text.append(f"{HIGH_END} at its high end", style="magenta")
    return text


class Histogram:
    """Bin counts as a row of block characters, each bin as wide as the cell allows; the tallest bin is a full block."""

    def __init__(self, counts: Sequence[int]):
        self.counts = list(counts)

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        bins = len(self.counts)
        return Measurement(bins, bins * 3).with_maximum(max(options.max_width, bins))

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        tallest = max(self.counts, default=0) or 1
        each = max(1, options.max_width // max(len(self.counts), 1))
        levels = [LEVELS[_count(Decimal(c) / tallest, 8)] if c else " " for c in self.counts]
        yield Text("".join(("▁" if c and level == " " else level) * each for c, level in zip(self.counts, levels, strict=True)))


class Axis:
    """The low and high ends of a histogram's axis, under its first and last bins."""

    def __init__(self, low: str, high: str, bins: int):
        self.low, self.high, self.bins = low, high, bins

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement(len(self.low) + len(self.high) + 1, len(self.low) + len(self.high) + 1)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        span = max(self.bins * max(1, options.max_width // max(self.bins, 1)), len(self.low) + len(self.high) + 1)
        yield Text(self.low + " " * (span - len(self.low) - len(self.high)) + self.high)
