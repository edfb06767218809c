"""Apply a workload to every candidate and rank the results (DESIGN.md, the cost model)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from typing import Any

from tco.engine import architecture, credit, outcome, per_token, provisioned, seat, self_hosted
from tco.engine.architecture import Architecture
from tco.engine.bill import Bearer, Bill
from tco.engine.contract import contract_cost
from tco.engine.fixed_costs import deal
from tco.engine.inputs import Input, at_point, inputs
from tco.engine.job import Job
from tco.engine.people import break_even, cost_per_completed_task, human_baseline
from tco.errors import Problem, TcoError, candidate_error, dotted, nearest
from tco.models.catalog import BookFile, Selection
from tco.models.workload import Workload

SCHEMES = {
    "per_token": per_token.bill,
    "seat": seat.bill,
    "credit": credit.bill,
    "per_resolution": outcome.per_resolution,
    "per_conversation": outcome.per_conversation,
    "provisioned": provisioned.bill,
    "self_hosted": self_hosted.bill,
}


@dataclass(frozen=True)
class Risk:
    fixed_commitment: Decimal
    variable_spend: Decimal
    customer_failure_spend: Decimal
    failure_bearer: Bearer
    volume_bearer: Bearer


@dataclass(frozen=True)
class CandidateResult:
    candidate: str
    offer: str
    scheme: str
    success_rate: Decimal
    expected_attempts: Decimal
    task_success_rate: Decimal
    per_task_cost: Decimal
    success_adjusted_cost: Decimal
    cost_per_completed_task: Decimal
    human_baseline: Decimal
    period_cost: Decimal
    period_tco: Decimal
    risk: Risk
    breakdown: dict[str, object]
    warnings: tuple[str, ...]
    pricebook: BookFile
    index: int = 0
    """The candidate's place in the workload."""
    contract_cost: Decimal | None = None
    """With the workload's term_months: the term's bill, one-off fees counted once."""
    people: bool = True
    """Whether people's costs were given; without them human_baseline and break-even mean nothing."""
    solve_break_even: Callable[[], Decimal | None] = field(default=lambda: None, repr=False, compare=False)
    """Solves for `break_even_success_rate`, which is read far less often than it would cost to compute."""
    offers: tuple[str, ...] = ()
    """Every offer the candidate uses: one, or a route's stages or a chain's steps in order."""
    latency_seconds: Decimal | None = None
    """Expected seconds per task (over attempts and route stages); None where no speed is known."""
    misses_latency: bool | None = None
    """Whether latency_seconds is over the workload's max_latency_seconds (None without a limit)."""
    waiting_cost: Decimal = Decimal(0)
    """Per task: a person waiting `human.waiting_share` of the latency, at hourly_cost (in cost_per_completed_task)."""
    books: tuple[BookFile, ...] = ()
    """The price books of every offer used (a route's or chain's several)."""

    @cached_property
    def break_even_success_rate(self) -> Decimal | None:
        """The per-attempt success rate at which this candidate costs what a person does; None if never."""
        return self.solve_break_even()


@dataclass(frozen=True)
class Comparison:
    workload: Workload
    selection: Selection
    results: list[CandidateResult]
    """Ranked by cost per completed task, cheapest first."""
    inputs: tuple[Input, ...] = ()
    """The workload's ranges; `workload` holds each at its likely value."""

    @property
    def pricebooks(self) -> list[BookFile]:
        used = {b.file: b for r in self.results for b in (r.pricebook, *r.books)}
        for r in self.results:  # books of spill-over and model offers too, a route's or chain's included
            parts = [r.breakdown, *(r.breakdown.get("route") or []), *(r.breakdown.get("chain") or [])]  # type: ignore[misc]
            for part in parts:
                for key in ("spillover_offer", "model"):
                    found = self.selection.find(part[key]) if isinstance(part.get(key), str) else None
                    if found:
                        used[found.source.file] = found.source
        return sorted(used.values(), key=lambda b: (b.vendor, b.version))


def charge(job: Job) -> Bill:
    """The period's bill: the scheme's list charges, less the discount, plus the deal's fixed costs."""
    return deal(job, SCHEMES[job.ref.offer.scheme](job))


def per_task_cost(bill: Bill, job: Job) -> Decimal:
    return bill.period_cost / job.tasks


FIGURES = ("success_adjusted_cost", "cost_per_completed_task", "period_cost")
"""What `figures` returns: the costs simulation, sensitivity and break-even vary."""


def figures(job: Job | Architecture, bill: Bill | None = None) -> dict[str, Any]:
    """The figures simulation, sensitivity and break-even vary, for one job or architecture (and its bill, where
    already charged): Decimals, or draws alike."""
    if not isinstance(job, Job):
        return architecture.figures(job)
    bill = charge(job) if bill is None else bill
    cost = per_task_cost(bill, job)
    waiting = architecture.waiting_cost(job.human, architecture.latency(job))
    return {
        "success_adjusted_cost": cost / job.S,
        "cost_per_completed_task": cost_per_completed_task(cost, job.E, job.S, job.human) + waiting,
        "period_cost": bill.period_cost,
    }


def volume_bearer(bill: Bill) -> Bearer:
    """Who carries a volume surprise: vendor under a flat fee for unbounded use, customer when commitment dominates."""
    if bill.unmetered:
        return "vendor"
    if bill.period_cost and bill.fixed_commitment * 2 > bill.period_cost:
        return "customer"
    return "shared"


def risk_of(bill: Bill) -> Risk:
    """Who pays for what in `bill`: its fixed and variable spend, failure spend and bearers."""
    return Risk(
        fixed_commitment=bill.fixed_commitment,
        variable_spend=bill.period_cost - bill.fixed_commitment,
        customer_failure_spend=bill.customer_failure_spend,
        failure_bearer=bill.failure_bearer,
        volume_bearer=volume_bearer(bill),
    )


def evaluate(job: Job | Architecture) -> CandidateResult:
    if not isinstance(job, Job):
        return architecture.evaluate(job)
    bill = charge(job)
    cost = per_task_cost(bill, job)
    seconds = architecture.latency(job)
    cpct = cost_per_completed_task(cost, job.E, job.S, job.human) + architecture.waiting_cost(job.human, seconds)
    return result(job, bill, cost, cpct, seconds, bill.breakdown, job.notices,
                  candidate=job.candidate.name, offer=job.ref.id, scheme=job.ref.offer.scheme, success_rate=job.s,
                  pricebook=job.ref.source, contract_cost=contract_cost(job, bill), offers=(job.ref.id,),
                  books=(job.ref.source,))


def result(job: Job | Architecture, bill: Bill, cost: Decimal, cpct: Decimal, seconds: Any,
           breakdown: dict[str, Any], notices: tuple[str, ...], **named: Any) -> CandidateResult:
    """A candidate's result from its bill, cost per task and per completed task, and latency; `named` are the
    fields a plain candidate and a route or chain fill in differently (its name, offers, schemes, books)."""
    E, S = job.E, job.S
    baseline = human_baseline(job.human)

    def cpct_at(s: Decimal) -> Decimal:
        return figures(job.with_success_rate(s))["cost_per_completed_task"]

    return CandidateResult(
        expected_attempts=E,
        task_success_rate=S,
        per_task_cost=cost,
        success_adjusted_cost=cost / S,
        cost_per_completed_task=cpct,
        human_baseline=baseline,
        period_cost=bill.period_cost,
        period_tco=job.tasks * cpct,
        risk=risk_of(bill),
        breakdown={"expected_attempts": E, "task_success_rate": S, **breakdown},
        warnings=notices + bill.warnings + architecture._latency_warnings(job, seconds),
        index=job.index,
        people=job.people,
        solve_break_even=(lambda: break_even(cpct_at, baseline)) if job.people else (lambda: None),
        latency_seconds=seconds,
        misses_latency=architecture.misses(job.workload, seconds),
        waiting_cost=architecture.waiting_cost(job.human, seconds),
        **named,
    )


def compare(workload: Workload, selection: Selection) -> Comparison:
    """Cost every candidate of `workload` on the price books in `selection`, cheapest per completed task first.

    Ranges count as their likely values here; `tco.engine.simulate` draws them.
    """
    found = inputs(workload)
    workload = at_point(workload, found)
    results, problems = [], []
    problems += unknown_tokenizers(workload, selection)
    if problems:
        raise TcoError(problems)
    names: dict[str, int] = {}
    for index, candidate in enumerate(workload.candidates):
        if candidate.name in names:
            problems += candidate_error(index, "label", f"{candidate.name!r} is also candidates[{names[candidate.name]}]'s name; "
                                                        "give one of them a different `label:`").problems
            continue
        names[candidate.name] = index
        try:
            results.append(evaluate(architecture.plan(workload, index, selection)))
        except TcoError as e:
            problems += e.problems
    if problems:
        raise TcoError(problems)
    return Comparison(workload, selection, ranked_by(results, "cost_per_completed_task"), tuple(found))


def unknown_tokenizers(workload: Workload, selection: Selection) -> list[Problem]:
    """The workload's and each candidate's `tokenizer` that the tokenizer table does not have."""
    known = selection.tokenizers.tokenizers
    named = [(("tokenizer",), workload.tokenizer)]
    for i, c in enumerate(workload.candidates):
        legs = [((), c)] + [((key, k), leg) for key in ("route", "chain") for k, leg in enumerate(getattr(c, key) or [])]
        named += [(("candidates", i, *at, "tokenizer"), leg.tokenizer) for at, leg in legs if leg.tokenizer]
    return [Problem("", None, dotted(path), f"unknown tokenizer {name!r}{nearest(name, known)}", path)
            for path, name in named if name not in known]


SORT_FIELDS = ("cost_per_completed_task", "success_adjusted_cost", "per_task_cost", "period_cost", "period_tco",
               "break_even_success_rate", "candidate")


def ranked_by(results: list[CandidateResult], field: str) -> list[CandidateResult]:
    """Results ordered by `field`, ascending (names alphabetically; no break-even last)."""
    def key(r: CandidateResult) -> tuple:
        value = getattr(r, field)
        return (value is None, value if value is not None else 0, r.candidate)

    return sorted(results, key=key)


@dataclass(frozen=True)
class Verdict:
    """The one-line answer: the cheapest candidate per completed task, by how much, and against people."""

    best: CandidateResult
    runner_up: CandidateResult | None
    beats_human: bool | None
    """None when the workload gives no people's costs: the verdict then compares vendors only."""

    @property
    def margin(self) -> Decimal | None:
        """How much more the runner-up costs per completed task."""
        return None if self.runner_up is None else self.runner_up.cost_per_completed_task - self.best.cost_per_completed_task


def verdict(comparison: Comparison) -> Verdict:
    ranked = ranked_by(comparison.results, "cost_per_completed_task")
    best = ranked[0]
    runner_up = ranked[1] if len(ranked) > 1 else None
    beats = best.cost_per_completed_task < best.human_baseline if best.people else None
    return Verdict(best, runner_up, beats)
