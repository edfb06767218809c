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

from tco.engine.architecture import Architecture, plan
from tco.engine.compare import FIGURES, Comparison, figures
from tco.engine.draws import Draws, of
from tco.engine.inputs import Input, Path, with_values
from tco.engine.job import Job
from tco.errors import TcoError, dotted
from tco.models.catalog import Selection
from tco.models.workload import Workload

PERCENTILES = (5, 50, 95)
BINS = 20
CHUNK = 10_000
"""Draws costed at once, and the unit in which each range is seeded: any chunk of any range can be drawn again on
its own, so a candidate's draws need not be kept while the others are costed."""
MAX_DRAWS = 1_000_000
"""Enough for percentiles good to a few parts in ten thousand."""
KEPT_COSTS = 25_000_000
"""Costs per completed task (candidates × draws) kept between the two passes (200 MB); past it they are costed again."""
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


def stream(seed: int, key: str, chunk: int = 0) -> np.random.Generator:
    """The random stream of one chunk of one input: the same for the same seed, path and chunk, whatever else the
    workload holds."""
    return np.random.default_rng([seed, zlib.crc32(key.encode()), chunk])


def chunks(n: int) -> list[tuple[int, int]]:
    """The draws [start, stop) of each chunk."""
    return [(start, min(start + CHUNK, n)) for start in range(0, n, CHUNK)]


class Drawer:
    """The draws of a workload's ranges, a chunk at a time.

    A range that repeats another (`shared`: path → original, a YAML alias) takes the original's draws. Ranges that
    every candidate shares are drawn once and kept; a candidate's own are drawn again whenever they are needed, so
    what is kept does not grow with the number of candidates.
    """

    def __init__(self, found: tuple[Input, ...], n: int, seed: int, shared: Mapping[Path, Path]):
        self.found, self.n, self.seed = found, n, seed
        ranges = {i.path: i.range for i in found}
        self.origin = {i.path: shared.get(i.path, i.path) for i in found}
        self.range = {path: ranges.get(original, ranges[path]) for path, original in self.origin.items()}
        self.reaching: dict[int | None, list[Path]] = {}
        """The ranges of each candidate's own (None: those every candidate shares)."""
        for i in found:
            self.reaching.setdefault(i.candidate, []).append(i.path)
        self.kept: dict[Path, Draws] = {}
        self.last: tuple[tuple[int, int] | None, dict[Path, Draws]] = (None, {})
        for i in found:
            original = self.origin[i.path]
            if original[0] != "candidates" and original not in self.kept:
                self.kept[original] = of(np.concatenate([self._draw(i.path, k) for k in range(len(chunks(n)))]))

    def _span(self, k: int) -> tuple[int, int]:
        """The draws [start, stop) of chunk `k`."""
        return k * CHUNK, min((k + 1) * CHUNK, self.n)

    def _draw(self, path: Path, k: int) -> np.ndarray:
        start, stop = self._span(k)
        return self.range[path].draw(stream(self.seed, dotted(self.origin[path]), k), stop - start)

    def chunk(self, path: Path, k: int) -> Draws:
        kept = self.kept.get(self.origin[path])
        if kept is not None:
            start, stop = self._span(k)
            return kept[start:stop]
        return of(self._draw(path, k))

    def of_candidate(self, index: int, k: int) -> dict[Path, Draws]:
        """Chunk `k` of every range that reaches candidate `index` (the last one asked for is kept: a candidate's
        percentile draws mostly fall in the chunks just costed)."""
        if self.last[0] != (index, k):
            self.last = ((index, k), {path: self.chunk(path, k)
                                      for path in (*self.reaching.get(None, ()), *self.reaching.get(index, ()))})
        return self.last[1]

    def at(self, index: int, draw: int) -> dict[Path, Any]:
        """Draw number `draw` of every range that reaches candidate `index`, as the exact values the Decimal engine costs."""
        k, at = divmod(draw, CHUNK)
        return {path: _exact(values[at], self.range[path].integer) for path, values in self.of_candidate(index, k).items()}


def draw_inputs(found: tuple[Input, ...], n: int, seed: int, shared: Mapping[Path, Path]) -> dict[Path, Draws]:
    """Every range's `n` draws at once (for checks and small runs; `simulate` draws a chunk at a time)."""
    drawer = Drawer(found, n, seed, shared)
    return {i.path: of(np.concatenate([drawer.chunk(i.path, k) for k in range(len(chunks(n)))])) for i in found}


def _exact(draw: Any, integer: bool) -> Any:
    """One draw as the exact value the Decimal engine costs: shortest decimal that round-trips."""
    return int(draw) if integer else Decimal(repr(float(draw)))


def candidate_job(workload: Workload, index: int, selection: Selection, values: Mapping[Path, Any]) -> Job | Architecture:
    """Candidate `index`'s job with `values` (its inputs only) put in place: the cost does not grow with the others."""
    return plan(with_values(workload, values), index, selection)


def costed_chunk(workload: Workload, drawer: Drawer, index: int, selection: Selection, k: int) -> dict[str, Any]:
    """One candidate's figures over chunk `k` of the draws (an exact value where no range reaches a figure)."""
    return figures(candidate_job(workload, index, selection, drawer.of_candidate(index, k)))


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
    they take the same draws. Two passes, each linear in candidates × draws: one candidate at a time for its
    percentiles, then one chunk of draws at a time across candidates for the chance of being cheapest and the
    histogram. Memory holds one candidate's draws and one chunk of every candidate's, not all of them.
    """
    check_draws(n)
    selection, results = comparison.selection, comparison.results
    drawer = Drawer(comparison.inputs, n, seed, shared or {})
    kept = np.empty((len(results), n)) if len(results) * n <= KEPT_COSTS else None
    steps = len(chunks(n)) * len(results) * (1 if kept is not None else 2)
    done = 0

    def step() -> None:
        nonlocal done
        done += 1
        if progress:
            progress(done, steps)

    spreads, problems = {}, []
    with np.errstate(all="ignore"):
        for row, r in enumerate(results):  # ranked: the rows follow the exact ranking
            try:
                figure = {metric: np.empty(n) for metric in FIGURES}
                for k, (start, stop) in enumerate(chunks(n)):
                    for metric, value in costed_chunk(workload, drawer, r.index, selection, k).items():
                        figure[metric][start:stop] = value
                    step()
            except TcoError as e:
                problems += e.problems
                continue
            if kept is not None:
                kept[row] = figure["cost_per_completed_task"]
            exact: dict[int, dict[str, Decimal]] = {}
            for metric in FIGURES:
                for d in percentile_draws(figure[metric]):
                    if d not in exact:
                        exact[d] = figures(candidate_job(workload, r.index, selection, drawer.at(r.index, d)))
            spreads[r.candidate] = {metric: Spread(*(exact[d][metric] for d in percentile_draws(figure[metric])))
                                    for metric in FIGURES}
        if problems:
            raise TcoError(problems)

        def costs(k: int, start: int, stop: int) -> np.ndarray:
            """Every candidate's cost per completed task over chunk `k`: candidates × draws."""
            if kept is not None:
                return kept[:, start:stop]
            rows = np.empty((len(results), stop - start))
            for row, r in enumerate(results):
                rows[row] = costed_chunk(workload, drawer, r.index, selection, k)["cost_per_completed_task"]
                step()
            return rows

        names = [r.candidate for r in results]
        tally, bins = Tally(len(results)), None
        for k, (start, stop) in enumerate(chunks(n)):
            chunk = costs(k, start, stop)
            tally.add(chunk)
            bins = bins or Bins.of(chunk)
            bins.add(chunk)
    candidates = {name: CandidateSpread(**spreads[name], probability_cheapest=share)
                  for name, share in zip(names, tally.shares(n), strict=True)}
    return Simulation(n, seed, comparison.inputs, candidates, bins.histogram(names))


class Tally:
    """How often each candidate is cheapest per completed task, chunk by chunk; a tie splits the draw evenly."""

    def __init__(self, candidates: int):
        self.by_ways: dict[int, np.ndarray] = {}
        """For each number of candidates tied for cheapest, the draws in which each candidate was one of them."""
        self.candidates = candidates

    def add(self, costs: np.ndarray) -> None:
        low = costs.min(axis=0)
        tied = costs <= low + np.abs(low) * TIE
        ways = tied.sum(axis=0)
        for k in np.unique(ways):
            counts = tied[:, ways == k].sum(axis=1)
            self.by_ways[int(k)] = self.by_ways.get(int(k), 0) + counts

    def shares(self, draws: int) -> list[Decimal]:
        shares = [Decimal(0)] * self.candidates
        for k, counts in sorted(self.by_ways.items()):
            shares = [share + Decimal(int(c)) / k for share, c in zip(shares, counts, strict=True)]
        return [share / draws for share in shares]


def nice_step(span: float) -> Decimal:
    """A round bin width near `span`: 1, 2 or 5 times a power of ten."""
    exponent = math.floor(math.log10(span))
    for m in (1, 2, 5, 10):
        if m * 10.0**exponent >= span:
            return Decimal(m).scaleb(exponent)
    raise AssertionError("unreachable")


@dataclass
class Bins:
    """Common round-numbered bins of cost per completed task; draws beyond them fall in the end bins."""

    start: Decimal
    step: Decimal
    counts: np.ndarray
    """candidates × bins"""

    @classmethod
    def of(cls, costs: np.ndarray) -> Bins:
        """Bins from the pooled 1st to 99th percentile of `costs` (the first chunk: all draws up to CHUNK)."""
        low, high = (float(x) for x in np.percentile(costs, [1, 99]))
        step = nice_step((high - low) / BINS if high > low else max(abs(low), 1.0) / 100)
        start = (Decimal(repr(low)) / step).to_integral_value(rounding="ROUND_FLOOR") * step
        bins = max(math.ceil((high - float(start)) / float(step)), 1)
        return cls(start, step, np.zeros((len(costs), bins), dtype=np.int64))

    def add(self, costs: np.ndarray) -> None:
        bins = self.counts.shape[1]
        for row, values in enumerate(costs):
            at = np.clip(np.floor((values - float(self.start)) / float(self.step)), 0, bins - 1).astype(int)
            self.counts[row] += np.bincount(at, minlength=bins)

    def histogram(self, names: list[str]) -> Histogram:
        edges = [self.start + k * self.step for k in range(self.counts.shape[1] + 1)]
        return Histogram(edges, {name: row.tolist() for name, row in zip(names, self.counts, strict=True)})
