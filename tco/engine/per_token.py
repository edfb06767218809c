"""Per-token pricing: the call charge (DESIGN.md step 1) with tokenizer ratio, cache, tiers, batch and off-peak."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from tco.engine.bill import Bill
from tco.engine.elementwise import possibly, where
from tco.models.pricebook import PerTokenOffer, RateCard

if TYPE_CHECKING:
    from tco.engine.job import Job

MILLION = Decimal(1_000_000)


@dataclass(frozen=True)
class CallTokens:
    """One call's tokens, counted in the offer's tokenizer."""

    input: Decimal
    cached_share: Decimal
    cache_write: Decimal
    output: Decimal
    reasoning: Decimal

    @property
    def prompt_size(self) -> Decimal:
        """What long-context thresholds are measured on: all input, cache reads and writes."""
        return self.input + self.cache_write


def tokenizer_ratio(job: Job, tokenizer: str) -> tuple[Decimal, list[str]]:
    """Tokens in `tokenizer` per token of the tokenizer the counts were measured in (`job.tokenizer`), for the
    workload's content."""
    table, content = job.selection.tokenizers, job.workload.content
    ours, measured_ours = table.ratio(tokenizer, content)
    theirs, measured_theirs = table.ratio(job.tokenizer, content)
    warnings = []
    if not (measured_ours and measured_theirs):
        warnings.append(f"no {content} measurement for tokenizer {tokenizer} or {job.tokenizer}; prose ratio used")
    return ours / theirs, warnings


def call_tokens(job: Job, ratio: Decimal) -> CallTokens:
    t = job.task
    return CallTokens(
        t.input_tokens * ratio, t.cached_input_share, t.cache_write_tokens * ratio,
        t.output_tokens * ratio, t.reasoning_tokens * ratio,
    )


def card_charge(card: RateCard, tokens: CallTokens, ttl: str, share: Decimal = Decimal(1)) -> dict[str, Decimal]:
    """Charge per category for `share` of the call's input-side tokens and, when share is 1, its output."""
    cached = card.cached_input_mtok if card.cached_input_mtok is not None else card.input_mtok
    write = next(r for r in (card.cache_write_1h_mtok if ttl == "1h" else None, card.cache_write_mtok, card.input_mtok)
                 if r is not None)
    out = {
        "input": tokens.input * (1 - tokens.cached_share) * share * card.input_mtok,
        "cached_input": tokens.input * tokens.cached_share * share * cached,
        "cache_write": tokens.cache_write * share * write,
        "output": tokens.output * card.output_mtok,
        "reasoning": tokens.reasoning * (card.reasoning_mtok if card.reasoning_mtok is not None else card.output_mtok),
    }
    return {k: v / MILLION for k, v in out.items()}


def _card(job: Job, offer: PerTokenOffer, service: str, tier_index: int | None) -> RateCard:
    """`offer.rate_card`, or an error on the candidate key that asked for rates the offer does not sell."""
    card = offer.rate_card(service, tier_index)
    if card is not None:
        return card
    tier = None if tier_index is None else offer.context_tiers[tier_index]
    others = offer.service_tiers if tier is None else tier.service_tiers
    where = "" if tier is None else f" above {tier.above_input_tokens:,} input tokens"
    field = f"task.{service}_share" if service in SHARED_TIERS else "task.service_tier"
    sold = ", ".join(["standard", *others]) if others else "standard only"
    raise job.error(field, f"{offer.name} has no {service} rates{where} (sells {sold}); override this key for this candidate")


def marginal_charge(cards: list[RateCard], lower: list[Decimal], tokens: CallTokens, ttl: str) -> dict[str, Decimal]:
    """Input-side tokens in each band at that band's rates (`cards[0]` from 0, `cards[i]` above `lower[i]`); output at base rates."""
    size = tokens.prompt_size
    edges = [*lower, size]
    total = card_charge(cards[0], tokens, ttl, (edges[1] - edges[0]) / size)
    for band, card in enumerate(cards[1:], start=1):
        part = card_charge(card, tokens, ttl, (edges[band + 1] - edges[band]) / size)
        for k in ("input", "cached_input", "cache_write"):
            total[k] += part[k]
    return total


def priced_call(job: Job, offer: PerTokenOffer, tokens: CallTokens, service: str, ttl: str) -> dict[str, Decimal]:
    """One call's charge by category on one service tier: the highest long-context tier its prompt crosses applies."""
    size = tokens.prompt_size
    cards, lower = [_card(job, offer, service, None)], [Decimal(0)]
    charge = card_charge(cards[0], tokens, ttl)
    for i, tier in enumerate(offer.context_tiers):  # tiers ascend
        crossed = size > tier.above_input_tokens
        if not possibly(crossed):
            break
        cards.append(_card(job, offer, service, i))
        lower.append(Decimal(tier.above_input_tokens))
        here = card_charge(cards[-1], tokens, ttl) if tier.rule == "whole_request" else marginal_charge(cards, lower, tokens, ttl)
        charge = {k: where(crossed, here[k], charge[k]) for k in charge}
    return charge


SHARED_TIERS = ("batch", "off_peak")
"""Service tiers a share of the calls goes to, each named by its workload key `<tier>_share`."""
FALLS_BACK = {"off_peak"}
"""Tiers an offer may lack: their share is then billed like the other calls (no time-of-day price, no discount)."""


def tier_shares(job: Job) -> dict[str, Decimal]:
    """The share of calls on each shared tier (batch_share, off_peak_share)."""
    return {tier: getattr(job.task, f"{tier}_share") for tier in SHARED_TIERS}


def call_charge(offer: PerTokenOffer, job: Job, tokens: CallTokens, shares: dict[str, Decimal] | None = None) -> dict[str, Decimal]:
    """The call charge by category: each shared tier's share (batch, off-peak) at its rates, the rest at the task's
    service tier. `shares` defaults to the workload's; `{}` bills every call at the task's service tier."""
    shares = tier_shares(job) if shares is None else shares
    service, ttl = job.task.service_tier, job.task.cache_write_ttl
    direct = priced_call(job, offer, tokens, service, ttl)
    given = [tier for tier, b in shares.items() if possibly(b != 0)]
    if len(given) > 1 and possibly(sum(shares[t] for t in given) > 1):  # whether or not this offer sells each tier
        raise job.task_error(f"{given[-1]}_share", " + ".join(f"{t}_share" for t in given)
                             + " is above 1: a call is billed on one tier only")
    mixed = {tier: shares[tier] for tier in given if not (tier in FALLS_BACK and offer.rate_card(tier) is None)}
    if not mixed:
        return direct
    rest = 1 - sum(mixed.values())
    charge = {k: rest * v for k, v in direct.items()}
    for tier, b in mixed.items():
        priced = priced_call(job, offer, tokens, tier, ttl)
        charge = {k: charge[k] + b * priced[k] for k in charge}
    return charge


def calls_per_attempt(job: Job) -> Decimal:
    """calls / (1 − format_retry_rate): malformed outputs are called again (DESIGN.md step 2)."""
    return job.task.calls / (1 - job.task.format_retry_rate)


def attempt_charge(offer: PerTokenOffer, job: Job, shares: dict[str, Decimal] | None = None) -> tuple[Decimal, dict[str, object], list[str]]:
    """A: the charge for one attempt on a per-token offer, with how it was built (`shares` as in call_charge)."""
    ratio, warnings = tokenizer_ratio(job, offer.tokenizer)
    charges = call_charge(offer, job, call_tokens(job, ratio), shares)
    call = sum(charges.values(), Decimal(0))
    n = calls_per_attempt(job)
    breakdown: dict[str, object] = {
        "tokenizer": offer.tokenizer,
        "tokenizer_ratio": ratio,
        "call_charge": call,
        "call_charge_by_kind": charges,
        "calls_per_attempt": n,
        "attempt_charge": n * call,
    }
    return n * call, breakdown, warnings


def bill(job: Job) -> Bill:
    offer = job.ref.offer
    assert isinstance(offer, PerTokenOffer)
    A, breakdown, warnings = attempt_charge(offer, job)
    per_task, failed = A * job.E, A * (job.E - job.S)
    if job.attempt_tasks:  # attempts that consume differently: Σ_k P(reach k) · A_k, failed ones P(reach k)(1 − s_k) · A_k
        charges = [attempt_charge(offer, one)[0] for _, one in job.attempt_jobs()]
        reached = [p for p, _ in job.attempt_jobs()]
        assert job.rates is not None
        per_task = sum((p * a for p, a in zip(reached, charges, strict=True)), Decimal(0))
        failed = sum((p * (1 - s) * a for p, s, a in zip(reached, job.rates, charges, strict=True)), Decimal(0))
        breakdown["attempt_charges"] = charges
    return Bill(
        period_cost=job.tasks * per_task,
        fixed_commitment=Decimal(0),
        customer_failure_spend=job.tasks * failed,
        failure_bearer="customer",
        breakdown=breakdown,
        warnings=tuple(warnings),
    )
