"""The public library API: what the CLI calls, and what a Python user calls."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tco.engine.compare import CandidateResult, Comparison, compare, ranked_by
from tco.errors import TcoError, gather, nearest
from tco.files.pricebooks import display, load_catalog, load_selection, named_offers
from tco.files.workloads import WorkloadFile, load_workload
from tco.files.yaml_source import read_yaml

if TYPE_CHECKING:
    from tco.engine.simulate import Progress, Simulation


def comparison_for(workload_path: Path, as_of: dt.date, pricebooks: Path | None = None) -> tuple[Comparison, WorkloadFile]:
    """Load a workload and the price books in force on `as_of` (of the vendors it names), and cost every candidate;
    the problems of the workload, of its candidates' offers and of the price books are reported together."""
    located = read_yaml(workload_path, display(workload_path))
    selection, problems = None, []
    try:
        selection = load_selection(pricebooks, as_of, named_offers(located.data))
    except TcoError as e:
        problems = e.problems
    try:
        source = load_workload(located, selection)
    except TcoError as e:
        problems = e.problems + problems
    if problems:
        raise TcoError(problems)
    try:
        return compare(source.workload, selection), source
    except TcoError as e:
        raise source.locate(e) from None


def simulation_for(comparison: Comparison, source: WorkloadFile, draws: int, seed: int = 0,
                   progress: Progress | None = None) -> Simulation:
    """`draws` joint draws of the workload's ranges, every candidate costed on each."""
    from tco.engine.simulate import check_draws, simulate

    check_draws(draws)
    try:
        return simulate(source.workload, comparison, draws, seed, progress, source.located.aliases)
    except TcoError as e:
        raise source.locate(e) from None


def run_compare(workload_path: Path, as_of: dt.date, pricebooks: Path | None = None,
                sort: str = "cost_per_completed_task", draws: int | None = None, seed: int = 0,
                progress: Progress | None = None) -> dict[str, Any]:
    """The comparison as the JSON-ready document of the output contract; with `draws`, simulated too."""
    from tco.report.document import document

    comparison, source = comparison_for(workload_path, as_of, pricebooks)
    sim = simulation_for(comparison, source, draws, seed, progress) if draws is not None else None
    comparison = dataclasses.replace(comparison, results=ranked_by(comparison.results, sort))
    return document(comparison, source, sim)


def run_history(workload_path: Path, start: dt.date | None, end: dt.date,
                pricebooks: Path | None = None) -> dict[str, Any]:
    """Each candidate's costs at every date from `start` to `end` on which a price book it uses changed, as a
    JSON-ready document."""
    from tco.engine.history import history
    from tco.report.history import document

    source, catalog = gather(lambda: load_workload(workload_path), lambda: load_catalog(pricebooks))
    try:
        return document(history(source.workload, catalog, start, end), source)
    except TcoError as e:
        raise source.locate(e) from None


def candidate_named(comparison: Comparison, name: str, option: str) -> CandidateResult:
    """The result of the candidate called `name`, or an error naming the nearest."""
    names = [r.candidate for r in comparison.results]
    for r in comparison.results:
        if r.candidate == name:
            return r
    raise TcoError(f"{option}: no candidate {name!r} in the workload; expected one of {', '.join(names)}{nearest(name, names)}")


def run_sensitivity(workload_path: Path, as_of: dt.date, pricebooks: Path | None = None,
                    candidate: str | None = None) -> dict[str, Any]:
    """The tornado of one candidate (default: the cheapest) as a JSON-ready document."""
    from tco.engine.sensitivity import tornado
    from tco.report.sensitivity import document

    comparison, source = comparison_for(workload_path, as_of, pricebooks)
    chosen = comparison.results[0] if candidate is None else candidate_named(comparison, candidate, "--candidate")
    try:
        return document(comparison, source, tornado(comparison, chosen))
    except TcoError as e:
        raise source.locate(e) from None


def run_breakeven(workload_path: Path, as_of: dt.date, a: str, b: str, vary: str, pricebooks: Path | None = None,
                  low: Decimal | None = None, high: Decimal | None = None) -> dict[str, Any]:
    """Where candidates `a` and `b` cost the same per completed task as input `vary` moves, as a JSON-ready document."""
    from tco.engine.breakeven import breakeven
    from tco.engine.inputs import resolve
    from tco.report.breakeven import document

    comparison, source = comparison_for(workload_path, as_of, pricebooks)
    first, second = candidate_named(comparison, a, "A"), candidate_named(comparison, b, "B")
    if first is second:
        raise TcoError(f"A and B: both are {a!r}; name two different candidates")
    try:
        found = breakeven(comparison, first, second, resolve(comparison.workload, first.index, vary), low, high)
    except TcoError as e:
        raise source.locate(e) from None
    return document(comparison, source, found)
