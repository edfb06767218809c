"""The workload file: the work to be done, the people involved, and the candidate offers to compare."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import Field, create_model

from tco.models.base import Date, Money, Number, Positive, PositiveCount, Probability, Share, Strict, at_most
from tco.models.tokenizer import REFERENCE, ContentType
from tco.models.uncertain import GENERATED, uncertain

HOURS_PER_PERIOD = {"month": Decimal(730), "year": Decimal(8760)}
MONTHS_PER_PERIOD = {"month": Decimal(1), "year": Decimal(12)}

RetryRate = Annotated[Number, Field(ge=0, lt=1)]
"""A share below 1: at 1 every call would be repeated for ever."""
PeakFactor = Annotated[Number, Field(ge=1)]
Tasks = Annotated[Positive, at_most(10**12, "tasks per period")]
Tokens = Annotated[Money, at_most(10**9, "tokens per call")]
PerAttempt = Annotated[Money, at_most(10**6, "per attempt")]
Calls = Annotated[Positive, at_most(10**6, "calls per attempt")]
Attempts = Annotated[PositiveCount, at_most(100, "attempts per task")]

# Every number in a workload may be a range (tco.models.uncertain); the engine sees one value at a time.
MoneyOrRange = uncertain("Money", Money)
PositiveOrRange = uncertain("Positive", Positive)
CountOrRange = uncertain("Count", PositiveCount)
TasksOrRange = uncertain("Tasks", Tasks)
TokensOrRange = uncertain("Tokens", Tokens)
PerAttemptOrRange = uncertain("PerAttempt", PerAttempt)
CallsOrRange = uncertain("Calls", Calls)
AttemptsOrRange = uncertain("Attempts", Attempts)
PeakFactorOrRange = uncertain("PeakFactor", PeakFactor)
ShareOrRange = uncertain("Share", Share, proportion=True)
ProbabilityOrRange = uncertain("Probability", Probability, proportion=True)
RetryRateOrRange = uncertain("RetryRate", RetryRate, proportion=True)


class Task(Strict):
    """What one attempt at one task consumes."""

    calls: CallsOrRange
    """Model calls per attempt (agent fan-out)."""
    input_tokens: TokensOrRange
    """Input tokens per call, cached ones included."""
    cached_input_share: ShareOrRange = Decimal(0)
    """Share of input tokens read from the prompt cache."""
    cache_write_tokens: TokensOrRange = Decimal(0)
    """Tokens written to the prompt cache per call."""
    cache_write_ttl: Literal["5m", "1h"] = "5m"
    """Lifetime of cache writes, where the vendor prices two."""
    output_tokens: TokensOrRange
    """Visible output tokens per call."""
    reasoning_tokens: TokensOrRange = Decimal(0)
    """Hidden reasoning tokens per call."""
    format_retry_rate: RetryRateOrRange = Decimal(0)
    """Share of calls repeated because the output was malformed (below 1)."""
    max_attempts: AttemptsOrRange = 1
    """Attempts before the task goes to a person."""
    batch_share: ShareOrRange = Decimal(0)
    """Share of calls sent through the batch API at batch rates."""
    off_peak_share: ShareOrRange = Decimal(0)
    """Share of calls made in the vendor's off-peak hours, billed at its off_peak rates where it sells them (default 0:
    every call at the standard, peak rates, the most a call can cost). With batch_share, at most 1 in all."""
    service_tier: Literal["standard", "flex", "priority"] = "standard"
    """Service tier of the calls not sent by batch."""
    requests: PerAttemptOrRange = Decimal(1)
    """Requests per attempt as a seat plan meters them (a chat prompt, an agent session)."""
    actions: PerAttemptOrRange = Decimal(0)
    """Agent actions per attempt, for offers billed per action."""


class Human(Strict):
    """The people around the AI: their cost and their minutes."""

    hourly_cost: MoneyOrRange
    """Fully loaded cost of one person-hour, USD."""
    review_minutes: MoneyOrRange = Decimal(0)
    """Minutes a person spends checking one attempt's result."""
    task_minutes: MoneyOrRange
    """Minutes a person takes to do the task by hand."""
    failure_cost: MoneyOrRange = Decimal(0)
    """Extra cost when a failed task does damage (customer harmed, rework), USD."""


def _annotated(tp: Any, metadata: list[Any]) -> Any:
    return Annotated[(tp, *metadata)] if metadata else tp


class _Generated(Strict):
    model_config = GENERATED  # descriptions are passed to each field; reading the source for them takes ~0.2 s


def _partial(model: type[Strict]) -> type[Strict]:
    """The same fields, all optional: a per-candidate override."""
    fields: dict[str, Any] = {
        name: (_annotated(info.annotation, info.metadata) | None, Field(default=None, description=info.description))
        for name, info in model.model_fields.items()
    }
    return create_model(f"{model.__name__}Override", __base__=_Generated, __doc__=f"Overrides of {model.__name__.lower()} keys.", **fields)


TaskOverride = _partial(Task)
HumanOverride = _partial(Human)


class Candidate(Strict):
    """One offer applied to the workload."""

    offer: str
    """The offer id, vendor/offer."""
    label: str = ""
    """A display name; defaults to the offer id."""
    success_rate: ProbabilityOrRange
    """Chance that one attempt completes the task."""
    assumed_resolution_share: ShareOrRange = Decimal(0)
    """Share of unresolved tasks the vendor still bills as resolved (per-resolution offers)."""
    outcome_shares: dict[str, Share] = {}
    """Share of tasks started that end in each of the offer's other billed outcomes, by name (per-resolution
    offers that bill other outcomes)."""
    term: str | None = None
    """Commitment term for seat and provisioned offers (e.g. annual, year); default the offer's first."""
    model: str | None = None
    """The per_token offer id a seat or credit plan's requests go to (for multipliers and API-rate usage)."""
    units: CountOrRange | None = None
    """Provisioned units to buy; default the fewest that cover the peak."""
    seats: CountOrRange | None = None
    """Seats for this candidate, overriding the workload's."""
    reroute_retired: bool = False
    """Price a retired offer at the replacement its vendor names (where the vendor sends the old model's calls
    there) instead of refusing it."""
    task: TaskOverride | None = None  # type: ignore[valid-type]
    human: HumanOverride | None = None  # type: ignore[valid-type]

    @property
    def name(self) -> str:
        return self.label or self.offer


class Evidence(Strict):
    """What a calibrated workload's numbers were measured on (written by `tco runs calibrate`)."""

    files: list[str] = Field(min_length=1)
    """The call-record files read."""
    calls: PositiveCount
    """Model calls recorded."""
    runs: PositiveCount
    """Runs (attempts at a task) recorded."""
    tasks: PositiveCount
    """Distinct tasks recorded."""
    first_day: Date | None = None
    """The day of the first recorded call."""
    last_day: Date | None = None
    """The day of the last recorded call."""


class Workload(Strict):
    """A workload file."""

    workload: str = Field(min_length=1)
    """The workload's name."""
    period: Literal["month", "year"] = "month"
    """The period `tasks` counts over and costs are reported for."""
    tasks: TasksOrRange
    """Tasks per period."""
    tokenizer: str = REFERENCE
    """The tokenizer the token counts were measured with."""
    content: ContentType = "prose"
    """What the text mostly is, for tokenizer ratios: prose, code or cjk."""
    task: Task
    human: Human
    seats: CountOrRange | None = None
    """Users, for seat-priced offers."""
    peak_factor: PeakFactorOrRange | None = None
    """Peak demand over average demand in working hours, for sizing provisioned capacity."""
    working_hours: PositiveOrRange | None = None
    """Hours per period in which the tasks arrive, for provisioned capacity."""
    candidates: list[Candidate] = Field(min_length=1)
    evidence: Evidence | None = None
    """Where the numbers come from, for a workload calibrated from measured runs."""

