"""The public library API: what the CLI calls, and what a Python user calls."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from tco.errors import Problem, TcoError, gather, nearest
from tco.files.pricebooks import Books, Roots, display, load_catalog, load_selection, named_offers
from tco.files.yaml_source import Located, read_yaml

T = TypeVar("T")

if TYPE_CHECKING:
    from tco.engine.compare import CandidateResult, Comparison
    from tco.engine.simulate import Progress, Simulation
    from tco.files.workloads import WorkloadFile

# The compare engine and the workload model are imported where used: `tco runs` needs neither.


def comparison_for(workload_path: Path, as_of: dt.date, pricebooks: Roots = None) -> tuple[Comparison, WorkloadFile]:
    """Load a workload and the price books in force on `as_of` (of the vendors it names), and cost every candidate;
    the problems of the workload, of its candidates' offers and of the price books are reported together."""
    from tco.engine.compare import compare
    from tco.files.workloads import load_workload

    located = read_yaml(workload_path, display(workload_path))
    selection, problems = None, []
    try:
        selection = workload_books(pricebooks, located, workload_path,
                                   lambda books: load_selection(books, as_of, named_offers(located.data)))
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


def workload_books(pricebooks: Roots, located: Located, workload_path: Path, load: Callable[[Roots], T]) -> T:
    """`load` the price books with the workload's own `pricebooks:` directories (relative to its file) laid under
    those given. An entry that is not a directory is an error at its line, and so is a problem in a file of one that
    has no line of its own (a misnamed file), so that every error names the workload's line it comes from."""
    given = located.data.get("pricebooks") if isinstance(located.data, dict) else None
    if not isinstance(given, list) or not given:
        return load(pricebooks)
    dirs: list[tuple[int, Path]] = []
    problems = []
    for i, entry in enumerate(given):
        if not isinstance(entry, str):
            continue  # the workload's own validation says what is wrong with it
        path = (workload_path.parent / entry).resolve()
        if not path.is_dir():
            found = "is a file; expected a price-book directory" if path.exists() else f"no such price-book directory ({display(path)})"
            problems.append(located.problem(("pricebooks", i), found))
        dirs.append((i, path))
    if problems:
        raise TcoError(problems)
    try:
        return load(Books.of(pricebooks).under([d for _, d in dirs]))
    except TcoError as e:
        raise TcoError([_at_entry(p, located, dirs) for p in e.problems]) from None


def _at_entry(problem: Problem, located: Located, dirs: list[tuple[int, Path]]) -> Problem:
    """A problem without a line in a file under a workload's price-book directory, placed at that entry's line."""
    if problem.line is not None or not problem.file:
        return problem
    where = Path(problem.file).resolve()
    for i, d in reversed(dirs):
        if where == d or d in where.parents:
            return located.problem(("pricebooks", i), f"{problem.file}: {problem.message}")
    return problem


def simulation_for(comparison: Comparison, source: WorkloadFile, draws: int, seed: int = 0,
                   progress: Progress | None = None) -> Simulation:
    """`draws` joint draws of the workload's ranges, every candidate costed on each."""
    from tco.engine.simulate import check_draws, simulate

    check_draws(draws)
    try:
        return simulate(source.workload, comparison, draws, seed, progress, source.located.aliases)
    except TcoError as e:
        raise source.locate(e) from None


def run_compare(workload_path: Path, as_of: dt.date, pricebooks: Roots = None,
                sort: str = "cost_per_completed_task", draws: int | None = None, seed: int = 0,
                progress: Progress | None = None, break_even: bool = True) -> dict[str, Any]:
    """The comparison as the JSON-ready document of the output contract; with `draws`, simulated too. Without
    `break_even` (a view that does not show it), the break-even success rates are not solved."""
    from tco.engine.compare import ranked_by
    from tco.report.document import document

    comparison, source = comparison_for(workload_path, as_of, pricebooks)
    sim = simulation_for(comparison, source, draws, seed, progress) if draws is not None else None
    comparison = dataclasses.replace(comparison, results=ranked_by(comparison.results, sort))
    return document(comparison, source, sim, break_even or sort == "break_even_success_rate")


def run_history(workload_path: Path, start: dt.date | None, end: dt.date,
                pricebooks: Roots = None) -> dict[str, Any]:
    """Each candidate's costs at every date from `start` to `end` on which a price book it uses changed, as a
    JSON-ready document."""
    from tco.engine.history import history
    from tco.files.workloads import load_workload
    from tco.report.history import document

    located = read_yaml(workload_path, display(workload_path))
    source, catalog = gather(lambda: load_workload(located),
                             lambda: workload_books(pricebooks, located, workload_path, load_catalog))
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


def run_sensitivity(workload_path: Path, as_of: dt.date, pricebooks: Roots = None,
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


def run_breakeven(workload_path: Path, as_of: dt.date, a: str, b: str, vary: str, pricebooks: Roots = None,
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


# -- measured runs ----------------------------------------------------------------------------------------------

def _since(text: str | None, today: dt.date) -> str | None:
    """`--since`: a date, or `Nd` days before today."""
    if text is None:
        return None
    if text.endswith("d") and text[:-1].isdigit():
        try:
            return (today - dt.timedelta(days=int(text[:-1]))).isoformat()
        except OverflowError:
            raise TcoError(f"--since: {text!r} reaches back before year 1; give fewer days, or a date "
                           "(YYYY-MM-DD)") from None
    try:
        return dt.date.fromisoformat(text).isoformat()
    except ValueError:
        raise TcoError(f"--since: {text!r} is neither a date (YYYY-MM-DD) nor a number of days (e.g. 30d)") from None


def _records_and_pricing(files: list[Path], as_of: dt.date, pricebooks: Roots, skip_bad: bool,
                         content: str = "prose", progress: Progress | None = None) -> tuple[Any, Any]:
    from tco.engine.runs import pricing_for
    from tco.files.runs import read_records

    if progress:
        progress(0, 2)
    records = read_records(files, skip_bad)
    if progress:
        progress(1, 2)
    names = [r["model"] for r in records.rows("SELECT DISTINCT model FROM calls ORDER BY model")]
    selection = load_catalog(pricebooks, in_force=as_of).as_of(as_of)
    return records, pricing_for(names, selection, content)  # type: ignore[arg-type]


def _runs_header(records: Any, pricing: Any, as_of: dt.date) -> dict[str, Any]:
    return {"schema_version": 1, "as_of": as_of.isoformat(), "currency": "USD", "files": records.files,
            "adapters": {s.file: s.adapter.name for s in records.sources}, "calls": records.calls,
            "bad_rows": [{"file": b.file, "count": b.count, "examples": b.examples} for b in records.bad],
            "unpriced_models": pricing.unpriced}


def run_runs_summary(files: list[Path], as_of: dt.date, by: str = "model", since: str | None = None,
                     pricebooks: Roots = None, skip_bad: bool = False,
                     progress: Progress | None = None) -> dict[str, Any]:
    """Runs, success, calls, tokens and cost per group of the call records in `files`, as a JSON-ready document."""
    from tco.engine.runs import summarise, summary_sql

    records, pricing = _records_and_pricing(files, as_of, pricebooks, skip_bad, progress=progress)
    start = _since(since, dt.date.today())
    groups = [summarise(row) for row in records.rows(summary_sql(pricing, by, start))]
    return {**_runs_header(records, pricing, as_of), "by": by, "since": start, "groups": groups}


def runs_summary_sql(dialect: str, as_of: dt.date, by: str = "model", since: str | None = None,
                     pricebooks: Roots = None) -> str:
    """The summary's aggregation query over a table `calls`, in a warehouse's dialect, every bundled per-token
    offer priced by its id and its model id."""
    from tco.engine.runs import bundled_pricing, summary_sql, transpile

    pricing = bundled_pricing(load_catalog(pricebooks, in_force=as_of).as_of(as_of))
    return transpile(summary_sql(pricing, by, _since(since, dt.date.today())), dialect)


def read_aggregated(path: Path, by: str = "model", as_of: dt.date | None = None) -> dict[str, Any]:
    """The summary from a CSV of the aggregation query's result (run in the user's own warehouse)."""
    import csv

    from tco.engine.runs import summarise
    from tco.files.pricebooks import display

    file = display(path)
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            rows = [{k.lower(): v for k, v in row.items()} for row in csv.DictReader(f)]
    except OSError as e:
        raise TcoError(f"{file}: cannot be read: {e.strerror}") from None
    try:
        groups = [summarise(row) for row in rows]
    except KeyError as e:
        raise TcoError(f"{file}: column {e.args[0]}: missing; expected the result of `tco runs summary --sql DIALECT`") from None
    except (ArithmeticError, ValueError) as e:
        raise TcoError(f"{file}: not a number where one was expected ({e})") from None
    calls = sum(g["calls"] for g in groups)
    return {"schema_version": 1, "as_of": None if as_of is None else as_of.isoformat(), "currency": "USD",
            "files": [], "aggregated": file, "calls": calls, "bad_rows": [], "unpriced_models": [], "by": by,
            "since": None, "groups": groups}


def run_runs_reprice(files: list[Path], offers: list[str], as_of: dt.date, since: str | None = None,
                     pricebooks: Roots = None, skip_bad: bool = False, content: str = "prose",
                     progress: Progress | None = None) -> dict[str, Any]:
    """What the runs in `files` cost as billed and on each of `offers`, as a JSON-ready document."""
    from tco.engine.runs import per_token_offer, reprice_sql, repriced

    records, pricing = _records_and_pricing(files, as_of, pricebooks, skip_bad, content, progress)
    try:
        refs = [per_token_offer(o, pricing.selection) for o in offers]
    except TcoError:  # the books in force alone cannot say when an offer is on sale: the whole tree can
        refs = [per_token_offer(o, load_catalog(pricebooks).as_of(as_of)) for o in offers]
    [row] = records.rows(reprice_sql(pricing, refs, _since(since, dt.date.today())))
    return {**_runs_header(records, pricing, as_of), "content": content, **repriced(row, refs)}


def run_runs_calibrate(files: list[Path], output: Path, as_of: dt.date, human: dict[str, Decimal],
                       name: str | None = None, tasks: Decimal | None = None, since: str | None = None,
                       pricebooks: Roots = None, skip_bad: bool = False) -> tuple[Any, WorkloadFile]:
    """Write a workload measured from the runs in `files` to `output` (whole or not at all), and load it back."""
    from tco.engine.runs import calibrate_sql, calibration, totals_sql
    from tco.files.output import write_atomic
    from tco.files.workloads import load_workload
    from tco.report.runs import calibrated_yaml

    records, pricing = _records_and_pricing(files, as_of, pricebooks, skip_bad)
    start = _since(since, dt.date.today())
    [totals] = records.rows(totals_sql(start))
    cal = calibration(records.rows(calibrate_sql(pricing, start)), totals, records.files, pricing, tasks)
    workflows = [r["workflow"] for r in records.rows("SELECT DISTINCT workflow FROM calls WHERE workflow IS NOT NULL")]
    title = name or (workflows[0] if len(workflows) == 1 else f"Measured runs from {', '.join(records.files)}")
    write_atomic(output, calibrated_yaml(cal, title, human).encode())
    return cal, load_workload(output)


def run_runs_compare(files: list[Path], as_of: dt.date, baseline: str | None = None, since: str | None = None,
                     pricebooks: Roots = None, skip_bad: bool = False, resamples: int = 2000,
                     seed: int = 0) -> dict[str, Any]:
    """Each candidate against a baseline on the tasks both ran, with paired bootstrap intervals."""
    from tco.engine.runs import paired_bootstrap, paired_sql

    records, pricing = _records_and_pricing(files, as_of, pricebooks, skip_bad)
    by: dict[str, dict[str, tuple[Decimal, bool]]] = {}
    unpriced = 0
    for row in records.rows(paired_sql(pricing, _since(since, dt.date.today()))):
        if row["cost"] is None or row["success"] is None:
            unpriced += 1
            continue
        by.setdefault(row["candidate"], {})[row["task_id"]] = (Decimal(row["cost"]), bool(row["success"]))
    names = sorted(by, key=lambda c: (-len(by[c]), c))
    if len(names) < 2:
        raise TcoError(f"runs compare: needs runs of two candidates with costs and outcomes; found {', '.join(names) or 'none'}")
    if baseline is not None and baseline not in by:
        raise TcoError(f"--baseline: no candidate {baseline!r} in the records; expected one of {', '.join(names)}"
                       f"{nearest(baseline, names)}")
    base = baseline or names[0]
    pairs = []
    for other in (n for n in names if n != base):
        p = paired_bootstrap(base, other, by[base], by[other], resamples, seed)
        pairs.append({"candidate": other, "baseline": base, "shared_tasks": p.shared_tasks,
                      "cost_per_successful_task": [None if v is None else str(v) for v in p.cost_per_success],
                      "cost_difference": None if p.cost_difference is None else str(p.cost_difference),
                      "cost_difference_95": None if p.cost_interval is None else [f"{v:f}" for v in p.cost_interval],
                      "success_rate": [str(v) for v in p.success_rate],
                      "success_difference": str(p.success_difference),
                      "success_difference_95": None if p.success_interval is None else [f"{v:f}" for v in p.success_interval]})
    return {**_runs_header(records, pricing, as_of), "baseline": base, "resamples": resamples, "seed": seed,
            "tasks_without_cost_or_outcome": unpriced, "pairs": pairs}
