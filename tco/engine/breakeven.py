"""Where two candidates cost the same per completed task as one input varies (`tco breakeven`).

(The break-even success rate against a person doing the task by hand is tco.engine.people.)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal
from typing import Any

from tco.engine.compare import CandidateResult, Comparison
from tco.engine.inputs import Path, number_kind, value_at
from tco.engine.sensitivity import cost_at
from tco.errors import TcoError, dotted

GRID = 400
"""Points scanned for a change of sign; each change is then narrowed by bisection."""
SPAN = 1000
"""With no upper bound, the scan runs to this many times the likely value."""
DIGITS = 6
"""Significant digits a crossing of a continuous input is found to."""
TIE = Decimal("1e-12")
"""Costs this close, relative to the larger, are the same."""


@dataclass(frozen=True)
class Crossing:
    """A value of the input at which the cheaper candidate changes."""

    value: Any
    """The smallest value (to the precision searched) with the order found above it."""
    a_cost: Decimal
    b_cost: Decimal
    cheaper_below: str | None
    """None: they cost the same below."""
    cheaper_above: str | None
    """None: they cost the same above."""


@dataclass(frozen=True)
class Breakeven:
    a: CandidateResult
    b: CandidateResult
    path: Path
    likely: Any
    low: Any
    high: Any
    """The range searched."""
    crossings: list[Crossing]
    cheaper_throughout: str | None = None
    """With no crossing: the candidate cheaper over the whole range searched (None if they cost the same, or cross)."""

    @property
    def key(self) -> str:
        return dotted(self.path)


def _grid(low: Decimal, high: Decimal, integer: bool, geometric: bool) -> list[Any]:
    if geometric:
        start = max(low, high / 10**6)
        factor = (high / start) ** (Decimal(1) / GRID)
        points = [low, *(start * factor**k for k in range(GRID)), high]
    else:
        points = [low + (high - low) * k / GRID for k in range(GRID + 1)]
    if integer:
        return sorted({int(p.to_integral_value()) for p in points if low <= p.to_integral_value() <= high})
    return points


def _sig(value: Decimal) -> Decimal:
    return value.quantize(Decimal(1).scaleb(value.adjusted() - DIGITS + 1), ROUND_CEILING) if value else value


def breakeven(comparison: Comparison, a: CandidateResult, b: CandidateResult, path: Path,
              low: Decimal | None = None, high: Decimal | None = None) -> Breakeven:
    """Every value of the input at `path`, within its valid range (or `low`…`high`), at which a and b swap places."""
    kind = number_kind(path)
    assert kind is not None
    bounds, integer = kind.bounds, kind.integer
    likely = value_at(comparison.workload, path)
    for end, name in ((low, "--from"), (high, "--to")):
        below = end is not None and bounds.low is not None and (end < bounds.low or end == bounds.low and bounds.low_open)
        above = end is not None and bounds.high is not None and (end > bounds.high or end == bounds.high and bounds.high_open)
        if below or above:
            raise TcoError(f"{name}: {end} is outside the values {dotted(path)} can take")
    low = low if low is not None else (bounds.low if bounds.low is not None else Decimal(0))
    high = high if high is not None else (bounds.high if bounds.high is not None else max(Decimal(likely) * SPAN, Decimal(1)))
    if low >= high:
        raise TcoError(f"--from {low} --to {high}: the search needs --from below --to")

    def sign(x: Any) -> int:
        """+1 where a costs more, −1 where b does, 0 where they cost the same (to 12 significant places)."""
        costs = cost_at(comparison, a.index, {path: x}), cost_at(comparison, b.index, {path: x})
        d = costs[0] - costs[1]
        return 0 if abs(d) <= max(map(abs, costs)) * TIE else (d > 0) - (d < 0)

    points = [p for p in _grid(low, high, integer, bounds.high is None)
              if not (p == bounds.low and bounds.low_open or p == bounds.high and bounds.high_open)]
    runs: list[tuple[Any, Any, int]] = []  # (first x, last x, sign) of each run of equal signs
    for x in points:
        s = sign(x)
        if runs and runs[-1][2] == s:
            runs[-1] = (runs[-1][0], x, s)
        else:
            runs.append((x, x, s))
    # a tie at a single grid point between opposite orders is a crossing there, not two changes
    runs = [r for i, r in enumerate(runs) if not (r[2] == 0 and r[0] == r[1] and 0 < i < len(runs) - 1)]
    crossings = []
    for before, after in zip(runs, runs[1:], strict=False):
        if before[2] != after[2]:
            x = _narrow(before[1], after[0], lambda v, s=before[2]: sign(v) != s, integer)
            crossings.append(Crossing(x, cost_at(comparison, a.index, {path: x}), cost_at(comparison, b.index, {path: x}),
                                      _cheaper(a, b, before[2]), _cheaper(a, b, after[2])))
    throughout = _cheaper(a, b, runs[0][2]) if len(runs) == 1 else None
    return Breakeven(a, b, path, likely, low, high, crossings, throughout)


def _cheaper(a: CandidateResult, b: CandidateResult, sign: int) -> str | None:
    return None if sign == 0 else (b if sign > 0 else a).candidate


def _narrow(lo: Any, hi: Any, changed: Callable[[Any], bool], integer: bool) -> Any:
    """The smallest value in (lo, hi] where `changed` holds, given it holds at hi, by bisection."""
    while (hi - lo > 1) if integer else (hi - lo > abs(hi) * Decimal(10) ** -(DIGITS + 2)):
        mid = (lo + hi) // 2 if integer else (lo + hi) / 2
        lo, hi = (lo, mid) if changed(mid) else (mid, hi)
    return hi if integer else _sig(hi)
