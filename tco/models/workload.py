"""The workload file: the work to be done, the people involved, and the candidate offers to compare."""

from decimal import Decimal
from typing import Annotated, Any, Literal, Self

from pydantic import AfterValidator, Field, create_model, model_validator

from tco.models.base import Date, Money, Number, Positive, PositiveCount, Probability, Share, Strict, at_most
from tco.models.docs import DOCS_OF
from tco.models.tokenizer import REFERENCE, ContentType
from tco.models.uncertain import GENERATED, uncertain

Period = Literal["week", "month", "quarter", "year"]
HOURS_PER_PERIOD = {"week": Decimal(168), "month": Decimal(730), "quarter": Decimal(2190), "year": Decimal(8760)}
"""A year is 365 days (8,760 hours), a month a twelfth of it (730), a quarter three months, a week 7 days."""
MONTHS_PER_PERIOD = {period: hours / HOURS_PER_PERIOD["month"] for period, hours in HOURS_PER_PERIOD.items()}
"""Months in each period, by hours: a week is 168/730 of a month (0.2301…), so fees quoted per month scale exactly."""

RetryRate = Annotated[Number, Field(ge=0, lt=1)]
"""A share below 1: at 1 every call would be repeated for ever."""
PeakFactor = Annotated[Number, Field(ge=1)]
Tasks = Annotated[Positive, at_most(10**12, "tasks per period")]
Tokens = Annotated[Money, at_most(10**9, "tokens per call")]
PerAttempt = Annotated[Money, at_most(10**6, "per attempt")]
Calls = Annotated[Positive, at_most(10**6, "calls per attempt")]
Attempts = Annotated[PositiveCount, at_most(100, "attempts per task")]
Months = Annotated[PositiveCount, at_most(1200, "months")]

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
MonthsOrRange = uncertain("Months", Months)
SpreadOrRange = uncertain("Spread", Annotated[Number, Field(ge=0), at_most(100, "coefficient of variation")])
SEAT_USAGE_CV = Decimal("1.85")
"""Default spread of use across seats (docs/cost-model.md, "Seats as billed"): Jellyfish's analysis of Claude Code use
(Business Insider, May 2026) found the top tenth of developers using about 10 times the tokens of mid-level users;
read as the top decile's mean at 10 × the median, a lognormal has σ = 1.22, a coefficient of variation of 1.85."""


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
    waiting_share: ShareOrRange = Decimal(0)
    """Share of the AI's latency a person spends waiting for it, paid at hourly_cost."""


AMOUNT_KEYS = ("per_month", "per_year", "per_seat_month", "one_off")


class FixedCost(Strict):
    """A cost of the deal that no price book holds: helpdesk seats, a platform minimum, building and running a bot.

    Give exactly one amount key."""

    name: str = Field(min_length=1)
    """What it pays for (a candidate's item of the same name replaces the workload's)."""
    per_month: MoneyOrRange | None = None
    """USD per month."""
    per_year: MoneyOrRange | None = None
    """USD per year."""
    per_seat_month: MoneyOrRange | None = None
    """USD per seat per month, times the candidate's `seats` (or the workload's)."""
    one_off: MoneyOrRange | None = None
    """USD once (an implementation fee, a build), spread over `amortise_months`."""
    amortise_months: MonthsOrRange | None = None
    """Months a one-off is spread over; default the workload's `term_months`, else 12."""

    @model_validator(mode="after")
    def _one_amount(self) -> Self:
        given = [k for k in AMOUNT_KEYS if getattr(self, k) is not None]
        if len(given) != 1:
            found = f"found {' and '.join(given)}" if given else "found none"
            raise ValueError(f"give exactly one of {', '.join(AMOUNT_KEYS)}; {found}")
        if self.amortise_months is not None and given != ["one_off"]:
            raise ValueError("amortise_months applies to a one_off amount only")
        return self

    @property
    def amount_key(self) -> str:
        return next(k for k in AMOUNT_KEYS if getattr(self, k) is not None)


def _distinct_names(items: list[FixedCost]) -> list[FixedCost]:
    names = [f.name for f in items]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise ValueError(f"two fixed costs are named {', '.join(map(repr, twice))}; give each its own name")
    return items


FixedCosts = Annotated[list[FixedCost], AfterValidator(_distinct_names)]


def _annotated(tp: Any, metadata: list[Any]) -> Any:
    return Annotated[(tp, *metadata)] if metadata else tp


class _Generated(Strict):
    model_config = GENERATED


def _partial(model: type[Strict]) -> type[Strict]:
    """The same fields, all optional: a per-candidate override."""
    fields: dict[str, Any] = {
        name: (_annotated(info.annotation, info.metadata) | None, Field(default=None, description=info.description))
        for name, info in model.model_fields.items()
    }
    override = create_model(f"{model.__name__}Override", __base__=_Generated, __doc__=f"Overrides of {model.__name__.lower()} keys.", **fields)
    setattr(override, DOCS_OF, model)  # its fields are described by `model`'s docstrings
    return override


class Hosting(Strict):
    """Overrides of a self_hosted offer's capacity and price for one candidate (each may be a range)."""

    output_tokens_per_second: PositiveOrRange | None = None
    """Output tokens per second one replica sustains."""
    prefill_tokens_per_second: PositiveOrRange | None = None
    """Input (prefill) tokens per second one replica sustains."""
    replicas: CountOrRange | None = None
    """Replicas to run; default the fewest that serve the demand at the target utilisation."""
    min_replicas: CountOrRange | None = None
    """Fewest replicas kept running."""
    target_utilisation: ProbabilityOrRange | None = None
    """Share of replica time demand may fill on average."""
    instance_hour: MoneyOrRange | None = None
    """USD per replica-hour, for a rented offer."""


TaskOverride = _partial(Task)
HumanOverride = _partial(Human)


class Speed(Strict):
    """How fast a candidate answers (replaces its offer's published `speed`)."""

    ttft_seconds: MoneyOrRange
    """Seconds from sending a call to its first output token."""
    output_tokens_per_second: PositiveOrRange
    """Output (and reasoning) tokens per second once the answer streams, in the offer's own tokens."""


class Attempt(Strict):
    """One attempt at a task, when attempts differ: a retry that carries the failed output and the error."""

    success_rate: ProbabilityOrRange
    """Chance that this attempt completes the task, given that the earlier attempts failed."""
    task: TaskOverride | None = None  # type: ignore[valid-type]
    """What this attempt consumes, over the candidate's task."""


class Pricing(Strict):
    """What a candidate says about one offer: its id, how it is bought, and what the work on it consumes."""

    offer: str
    """The offer id, vendor/offer."""
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
    hosting: Hosting | None = None
    """Capacity and price overrides for a self_hosted offer: throughput, replicas, utilisation, hourly price."""
    reroute_retired: bool = False
    """Price a retired offer at the replacement its vendor names (where the vendor sends the old model's calls
    there) instead of refusing it."""
    task: TaskOverride | None = None  # type: ignore[valid-type]
    human: HumanOverride | None = None  # type: ignore[valid-type]
    fixed_costs: FixedCosts = []
    """Costs of this deal outside the vendor's price book (the helpdesk seats an agent needs, a build); added to the
    workload's `fixed_costs`, an item of the same name replacing the workload's."""
    discount: ShareOrRange | None = None
    """Share (0 to 1) taken off the vendor's list charges (a negotiated quote); not off fixed_costs."""
    tokenizer: str | None = None
    """The tokenizer this candidate's token counts were measured in (its task overrides and the workload's counts);
    default the workload's."""
    speed: Speed | None = None
    """Time to first token and output speed, for `latency_seconds`; default the offer's published `speed`."""


class Step(Pricing):
    """One step of a chain (classifier, writer, critic, refiner): every step runs on every attempt."""


class Stage(Pricing):
    """One stage of a route: a candidate without a label; a task moves to the next stage when this one fails."""

    success_rate: ProbabilityOrRange | None = None
    """Chance that one attempt at this stage completes the task (or give `attempts`)."""
    attempts: list[Attempt] | None = Field(default=None, min_length=1)
    """One entry per attempt, each with its own success rate and task overrides; replaces `task.max_attempts`."""


class Candidate(Stage):
    """One offer applied to the workload, or an architecture of several: a `route` of stages or a `chain` of steps."""

    offer: str | None = None  # type: ignore[assignment]
    """The offer id, vendor/offer (or give `route` or `chain`)."""
    label: str = ""
    """A display name; defaults to the offer id."""
    route: list[Stage] | None = Field(default=None, min_length=1)
    """Stages in order: a task moves to the next when the current one fails, after that stage's attempts."""
    chain: list[Step] | None = Field(default=None, min_length=1)
    """Steps that all run on every attempt; the candidate's success rate applies to the whole chain."""

    @model_validator(mode="after")
    def _one_shape(self) -> Self:
        shapes = [k for k in ("offer", "route", "chain") if getattr(self, k) is not None]
        if len(shapes) != 1:
            raise ValueError("give exactly one of offer, route, chain; " + (f"found {' and '.join(shapes)}" if shapes else "found none"))
        if self.route is None and self.success_rate is None and self.attempts is None:
            raise ValueError("give success_rate (or attempts)")
        if self.route is not None:
            for key in ("success_rate", "attempts"):
                if getattr(self, key) is not None:
                    raise ValueError(f"{key} belongs to each stage of a route, not to the candidate")
        return self

    @property
    def name(self) -> str:
        return self.label or self.offer or " → ".join(leg.offer for leg in self.route or self.chain or [])


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
    period: Period = "month"
    """The period `tasks` counts over and costs are reported for: week, month, quarter or year."""
    tasks: TasksOrRange
    """Tasks per period."""
    tokenizer: str = REFERENCE
    """The tokenizer the token counts were measured with."""
    content: ContentType = "prose"
    """What the text mostly is, for tokenizer ratios: prose, code or cjk."""
    task: Task
    human: Human | None = None
    """The people around the AI; without it people's costs are zero and the verdict compares vendors only."""
    seats: CountOrRange | None = None
    """Users, for seat-priced offers."""
    peak_factor: PeakFactorOrRange | None = None
    """Peak demand over average demand in working hours, for sizing provisioned capacity."""
    working_hours: PositiveOrRange | None = None
    """Hours per period in which the tasks arrive, for provisioned capacity."""
    candidates: list[Candidate] = Field(min_length=1)
    evidence: Evidence | None = None
    """Where the numbers come from, for a workload calibrated from measured runs."""
    fixed_costs: FixedCosts = []
    """Costs every candidate bears outside the price books (a shared platform, integration work)."""
    term_months: Months | None = None
    """Contract term in months: each result then has a contract_cost (term × monthly cost, one-offs once)."""
    pricebooks: list[str] = []
    """Price-book directories laid over the bundled ones (paths relative to this file); `--pricebooks` goes on top."""
    max_latency_seconds: PositiveOrRange | None = None
    """The longest a task may take; candidates slower on average are marked `misses_latency`."""
    seat_usage_cv: SpreadOrRange | None = None
    """Coefficient of variation of one seat's monthly use, for allowances each seat holds on its own (default 1.85,
    from a published spread of Claude Code use: see docs/cost-model.md); 0 means every seat uses exactly the mean."""

