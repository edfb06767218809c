"""Monte Carlo over a workload's ranges: N joint draws, costed at once by the one cost model.

Each range is drawn once from its own stream (seeded by the seed and the input's path) and shared by
every candidate it applies to: common random numbers, so differences between candidates are not noise.
Draws are ranked in floats; each reported percentile is then the draw at that rank costed exactly, in
Decimal, so a workload without ranges reports its exact figures and the same seed gives the same output.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np

from tco.engine.compare import FIGURES, Comparison, figures
from tco.engine.draws import Draws, of
from tco.engine.inputs import Input, Path, with_values
from tco.engine.job import Job
from tco.errors import TcoError, dotted
from tco.models.catalog import Selection
from tco.models.workload import Workload

PERCENTILES = (5, 50, 95)
BINS = 20
CHUNK = 100_000
"""Draws costed at once: the engine's temporaries stay near CHUNK × 8 bytes each."""
MAX_DRAWS = 1_000_000
"""Enough for percentiles good to a few parts in ten thousand; memory grows with draws × (ranges + candidates)."""
TIE = 1e-9
"""Costs this close, relative to the lower, tie in a draw (float arithmetic on equal costs can differ in the last bits)."""

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Spread:
    """Percentiles of one figure across the draws."""

    p5: Decimal
    p50: Decimal
    p95: Decimal


@dataclass(frozen=True)
class CandidateSpread:
    success_adjusted_cost: Spread
    cost_per_completed_task: Spread
    period_cost: Spread
    probability_cheapest: Decimal
    """Share of draws in which this candidate is cheapest per completed task."""

    @property
    def p95_over_p50(self) -> Decimal | None:
        """How much worse a bad period's bill is than a typical one."""
        p = self.period_cost
        return p.p95 / p.p50 if p.p50 else None


@dataclass(frozen=True)
class Histogram:
    """Draws of cost per completed task counted in common bins: `counts[c][i]` lie in [edges[i], edges[i+1])."""

    edges: list[Decimal]
    counts: dict[str, list[int]]


@dataclass(frozen=True)
class Simulation:
    draws: int
    seed: int
    inputs: tuple[Input, ...]
    candidates: dict[str, CandidateSpread]
    histogram: Histogram


def stream(seed: int, key: str) -> np.random.Generator:
    """The random stream of one input: the same for the same seed and path, whatever else the workload holds."""
    return np.random.default_rng([seed, zlib.crc32(key.encode())])


def draw_inputs(found: tuple[Input, ...], n: int, seed: int, shared: Mapping[Path, Path]) -> dict[Path, Draws]:
    """Each range's draws; a range that repeats another (`shared`: path → original) takes the original's draws."""
    drawn: dict[Path, Draws] = {}
    for i in found:
        original = shared.get(i.path, i.path)
        if original not in drawn:
            drawn[original] = of(i.range.draw(stream(seed, dotted(original)), n))
        drawn[i.path] = drawn[original]
    return drawn


def _exact(draw: Any, integer: bool) -> Any:
    """One draw as the exact value the Decimal engine costs: shortest decimal that round-trips."""
    return int(draw) if integer else Decimal(repr(float(draw)))


def costed(workload: Workload, values: Mapping[Path, Draws], index: int, selection: Selection, n: int,
           progress: Callable[[], None] | None = None) -> dict[str, np.ndarray]:
    """One candidate's figures over all draws, costed CHUNK draws at a time to bound memory."""
    out = {metric: np.empty(n) for metric in FIGURES}
    for start in range(0, n, CHUNK):
        stop = min(start + CHUNK, n)
        chunk = with_values(workload, {path: v[start:stop] for path, v in values.items()})
        for metric, value in figures(Job.of(chunk, index, selection)).items():
            out[metric][start:stop] = value  # an exact value (no range reached it) fills the chunk
        if progress:
            progress()
    return out


def percentile_draws(values: np.ndarray) -> list[int]:
    """The draws at the 5th, 50th and 95th percentiles (inverted CDF: an actual draw, not an interpolation)."""
    ranks = [max(math.ceil(p * len(values) / 100) - 1, 0) for p in PERCENTILES]
    return [int(d) for d in np.argpartition(values, ranks)[ranks]]


def check_draws(n: int) -> None:
    if not 1 <= n <= MAX_DRAWS:
        raise TcoError(f"--simulate: expected from 1 to {MAX_DRAWS:,} draws, found {n:,}")


def simulate(workload: Workload, comparison: Comparison, n: int, seed: int, progress: Progress | None = None,
             shared: Mapping[Path, Path] | None = None) -> Simulation:
    """Draw the workload's ranges `n` times and cost every candidate of `comparison` on each draw.

    `shared` maps a range's path to another's when both are one uncertain quantity (a YAML alias of an anchor):
    they take the same draws.
    """
    check_draws(n)
    found, selection = comparison.inputs, comparison.selection
    values = draw_inputs(found, n, seed, shared or {})
    steps, done = len(comparison.results) * math.ceil(n / CHUNK), 0

    def step() -> None:
        nonlocal done
        done += 1
        if progress:
            progress(done, steps)

    def exact_figure(index: int, draw: int, metric: str) -> Decimal:
        scenario = with_values(workload, {i.path: _exact(values[i.path][draw], i.range.integer) for i in found})
        return figures(Job.of(scenario, index, selection))[metric]

    cpct, spreads, problems = [], {}, []
    with np.errstate(all="ignore"):
        for r in comparison.results:  # ranked: the rows of `cpct` follow the exact ranking
            try:
                figure = costed(workload, values, r.index, selection, n, step)
            except TcoError as e:
                problems += e.problems
                continue
            cpct.append(figure["cost_per_completed_task"])
            spreads[r.candidate] = {metric: Spread(*(exact_figure(r.index, d, metric) for d in percentile_draws(figure[metric])))
                                    for metric in FIGURES}
    if problems:
        raise TcoError(problems)
    costs = np.stack(cpct)
    names = [r.candidate for r in comparison.results]
    candidates = {name: CandidateSpread(**spreads[name], probability_cheapest=share)
                  for name, share in zip(names, cheapest_shares(costs), strict=True)}
    return Simulation(n, seed, found, candidates, histogram(names, costs))


def cheapest_shares(costs: np.ndarray) -> list[Decimal]:
    """Each row's share of the columns (draws) in which it is cheapest; a tie splits the draw evenly."""
    low = costs.min(axis=0)
    tied = costs <= low + np.abs(low) * TIE
    ways = tied.sum(axis=0)
    shares = [Decimal(0)] * len(costs)
    for k in np.unique(ways):
        counts = tied[:, ways == k].sum(axis=1)
        shares = [share + Decimal(int(c)) / int(k) for share, c in zip(shares, counts, strict=True)]
    return [share / costs.shape[1] for share in shares]


def nice_step(span: float) -> Decimal:
    """A round bin width near `span`: 1, 2 or 5 times a power of ten."""
    exponent = math.floor(math.log10(span))
    for m in (1, 2, 5, 10):
        if m * 10.0**exponent >= span:
            return Decimal(m).scaleb(exponent)
    raise AssertionError("unreachable")


def histogram(names: list[str], values: np.ndarray) -> Histogram:
    """Common round-numbered bins from the pooled 1st to 99th percentile; draws beyond fall in the end bins."""
    low, high = (float(x) for x in np.percentile(values, [1, 99]))
    step = nice_step((high - low) / BINS if high > low else max(abs(low), 1.0) / 100)
    start = (Decimal(repr(low)) / step).to_integral_value(rounding="ROUND_FLOOR") * step
    bins = max(math.ceil((high - float(start)) / float(step)), 1)
    edges = [start + k * step for k in range(bins + 1)]
    counts = {}
    for name, row in zip(names, values, strict=True):  # a row at a time: no temporaries the size of all draws
        at = np.clip(np.floor((row - float(start)) / float(step)), 0, bins - 1).astype(int)
        counts[name] = np.bincount(at, minlength=bins).tolist()
    return Histogram(edges, counts)
