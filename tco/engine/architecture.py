"""Architectures as candidates: a route of stages (a task moves on when a stage fails, after its attempts) or a chain
of steps (all run on every attempt), each stage or step an offer billed as a plain candidate's would be, on the
volume that reaches it; and the latency of every candidate, plain or not."""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any, Literal

from tco.engine.bill import Bearer, Bill
from tco.engine.elementwise import possibly, ratio
from tco.engine.fixed_costs import one_offs, per_period
from tco.engine.job import NO_PEOPLE, Job
from tco.engine.people import SIXTY, human_baseline
from tco.errors import candidate_error
from tco.models.catalog import BookFile, Selection
from tco.models.workload import Candidate, Human, Pricing, Workload

HOUR = Decimal(3600)


def attempt_latency(job: Job) -> Any:
    """Seconds one attempt takes: calls per attempt × (ttft + (output + reasoning tokens) / output speed), tokens in
    the offer's tokenizer; None when neither the candidate nor the offer gives a `speed`."""
    from tco.engine.per_token import calls_per_attempt, tokenizer_ratio

    speed = job.candidate.speed or job.ref.offer.speed
    if speed is None:
        return None
    tokenizer = getattr(job.ref.offer, "tokenizer", None)
    t = tokenizer_ratio(job, tokenizer)[0] if tokenizer else Decimal(1)
    streamed = (job.task.output_tokens + job.task.reasoning_tokens) * t
    return calls_per_attempt(job) * (speed.ttft_seconds + streamed / speed.output_tokens_per_second)


def latency(job: Job) -> Any:
    """Expected seconds per task on this offer: each attempt's latency times the chance it is made."""
    parts = [(p, attempt_latency(one)) for p, one in job.attempt_jobs()]
    if any(seconds is None for _, seconds in parts):
        return None
    return sum((p * seconds for p, seconds in parts), Decimal(0))


def waiting_cost(human: Human, seconds: Any) -> Any:
    """A person waiting `waiting_share` of the AI's latency, at hourly_cost."""
    if seconds is None:
        return Decimal(0)
    return seconds * human.waiting_share * human.hourly_cost / HOUR


def misses(workload: Workload, seconds: Any) -> bool | None:
    """Whether latency is over the workload's max_latency_seconds (None without a limit or a latency)."""
    if workload.max_latency_seconds is None or seconds is None:
        return None
    return bool(possibly(seconds > workload.max_latency_seconds))


@dataclass(frozen=True)
class Architecture:
    """A route or a chain: one job per stage or step, and the candidate as a whole."""

    kind: Literal["route", "chain"]
    legs: tuple[Job, ...]
    whole: Job
    """The candidate as a whole: its human, and the workload's and its own fixed costs, borne once."""

    @property
    def workload(self) -> Workload:
        return self.whole.workload

    @property
    def index(self) -> int:
        return self.whole.index

    @property
    def tasks(self) -> Decimal:
        return self.workload.tasks

    @property
    def human(self) -> Human:
        return self.whole.human

    @property
    def people(self) -> bool:
        return self.whole.people

    @property
    def E(self) -> Any:
        """Attempts per task: in a route, each stage's expected attempts times the share of tasks reaching it."""
        if self.kind == "chain":
            return self.legs[0].E
        return sum((leg.share * leg.E for leg in self.legs), Decimal(0))

    @property
    def S(self) -> Any:
        """Task success: a route's 1 − Π(1 − S_k); a chain's its own."""
        if self.kind == "chain":
            return self.legs[0].S
        return 1 - self.legs[-1].share * (1 - self.legs[-1].S)

    def with_success_rate(self, s: Decimal) -> Architecture:
        """At per-attempt rate `s` (for break-even): every step of a chain; a route's first stage (how good the first
        model must be), the later stages then reached by its failures."""
        if self.kind == "chain":
            return replace(self, legs=tuple(leg.with_success_rate(s) for leg in self.legs))
        return replace(self, legs=reached((self.legs[0].with_success_rate(s), *self.legs[1:])))


def legs_of(candidate: Candidate) -> list[Pricing]:
    """The candidate's offers as written: itself, or its route's stages or its chain's steps."""
    return list(candidate.route or candidate.chain or [candidate])


def offer_label(candidate: Candidate) -> str:
    """Its offer id, or its stages' joined by " → " (a route) or its steps' by " + " (a chain)."""
    return (" + " if candidate.chain else " → ").join(leg.offer for leg in legs_of(candidate))  # type: ignore[misc]


def reached(stages: tuple[Job, ...] | list[Job]) -> tuple[Job, ...]:
    """A route's stages, each with the share of tasks that reach it: Π over the earlier stages of (1 − S_j)."""
    out, share = [], Decimal(1)
    for stage in stages:
        out.append(replace(stage, share=share))
        share = share * (1 - stage.S)
    return tuple(out)


def plan(workload: Workload, index: int, selection: Selection) -> Job | Architecture:
    """Candidate `index` as the engine costs it: a Job for one offer, an Architecture for a route or a chain."""
    candidate = workload.candidates[index]
    if candidate.route is None and candidate.chain is None:
        return Job.of(workload, index, selection)
    kind: Literal["route", "chain"] = "route" if candidate.route is not None else "chain"
    legs: list[Job] = []
    for k, leg in enumerate(candidate.route or candidate.chain or []):
        if kind == "route" and leg.success_rate is None and leg.attempts is None:  # type: ignore[union-attr]
            raise candidate_error(index, f"route.{k}", "give this stage a success_rate (or attempts)")
        legs.append(Job.leg(workload, index, selection, leg, (kind, k), over=candidate))
    if kind == "route":
        legs = list(reached(legs))
    human = workload.human or NO_PEOPLE
    if candidate.human is not None:
        human = human.model_copy(update={k: v for k, v in candidate.human if v is not None})
    whole = replace(legs[0], candidate=candidate, human=human, at=(), shared_costs=True, share=Decimal(1))
    return Architecture(kind, tuple(legs), whole)


def _bearer(bills: list[Bill]) -> Bearer:
    bearers = {b.failure_bearer for b in bills}
    return bearers.pop() if len(bearers) == 1 else "shared"


def bill(arch: Architecture) -> tuple[Bill, list[Bill]]:
    """The period's bill: every stage's or step's, plus the fixed costs the candidate bears once."""
    from tco.engine.compare import charge

    bills = [charge(leg) for leg in arch.legs]
    fixed = {item.name: per_period(arch.whole, path, item) for path, item in arch.whole.fixed_costs}
    total = sum(fixed.values(), Decimal(0))
    failed_share = (arch.E - arch.S) / arch.E
    return Bill(
        period_cost=sum((b.period_cost for b in bills), Decimal(0)) + total,
        fixed_commitment=sum((b.fixed_commitment for b in bills), Decimal(0)) + total,
        customer_failure_spend=sum((b.customer_failure_spend for b in bills), Decimal(0)) + total * failed_share,
        failure_bearer=_bearer(bills),
        unmetered=all(b.unmetered for b in bills),
        breakdown={"fixed": fixed, "fixed_costs": total} if fixed else {},
        warnings=tuple(dict.fromkeys(w for leg, b in zip(arch.legs, bills, strict=True) for w in
                                     (*leg.notices, *(f"{leg.ref.id}: {w}" for w in b.warnings)))),
    ), bills


def review_cost(arch: Architecture) -> Any:
    """A person checking every attempt: in a route, every stage's attempts, at that stage's review minutes."""
    if arch.kind == "chain":
        return arch.E * arch.human.hourly_cost * arch.human.review_minutes / SIXTY
    return sum((leg.share * leg.E * leg.human.hourly_cost * leg.human.review_minutes / SIXTY for leg in arch.legs),
               Decimal(0))


def arch_latency(arch: Architecture) -> Any:
    """Expected seconds per task: a chain's steps one after another on every attempt; a route's stages each for the
    share of tasks reaching it."""
    each = [latency(leg) for leg in arch.legs]
    if any(seconds is None for seconds in each):
        return None
    return sum((leg.share * seconds for leg, seconds in zip(arch.legs, each, strict=True)), Decimal(0))


def cost_per_completed_task(arch: Architecture, per_task_cost: Any, seconds: Any) -> Any:
    """Vendor charges + review of every attempt + a person finishing each failed task + a person waiting."""
    failure = (1 - arch.S) * (human_baseline(arch.human) + arch.human.failure_cost)
    return per_task_cost + review_cost(arch) + failure + waiting_cost(arch.human, seconds)


def figures(arch: Architecture) -> dict[str, Any]:
    """The figures simulation, sensitivity and break-even vary (compare.figures for an architecture)."""
    total, _ = bill(arch)
    cost = total.period_cost / arch.tasks
    return {
        "success_adjusted_cost": cost / arch.S,
        "cost_per_completed_task": cost_per_completed_task(arch, cost, arch_latency(arch)),
        "period_cost": total.period_cost,
    }


def _contract_cost(arch: Architecture, total: Bill) -> Any:
    term = arch.workload.term_months
    if term is None:
        return None
    parts = [one_offs(job) for job in (arch.whole, *arch.legs)]
    whole, spread = sum((w for w, _ in parts), Decimal(0)), sum((s for _, s in parts), Decimal(0))
    return Decimal(term) * (total.period_cost - spread) / arch.whole.months + whole


def _books(arch: Architecture) -> tuple[BookFile, ...]:
    return tuple({leg.ref.source.file: leg.ref.source for leg in arch.legs}.values())


def evaluate(arch: Architecture) -> Any:
    """The candidate's result, with `breakdown.route` or `breakdown.chain`: each stage's or step's own figures."""
    from tco.engine.compare import result

    total, bills = bill(arch)
    cost = total.period_cost / arch.tasks
    seconds = arch_latency(arch)
    cpct = cost_per_completed_task(arch, cost, seconds)
    legs = []
    for leg, b in zip(arch.legs, bills, strict=True):
        legs.append({
            "offer": leg.ref.id, "scheme": leg.ref.offer.scheme,
            **({"reach_share": leg.share, "success_rate": leg.s} if arch.kind == "route" else {}),
            "expected_attempts": leg.E, "task_success_rate": leg.S,
            "per_task_cost": b.period_cost / arch.tasks,
            "cost_per_task_reaching": ratio(b.period_cost, leg.tasks),
            "period_cost": b.period_cost,
            "latency_seconds": latency(leg),
            **b.breakdown,
        })
    schemes = list(dict.fromkeys(leg.ref.offer.scheme for leg in arch.legs))
    join = " → " if arch.kind == "route" else " + "
    return result(arch, total, cost, cpct, seconds, {arch.kind: legs, **total.breakdown}, (),
                  candidate=arch.workload.candidates[arch.index].name, offer=join.join(leg.ref.id for leg in arch.legs),
                  scheme="+".join(schemes), success_rate=arch.legs[0].s, pricebook=arch.legs[0].ref.source,
                  contract_cost=_contract_cost(arch, total), offers=tuple(leg.ref.id for leg in arch.legs),
                  books=_books(arch))


def _latency_warnings(arch: Architecture | Job, seconds: Any) -> tuple[str, ...]:
    if seconds is None and arch.workload.max_latency_seconds is not None:
        return ("no speed is known for this candidate's offer(s): give `speed:` to check max_latency_seconds",)
    return ()
