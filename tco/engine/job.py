"""One candidate's resolved inputs: the workload with the candidate's overrides applied."""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal

from tco.engine.attempts import expected_attempts, task_success
from tco.engine.elementwise import possibly
from tco.engine.lifecycle import priced_offer
from tco.errors import Problem, TcoError, candidate_error, dotted, nearest
from tco.models.base import Strict
from tco.models.catalog import OfferRef, Selection
from tco.models.workload import HOURS_PER_PERIOD, MONTHS_PER_PERIOD, Candidate, FixedCost, Human, Task, Workload

NO_PEOPLE = Human(hourly_cost=Decimal(0), task_minutes=Decimal(0))
"""A workload without `human`: people's costs are zero (a candidate's `human:` still sets its own)."""

SCHEME_KEYS = {
    "term": ("seat", "provisioned"),
    "units": ("provisioned",),
    "model": ("seat", "credit"),
    "seats": ("seat",),
    "assumed_resolution_share": ("per_resolution", "credit"),
    "hosting": ("self_hosted",),
}
"""Candidate keys that mean something only for some schemes; elsewhere they are errors, not silently ignored."""


def _check_outcome_shares(candidate: Candidate, ref: OfferRef, index: int) -> None:
    """Each outcome share names one of the offer's other billed outcomes."""
    if not candidate.outcome_shares:
        return
    outcomes = getattr(ref.offer, "other_outcomes", {})
    if not outcomes:
        raise candidate_error(index, "outcome_shares", f"does not apply to {ref.id}, a {ref.offer.scheme} offer that "
                                                       f"bills no other outcomes")
    for name in candidate.outcome_shares:
        if name not in outcomes:
            raise candidate_error(index, f"outcome_shares.{name}",
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

    @classmethod
    def of(cls, workload: Workload, index: int, selection: Selection) -> Job:
        candidate = workload.candidates[index]
        task, human = workload.task, workload.human or NO_PEOPLE
        if candidate.task is not None:
            task = task.model_copy(update={k: v for k, v in candidate.task if v is not None})
        if candidate.human is not None:
            human = human.model_copy(update={k: v for k, v in candidate.human if v is not None})
        ref = selection.find(candidate.offer) or selection.retired(candidate.offer)
        if ref is None:
            raise candidate_error(index, "offer", selection.explain_missing(candidate.offer))
        ref, notices = priced_offer(ref, selection, candidate.reroute_retired, lambda m: candidate_error(index, "offer", m))
        per_seat = any(f.per_seat_month is not None for f in (*workload.fixed_costs, *candidate.fixed_costs))
        for key, schemes in SCHEME_KEYS.items():
            value = getattr(candidate, key)
            if key == "seats" and per_seat:
                continue  # a fixed cost priced per seat counts them, whatever the scheme
            if value is not None and (isinstance(value, (str, Strict)) or possibly(value != 0)) and ref.offer.scheme not in schemes:
                raise candidate_error(index, key, f"does not apply to {ref.id}, a {ref.offer.scheme} offer "
                                                  f"(it applies to {' and '.join(schemes)} offers)")
        _check_outcome_shares(candidate, ref, index)
        return cls(workload, candidate, ref, selection, task, human, candidate.success_rate, index, notices)

    def with_success_rate(self, s: Decimal) -> Job:
        return replace(self, s=s)

    def error(self, field: str, message: str) -> TcoError:
        """A problem with this candidate's `field`, to be located in the workload file."""
        return candidate_error(self.index, field, message)

    def task_error(self, key: str, message: str) -> TcoError:
        """A problem with task key `key`: at this candidate's `task:` where it sets the key, else the workload's."""
        if self.candidate.task is not None and getattr(self.candidate.task, key) is not None:
            return self.error(f"task.{key}", message)
        return TcoError([Problem("", None, f"task.{key}", message, ("task", key))])

    @property
    def tasks(self) -> Decimal:
        return self.workload.tasks

    @property
    def months(self) -> Decimal:
        return MONTHS_PER_PERIOD[self.workload.period]

    @property
    def hours(self) -> Decimal:
        return HOURS_PER_PERIOD[self.workload.period]

    @property
    def E(self) -> Decimal:
        return expected_attempts(self.s, self.task.max_attempts)

    @property
    def S(self) -> Decimal:
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
        shared = [(("fixed_costs", i), f) for i, f in enumerate(self.workload.fixed_costs) if f.name not in own]
        return shared + [(("candidates", self.index, "fixed_costs", i), f) for i, f in enumerate(self.candidate.fixed_costs)]

    def error_at(self, path: tuple[str | int, ...], message: str) -> TcoError:
        """A problem at `path` in the workload file."""
        return TcoError([Problem("", None, dotted(path), message, path)])
