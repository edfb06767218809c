"""Price books: one vendor's offers at one effective date, in seven billing schemes."""

from decimal import Decimal
from typing import Annotated, Literal, Self

from pydantic import Field, model_validator

from tco.models.base import Count, Date, Money, MtokRate, Positive, PositiveCount, Sourced, Strict

ServiceTier = Literal["batch", "flex", "priority", "off_peak"]
"""off_peak: the rates of a vendor's off-peak hours (time-of-day pricing); the standard rates are its peak."""


class RateCard(Strict):
    """Per-token rates in USD per million tokens."""

    input_mtok: MtokRate
    """Uncached input."""
    cached_input_mtok: MtokRate | None = None
    """Input read from the prompt cache; absent means cache reads are billed as input."""
    cache_write_mtok: MtokRate | None = None
    """Writing to the cache (5-minute lifetime where the vendor sells two); absent means billed as input."""
    cache_write_1h_mtok: MtokRate | None = None
    """Writing to the 1-hour cache, where sold."""
    output_mtok: MtokRate
    """Visible output."""
    reasoning_mtok: MtokRate | None = None
    """Hidden reasoning; absent means billed at the output rate, as every major vendor does."""


class ContextTier(Strict):
    """Long-context pricing above an input-size threshold."""

    above_input_tokens: PositiveCount
    """The threshold on one call's input: uncached + cached input + cache writes."""
    rule: Literal["whole_request", "marginal"]
    """whole_request: past the threshold every token of the call is billed at these rates; marginal: only the input past it."""
    rates: RateCard
    service_tiers: dict[ServiceTier, RateCard] = {}
    """Rate cards of other service tiers (batch, flex, priority, off_peak) above the threshold."""


class Speed(Strict):
    """How fast an offer answers: typical time to the first token and output tokens per second after it."""

    ttft_seconds: Money
    """Seconds from sending a call to its first output token."""
    output_tokens_per_second: Positive
    """Output (and reasoning) tokens per second once the answer streams, in the offer's own tokens."""


class OfferBase(Sourced):
    name: str = Field(min_length=1)
    """The vendor's name for the offer."""
    speed: Speed | None = None
    """Typical latency, where a source publishes it; a candidate's `speed:` replaces it."""
    released: Date | None = None
    """The day the vendor first sold it."""
    deprecated: Date | None = None
    """The day the vendor announced its shutdown."""
    retired: Date | None = None
    """The day it was (or will be) shut down; from then on it cannot be bought."""
    replacement: str | None = None
    """The offer id (`vendor/offer`) the vendor names as its successor."""

    def released_by(self, day: Date) -> bool:
        """Sold on or before `day` (an offer without a release date always was)."""
        return self.released is None or self.released <= day

    def retired_by(self, day: Date) -> bool:
        """Shut down on or before `day`."""
        return self.retired is not None and self.retired <= day

    def on_sale(self, day: Date) -> bool:
        return self.released_by(day) and not self.retired_by(day)

    @model_validator(mode="after")
    def _lifecycle_in_order(self) -> Self:
        dates = [(k, getattr(self, k)) for k in ("released", "deprecated", "retired") if getattr(self, k) is not None]
        if [d for _, d in dates] != sorted(d for _, d in dates):
            raise ValueError("lifecycle dates must run released ≤ deprecated ≤ retired; found " + ", ".join(f"{k} {d}" for k, d in dates))
        return self


class PerTokenOffer(OfferBase):
    """Billed per token: the API price list."""

    scheme: Literal["per_token"]
    model: str = ""
    """The vendor's API model id."""
    tokenizer: str
    """Name of the tokenizer in tokenizers.yaml."""
    rates: RateCard
    """Standard (on-demand) rates."""
    service_tiers: dict[ServiceTier, RateCard] = {}
    """Other service tiers: batch, flex, priority, and off_peak (the off-peak hours' rates where a vendor prices by time of day)."""
    context_tiers: list[ContextTier] = []
    """Long-context tiers, by ascending threshold."""

    def rate_card(self, service: str, tier_index: int | None = None) -> RateCard | None:
        """The rates for a service tier (standard, batch, flex, priority, off_peak) at a context tier (None = base); None if not sold."""
        tier = None if tier_index is None else self.context_tiers[tier_index]
        rates, others = (self.rates, self.service_tiers) if tier is None else (tier.rates, tier.service_tiers)
        return rates if service == "standard" else others.get(service)  # type: ignore[call-overload]

    @model_validator(mode="after")
    def _tiers_ascend(self) -> Self:
        thresholds = [t.above_input_tokens for t in self.context_tiers]
        if thresholds != sorted(set(thresholds)):
            raise ValueError("context_tiers must have distinct thresholds in ascending order")
        return self


class Allowance(Strict):
    """Usage included with each seat: pooled across the seats bought, or each seat's own."""

    unit: Literal["request", "usd", "credit"]
    """request: premium requests × model multiplier; usd: dollars of usage at API rates; credit: credits consumed at API rates."""
    per_seat_month: Money
    """Units included per seat per month."""
    usd_per_credit: Positive | None = None
    """For unit credit: dollars of API-rate usage one credit covers."""
    token_rate_mtok: MtokRate | None = None
    """For unit usd: USD per million tokens (input, cached and output alike) added to the API-rate cost of the
    usage, included and past the allowance (Cursor's Token Rate on Teams plans)."""
    pooling: Literal["pooled", "per_seat"] = "pooled"
    """pooled: one allowance shared by all the seats bought (Copilot Business credits); per_seat: each seat's own,
    so a heavy user's overage is not covered by a light user's unused allowance (Cursor). Default pooled, as every
    book before December 2026 was costed."""

    @model_validator(mode="after")
    def _credit_needs_price(self) -> Self:
        if (self.unit == "credit") != (self.usd_per_credit is not None):
            raise ValueError("usd_per_credit is required with unit credit and only then")
        if self.token_rate_mtok is not None and self.unit != "usd":
            raise ValueError("token_rate_mtok applies to an allowance in unit usd only")
        return self


class SeatOffer(OfferBase):
    """Billed per seat per month, with an optional allowance of usage and overage past it."""

    scheme: Literal["seat"]
    seat_month: dict[str, Money] = Field(min_length=1)
    """USD per seat per month by commitment term (e.g. monthly, annual); the first is the default."""
    min_seats: PositiveCount = 1
    allowance: Allowance | None = None
    """Usage included per seat; absent means usage is not metered (a flat fee with fair-use limits)."""
    overage_per_unit: Money | None = None
    """USD per allowance unit past the allowance; absent means the plan sells no overage."""
    model_multipliers: dict[str, Money] = {}
    """Allowance units one request to a model uses, by tco offer id (for unit request)."""
    usage_limits: Literal["unpublished", "none"] = "unpublished"
    """For a plan without an allowance: unpublished (the vendor limits use at levels it does not publish: a warning,
    and the customer carries volume risk) or none (use is unbounded: the vendor carries volume risk)."""


class CreditPack(Strict):
    credits: PositiveCount
    price: Money


CreditUnit = Literal["request", "action", "conversation", "resolution", "api_usd"]


class CreditOffer(OfferBase):
    """Billed in credits bought per credit or in packs, consumed per unit of work."""

    scheme: Literal["credit"]
    price_per_credit: Money | None = None
    """Pay-as-you-go USD per credit."""
    packs: list[CreditPack] = []
    """Credit packs on sale; the cheapest way to cover the need is used."""
    credits_per: dict[CreditUnit, Money] = Field(min_length=1)
    """Credits consumed per unit of work: request, action, conversation, resolution, or dollar of API-rate usage."""
    action_token_limit: PositiveCount | None = None
    """Tokens one action covers; an action using more is charged as several."""
    included_credits_month: Count = 0
    platform_fee_month: Money = Decimal(0)

    @model_validator(mode="after")
    def _has_a_price(self) -> Self:
        if self.price_per_credit is None and not self.packs:
            raise ValueError("a credit offer needs price_per_credit or packs")
        return self


class Outcome(Strict):
    """An outcome other than a resolution that the vendor bills (e.g. a procedure ending in a handoff)."""

    fee: Money
    """USD per outcome."""
    task_done: bool
    """True when the outcome completes the task (a lead qualified and routed), in place of a resolution; false when a
    person finishes the task after it (a procedure that ends in a handoff)."""


OutcomeName = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]


class PerResolutionOffer(OfferBase):
    """Billed per resolution the vendor counts, and per other outcome where it bills those too."""

    scheme: Literal["per_resolution"]
    per_resolution: Money
    counts: Literal["confirmed_only", "confirmed_and_assumed"]
    """What the vendor bills as a resolution: only confirmed ones, or assumed ones too (the customer left)."""
    platform_fee_month: Money = Decimal(0)
    included_resolutions_month: Count = 0
    other_outcomes: dict[OutcomeName, Outcome] = {}
    """Other outcomes billed per conversation instead of a resolution (one outcome per conversation at most), by name;
    a candidate's outcome_shares say how often each happens."""


class PerConversationOffer(OfferBase):
    """Billed per conversation, and per action where sold so."""

    scheme: Literal["per_conversation"]
    per_conversation: Money
    per_action: Money = Decimal(0)
    platform_fee_month: Money = Decimal(0)
    included_conversations_month: Count = 0


class TermPrice(Strict):
    """Price of one unit on one commitment term: per hour or per month."""

    unit_hour: Money | None = None
    unit_month: Money | None = None

    @model_validator(mode="after")
    def _one_price(self) -> Self:
        if (self.unit_hour is None) == (self.unit_month is None):
            raise ValueError("give exactly one of unit_hour and unit_month")
        return self


class TokenWeights(Strict):
    """How much each kind of token counts against provisioned throughput."""

    input: Money = Decimal(1)
    cached_input: Money = Decimal(1)
    output: Money = Decimal(1)
    reasoning: Money | None = None
    """Absent means weighted as output."""


class Throughput(Strict):
    tokens_per_minute_per_unit: Positive
    """Weighted tokens per minute one unit sustains."""
    weights: TokenWeights = TokenWeights.model_construct()  # not TokenWeights(): that builds its validator at import


class ProvisionedOffer(OfferBase):
    """Reserved capacity billed per unit-hour whether used or not, with spill-over to a per-token offer."""

    scheme: Literal["provisioned"]
    model: str = ""
    tokenizer: str
    terms: dict[str, TermPrice] = Field(min_length=1)
    """Price per unit by commitment term (hourly, month, year…); the first is the default."""
    min_units: PositiveCount = 1
    unit_increment: PositiveCount = 1
    throughput: Throughput
    spillover_offer: str
    """The per_token offer id that serves demand above the provisioned capacity."""


class ReplicaThroughput(Strict):
    """What one replica sustains at a stated concurrency: output and prefill tokens per second, each as if the
    replica did only that (a replica-second serves `prefill_tokens_per_second` input tokens or
    `output_tokens_per_second` output tokens)."""

    output_tokens_per_second: Positive
    """Output (and reasoning) tokens per second the replica generates, summed over its concurrent requests."""
    prefill_tokens_per_second: Positive
    """Input tokens per second the replica reads (prefill), summed over its concurrent requests."""
    concurrency: PositiveCount | None = None
    """The number of requests in flight at which the figures hold, where the source states it."""


class OwnedHardware(Strict):
    """Hardware the customer owns: its price spread over months, plus power and operations, per replica."""

    capex: Money
    """USD to buy one replica's hardware."""
    amortise_months: PositiveCount
    """Months the capex is spread over."""
    power_kw: Money = Decimal(0)
    """Average kW one replica draws (with cooling, if the price per kWh does not cover it)."""
    price_per_kwh: Money = Decimal(0)
    """USD per kWh."""
    ops_per_month: Money = Decimal(0)
    """USD per replica per month to run it: hosting, support, people."""


class SelfHostedOffer(OfferBase):
    """An open-weight model on GPU replicas the customer rents by the hour or owns, billed whether used or not,
    with optional spill-over to a per-token offer."""

    scheme: Literal["self_hosted"]
    model: str = ""
    """The open-weight model served, where the offer names one."""
    tokenizer: str
    gpus_per_replica: PositiveCount
    """GPUs one replica (one serving copy of the model, priced as a whole) takes."""
    throughput: ReplicaThroughput | None = None
    """What one replica sustains; absent for an instance sold without a model (a candidate's `hosting:` gives it)."""
    min_replicas: PositiveCount = 1
    target_utilisation: Annotated[Money, Field(gt=0, le=1)] = Decimal("0.7")
    """Share of a replica's time that demand may fill on average before another replica is added."""
    instance_hour: Money | None = None
    """USD per replica-hour, rented on demand."""
    owned: OwnedHardware | None = None
    """Owned hardware instead of a rented instance."""
    spillover_offer: str | None = None
    """The per_token offer id that serves demand above the replicas' capacity; absent means none spills."""

    @model_validator(mode="after")
    def _one_cost(self) -> Self:
        if (self.instance_hour is None) == (self.owned is None):
            raise ValueError("give exactly one of instance_hour (rented) and owned (owned hardware)")
        return self


Offer = Annotated[
    PerTokenOffer | SeatOffer | CreditOffer | PerResolutionOffer | PerConversationOffer | ProvisionedOffer | SelfHostedOffer,
    Field(discriminator="scheme"),
]
SCHEMES = ("per_token", "seat", "credit", "per_resolution", "per_conversation", "provisioned", "self_hosted")

OfferKey = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9.\-]*$")]


class PriceBook(Strict):
    """One vendor's prices effective from one date."""

    vendor: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9\-]*$")]
    """The vendor's folder name."""
    version: Date
    """The date these prices took effect; also the file name."""
    currency: Literal["USD"]
    offers: dict[OfferKey, Offer] = Field(min_length=1)
    """Offers keyed by id within the vendor (lowercase, dots kept)."""
