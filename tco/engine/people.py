"""People's time: review of every attempt, a person finishing each failed task, and the human baseline."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

from tco.models.workload import Human

SIXTY = Decimal(60)


def human_baseline(human: Human) -> Decimal:
    """A person doing the task by hand: H · task_minutes / 60."""
    return human.hourly_cost * human.task_minutes / SIXTY


def cost_per_completed_task(per_task_cost: Decimal, E: Decimal, S: Decimal, human: Human) -> Decimal:
    """Vendor charge + review of every attempt + a person finishing each failed task (DESIGN.md step 6)."""
    review = E * human.hourly_cost * human.review_minutes / SIXTY
    failure = (1 - S) * (human_baseline(human) + human.failure_cost)
    return per_task_cost + review + failure


GRID = 1000
PRECISION = Decimal("0.000001")
TOLERANCE = 1e-9
"""Relative slack of the float scan: float arithmetic is far closer than this to the exact cost."""


def break_even(cost_at: Callable[[Decimal], Decimal], baseline: Decimal) -> Decimal | None:
    """The smallest per-attempt success rate, to 6 places, at which `cost_at(s)` ≤ `baseline`; None if none in (0, 1].

    A scan finds the first grid point that breaks even, then bisection narrows the step before it; no
    closed form is needed, so every scheme (fixed fees, allowances, spill-over) is solved the same way.
    `cost_at` takes an exact rate or an array of them (the engine runs on both).
    """
    steps = int(1 / PRECISION)
    stride = steps // GRID

    def ok(k: int) -> bool:
        return cost_at(Decimal(k) * PRECISION) <= baseline

    first = next((k for k in _may_break_even(cost_at, baseline, range(stride, steps + 1, stride)) if ok(k)), None)
    if first is None:
        return None
    lo, hi = first - stride, first  # ok(hi); lo is 0 or fails
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if mid > 0 and ok(mid):
            hi = mid
        else:
            lo = mid
    return Decimal(hi) * PRECISION


def _may_break_even(cost_at: Callable[[Any], Any], baseline: Decimal, grid: range) -> Iterable[int]:
    """The grid points, in order, that may break even: the whole grid costed at once in floats, with slack, so the
    exact scan checks one or two points instead of up to a thousand; every point where the float model cannot run."""
    import numpy as np

    from tco.engine.draws import of
    from tco.errors import TcoError

    try:
        with np.errstate(all="ignore"):
            costs = np.broadcast_to(np.asarray(cost_at(of([k / (grid.stop - 1) for k in grid])), dtype=float), len(grid))
    except TcoError:
        return grid
    limit = float(baseline) * (1 + TOLERANCE) + TOLERANCE
    return [k for k, cost in zip(grid, costs, strict=True) if not cost > limit]  # NaN: let the exact scan decide
