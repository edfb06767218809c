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
    fixed_costs: FixedCosts = []
    """Costs of this deal outside the vendor's price book (the helpdesk seats an agent needs, a build); added to the
    workload's `fixed_costs`, an item of the same name replacing the workload's."""
    discount: ShareOrRange | None = None
    """Share (0 to 1) taken off the vendor's list charges (a negotiated quote); not off fixed_costs."""
    tokenizer: str | None = None
    """The tokenizer this candidate's token counts were measured in (its task overrides and the workload's counts);
    default the workload's."""

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
    seat_usage_cv: SpreadOrRange | None = None
    """Coefficient of variation of one seat's monthly use, for allowances each seat holds on its own (default 1.85,
    from a published spread of Claude Code use: see docs/cost-model.md); 0 means every seat uses exactly the mean."""

