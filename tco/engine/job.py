"""One candidate's resolved inputs: the workload with the candidate's overrides applied."""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal

from tco.engine.attempts import expected_attempts, reach, task_success
from tco.engine.elementwise import possibly
from tco.engine.lifecycle import priced_offer
from tco.errors import Problem, TcoError, candidate_error, dotted, nearest
from tco.models.base import Strict
from tco.models.catalog import OfferRef, Selection
from tco.models.workload import (
    HOURS_PER_PERIOD,
    MONTHS_PER_PERIOD,
    Candidate,
    FixedCost,
    Human,
    Pricing,
    Task,
    Workload,
)

NO_PEOPLE = Human.model_construct(hourly_cost=Decimal(0), task_minutes=Decimal(0))
"""A workload without `human`: people's costs are zero (a candidate's `human:` still sets its own). Built without
validation, which would build Human's validator at import."""

SCHEME_KEYS = {
    "term": ("seat", "provisioned"),
    "units": ("provisioned",),
    "model": ("seat", "credit"),
    "seats": ("seat",),
    "assumed_resolution_share": ("per_resolution", "credit"),
    "hosting": ("self_hosted",),
}
"""Candidate keys that mean something only for some schemes; elsewhere they are errors, not silently ignored."""


def _error(index: int, path: tuple[str | int, ...], message: str) -> TcoError:
    full = ("candidates", index, *path)
    return TcoError([Problem("", None, dotted(full), message, full)])


def _leg_at(candidate: Candidate, at: tuple[str | int, ...]) -> Pricing:
    key, k = at
    return getattr(candidate, str(key))[int(k)]


def _as_candidate(leg: Pricing, parent: Candidate) -> Candidate:
    """A stage or step as the candidate its scheme bills: its own keys, the candidate's where it gives none (its
    task and human overrides are already laid over the candidate's; fixed costs stay with the candidate)."""
    values = {name: getattr(leg, name) for name in type(leg).model_fields if name in Candidate.model_fields}
    for key in ("tokenizer", "speed", "discount"):
        if values.get(key) is None:
            values[key] = getattr(parent, key)
    values["task"] = values["human"] = None
    return Candidate.model_construct(**(values | {"label": "", "success_rate": getattr(leg, "success_rate", None)}))


def _attempts(holder: Pricing, at: tuple[str | int, ...], index: int, task: Task, scheme: str,
              own_max: list[Pricing]) -> tuple[tuple[Decimal, ...] | None, tuple[Task, ...]]:
    """The per-attempt success rates and tasks of `attempts:`, where given."""
    attempts = getattr(holder, "attempts", None)
    if not attempts:
        return None, ()
    if own_max:
        raise _error(index, (*at, "attempts"), "attempts replaces task.max_attempts: give one of them (the "
                                               "number of attempts is the length of the list)")
    if not any(a.task is not None for a in attempts):
        return tuple(a.success_rate for a in attempts), ()
    if scheme not in ("per_token", "self_hosted"):
        k = next(k for k, a in enumerate(attempts) if a.task is not None)
        raise _error(index, (*at, "attempts", k, "task"), f"attempts that consume differently apply to per_token "
                                                          f"and self_hosted offers only; this is a {scheme} offer")
    tasks = tuple(task.model_copy(update={k: v for k, v in a.task if v is not None}) if a.task is not None else task
                  for a in attempts)
    return tuple(a.success_rate for a in attempts), tasks


def _check_outcome_shares(candidate: Candidate, ref: OfferRef, index: int, at: tuple[str | int, ...] = ()) -> None:
    """Each outcome share names one of the offer's other billed outcomes."""
    if not candidate.outcome_shares:
        return
    outcomes = getattr(ref.offer, "other_outcomes", {})
    if not outcomes:
        raise _error(index, (*at, "outcome_shares"), f"does not apply to {ref.id}, a {ref.offer.scheme} offer that "
                                                     f"bills no other outcomes")
    for name in candidate.outcome_shares:
        if name not in outcomes:
            raise _error(index, (*at, "outcome_shares", name),
                                  f"{ref.id} bills no outcome {name!r}; it bills {', '.join(outcomes)}"
                                  f"{nearest(name, outcomes)}")


@dataclass(frozen=True)
class Job:
    workload: Workload
    candidate: Candidate
    ref: OfferRef
    selection: Selection
    task: Task
    human: Human
    s: Decimal
    """Per-attempt success rate (varied when solving for break-even)."""
    index: int = 0
    """The candidate's place in the workload, for locating errors."""
    notices: tuple[str, ...] = ()
    """Lifecycle warnings for the result: deprecated, or rerouted from a retired offer."""
    rates: tuple[Decimal, ...] | None = None
    """With `attempts:`, each attempt's success rate given the earlier ones failed (replaces s and max_attempts)."""
    attempt_tasks: tuple[Task, ...] = ()
    """With `attempts:` that override task keys, what each attempt consumes (per_token offers)."""
    share: Decimal = Decimal(1)
    """Share of the workload's tasks that reach this offer (a later stage of a route sees only the earlier ones' failures)."""
    at: tuple[str | int, ...] = ()
    """Where this offer's keys are under the candidate (`('route', 1)` for a route's second stage)."""
    shared_costs: bool = True
    """Whether this job bears the workload's and the candidate's fixed costs (a route's stages and a chain's steps
    do not: the architecture bears them once)."""

    @classmethod
    def of(cls, workload: Workload, index: int, selection: Selection) -> Job:
        """A plain candidate's job; a route or chain is `tco.engine.architecture.plan`."""
        return cls.leg(workload, index, selection, workload.candidates[index])

    @classmethod
    def leg(cls, workload: Workload, index: int, selection: Selection, leg: Pricing, at: tuple[str | int, ...] = (),
            over: Candidate | None = None, share: Decimal = Decimal(1)) -> Job:
        """The job of one offer of candidate `index`: `leg` is the candidate itself, or its stage or step at `at`,
        whose keys lie over the candidate's (`over`): its task and human overrides, tokenizer, speed, discount."""
        parent = workload.candidates[index]
        task, human = workload.task, workload.human or NO_PEOPLE
        layers = [parent] if over is not None else []
        for layer in [*layers, leg]:
            if layer.task is not None:
                task = task.model_copy(update={k: v for k, v in layer.task if v is not None})
            if layer.human is not None:
                human = human.model_copy(update={k: v for k, v in layer.human if v is not None})
        candidate = parent if over is None else _as_candidate(leg, parent)

        def error(field: str, message: str) -> TcoError:
            return _error(index, (*at, *field.split(".")), message)

        ref = selection.find(leg.offer) or selection.retired(leg.offer)
        if ref is None:
            raise error("offer", selection.explain_missing(leg.offer))
        ref, notices = priced_offer(ref, selection, leg.reroute_retired, lambda m: error("offer", m))
        per_seat = any(f.per_seat_month is not None for f in (*workload.fixed_costs, *candidate.fixed_costs))
        for key, schemes in SCHEME_KEYS.items():
            value = getattr(candidate, key)
            if key == "seats" and per_seat:
                continue  # a fixed cost priced per seat counts them, whatever the scheme
            if value is not None and (isinstance(value, (str, Strict)) or possibly(value != 0)) and ref.offer.scheme not in schemes:
                raise error(key, f"does not apply to {ref.id}, a {ref.offer.scheme} offer "
                                 f"(it applies to {' and '.join(schemes)} offers)")
        _check_outcome_shares(candidate, ref, index, at)
        holder = leg if getattr(leg, "success_rate", None) is not None or getattr(leg, "attempts", None) else parent
        holder_at = at if holder is leg else ()
        rates, attempt_tasks = _attempts(holder, holder_at, index, task, ref.offer.scheme,
                                         own_max=[layer for layer in (*layers, leg) if layer.task is not None
                                                  and layer.task.max_attempts is not None])
        s = rates[0] if rates is not None else holder.success_rate
        return cls(workload, candidate, ref, selection, task, human, s, index, notices, rates, attempt_tasks,
                   share, at, over is None)

    def with_success_rate(self, s: Decimal) -> Job:
        """The job at per-attempt rate `s` (with `attempts:`, every attempt at s: solving for break-even)."""
        if self.rates is None:
            return replace(self, s=s)
        task = self.task.model_copy(update={"max_attempts": len(self.rates)})
        return replace(self, s=s, rates=None, task=task, attempt_tasks=())

    def error(self, field: str, message: str) -> TcoError:
        """A problem with this candidate's `field` (its stage's or step's), to be located in the workload file."""
        return _error(self.index, (*self.at, *field.split(".")), message)

    def task_error(self, key: str, message: str) -> TcoError:
        """A problem with task key `key`: at this candidate's `task:` where it sets the key, else the workload's."""
        parent = self.workload.candidates[self.index]
        if self.at:
            leg = _leg_at(parent, self.at)
            if leg.task is not None and getattr(leg.task, key) is not None:
                return self.error(f"task.{key}", message)
        if parent.task is not None and getattr(parent.task, key) is not None:
            return candidate_error(self.index, f"task.{key}", message)
        return TcoError([Problem("", None, f"task.{key}", message, ("task", key))])

    def attempt_jobs(self) -> list[tuple[Decimal, Job]]:
        """Each attempt with the chance it is made: (P(reach attempt k), the job of attempt k alone)."""
        if not self.attempt_tasks:
            return [(self.E, self)]
        assert self.rates is not None
        return [(r, replace(self, task=t, rates=None, attempt_tasks=(), s=Decimal(1)))
                for r, t in zip(reach(self.rates), self.attempt_tasks, strict=True)]

    @property
    def tasks(self) -> Decimal:
        return self.workload.tasks * self.share

    @property
    def months(self) -> Decimal:
        return MONTHS_PER_PERIOD[self.workload.period]

    @property
    def hours(self) -> Decimal:
        return HOURS_PER_PERIOD[self.workload.period]

    @property
    def E(self) -> Decimal:
        if self.rates is not None:
            return sum(reach(self.rates), Decimal(0))
        return expected_attempts(self.s, self.task.max_attempts)

    @property
    def S(self) -> Decimal:
        if self.rates is not None:
            return 1 - reach([*self.rates, Decimal(0)])[-1]
        return task_success(self.s, self.task.max_attempts)

    @property
    def failed_attempt_share(self) -> Decimal:
        """(E − S)/E: the share of attempts that fail, by which fixed and metered bills are split to failure."""
        return (self.E - self.S) / self.E

    @property
    def seats(self) -> int | None:
        return self.candidate.seats if self.candidate.seats is not None else self.workload.seats

    @property
    def assumed_share(self) -> Decimal:
        return self.candidate.assumed_resolution_share

    @property
    def tokenizer(self) -> str:
        """The tokenizer this candidate's token counts were measured in: its own `tokenizer`, else the workload's."""
        return self.candidate.tokenizer or self.workload.tokenizer

    @property
    def people(self) -> bool:
        """Whether people's costs are given (the workload's `human`, or this candidate's)."""
        return self.workload.human is not None or self.candidate.human is not None

    @property
    def fixed_costs(self) -> list[tuple[tuple[str | int, ...], FixedCost]]:
        """The deal's costs outside the price book, each with its path in the workload: the workload's, then the
        candidate's (an item of the same name replaces the workload's)."""
        own = {f.name for f in self.candidate.fixed_costs}
        here = ("candidates", self.index, *self.at, "fixed_costs")
        if not self.shared_costs:
            return [((*here, i), f) for i, f in enumerate(self.candidate.fixed_costs)]
        shared = [(("fixed_costs", i), f) for i, f in enumerate(self.workload.fixed_costs) if f.name not in own]
        return shared + [((*here, i), f) for i, f in enumerate(self.candidate.fixed_costs)]

    def error_at(self, path: tuple[str | int, ...], message: str) -> TcoError:
        """A problem at `path` in the workload file."""
        return TcoError([Problem("", None, dotted(path), message, path)])
