"""Provisioned capacity: units sized to peak demand, billed whether used or not, spill-over paid per token."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from tco.engine.bill import Bill
from tco.engine.elementwise import ceil, maximum, possibly, ratio, where
from tco.engine.job import Job
from tco.engine.per_token import attempt_charge, call_tokens, calls_per_attempt, tokenizer_ratio
from tco.engine.seat import term_of
from tco.models.pricebook import PerTokenOffer, ProvisionedOffer


def weighted_tokens_per_attempt(job: Job, offer: ProvisionedOffer) -> tuple[Decimal, list[str]]:
    """Tokens one attempt counts against throughput, each kind at its weight."""
    ratio, warnings = tokenizer_ratio(job, offer.tokenizer)
    t, w = call_tokens(job, ratio), offer.throughput.weights
    reasoning = w.reasoning if w.reasoning is not None else w.output
    per_call = (t.input * (1 - t.cached_share) * w.input + t.input * t.cached_share * w.cached_input
                + t.cache_write * w.input + t.output * w.output + t.reasoning * reasoning)
    return calls_per_attempt(job) * per_call, warnings


def units_for(offer: ProvisionedOffer, tokens_per_minute: Decimal) -> Any:
    """The fewest units the offer sells (minimum, then whole increments) that sustain `tokens_per_minute`."""
    needed = ceil(tokens_per_minute / offer.throughput.tokens_per_minute_per_unit)
    steps = -(-maximum(needed - offer.min_units, 0) // offer.unit_increment)  # whole increments, rounded up
    return offer.min_units + steps * offer.unit_increment


def spill_share(capacity: Decimal, average: Decimal, peak: Decimal) -> Decimal:
    """Share of demand above capacity, for load falling evenly from the peak in working hours.

    The load-duration curve runs straight from `peak` down to 2·average − peak (or to zero over the
    first 2·average/peak of the time when the peak is over twice the average), so its mean is `average`.
    """
    low = maximum(2 * average - peak, Decimal(0))
    span = where(low > 0, 1, ratio(2 * average, peak))
    above = span * ratio(peak - capacity, peak - low)
    share = where(capacity <= low, ratio(average - capacity, average), ratio((peak - capacity) * above / 2, average))
    return where((average == 0) | (capacity >= peak), Decimal(0), share)


def spillover(job: Job, offer_id: str | None, share: Any, more: str) -> tuple[Any, dict[str, object], list[str]]:
    """The cost of `share` of the attempts served by the per-token offer `offer_id` at standard, real-time rates
    (overflow at peak cannot wait for a batch), with its breakdown; an error if some spills and there is nowhere to
    go (`more` names the key that buys more capacity)."""
    if not possibly(share > 0):
        return Decimal(0), {}, []
    spill_ref = job.selection.find(offer_id) if offer_id is not None else None
    if spill_ref is None or not isinstance(spill_ref.offer, PerTokenOffer):
        if offer_id is None:
            raise job.error("offer", f"demand spills over capacity and {job.ref.id} has no spillover_offer; "
                                     f"run more {more}")
        raise job.error("offer", f"demand spills over capacity to {offer_id}, which is not a per_token offer in force "
                                 f"on {job.selection.as_of}; buy more {more} or pick another --as-of")
    charges = [(p, attempt_charge(spill_ref.offer, one, shares={})) for p, one in job.attempt_jobs()]
    warnings = list(dict.fromkeys(w for _, (_, _, ws) in charges for w in ws))  # every attempt's, once each
    cost = job.tasks * sum((p * A for p, (A, _, _) in charges), Decimal(0)) * share
    return cost, {"spillover_offer": offer_id, "spillover_cost": cost}, warnings


def capacity_bill(job: Job, fixed: Any, offer_id: str | None, share: Any, more: str, breakdown: dict[str, object],
                  warnings: list[str]) -> Bill:
    """Capacity billed whether used or not (`fixed`, the customer's commitment) plus the spill-over of `share` of
    the demand; failed attempts' share of the whole bill is failure spend, the customer's."""
    spill_cost, spill_breakdown, spill_warnings = spillover(job, offer_id, share, more)
    period = fixed + spill_cost
    return Bill(
        period_cost=period,
        fixed_commitment=fixed,
        customer_failure_spend=period * job.failed_attempt_share,
        failure_bearer="customer",
        breakdown=breakdown | spill_breakdown,
        warnings=tuple(warnings + spill_warnings),
    )


def bill(job: Job) -> Bill:
    offer = job.ref.offer
    assert isinstance(offer, ProvisionedOffer)
    w = job.workload
    if w.working_hours is None or w.peak_factor is None:
        raise job.error("offer", f"{job.ref.id} is provisioned capacity, sized to peak demand; "
                                 "add `working_hours:` and `peak_factor:` to the workload")
    if possibly(job.task.batch_share != 0):
        raise job.error("task.batch_share", "provisioned capacity serves no batch traffic; set it to 0 for this candidate")
    units = job.candidate.units
    if units is not None and possibly((units < offer.min_units) | ((units - offer.min_units) % offer.unit_increment != 0)):
        raise job.error("units", f"{job.ref.id} is sold from {offer.min_units} units in steps of {offer.unit_increment}")
    term = term_of(job, offer.terms)
    price = offer.terms[term]
    per_attempt, warnings = weighted_tokens_per_attempt(job, offer)
    average = job.tasks * job.E * per_attempt / (w.working_hours * 60)
    peak = average * w.peak_factor
    units = units if units is not None else units_for(offer, peak)
    capacity = units * offer.throughput.tokens_per_minute_per_unit
    unit_cost = price.unit_hour * job.hours if price.unit_hour is not None else price.unit_month * job.months
    fixed = units * unit_cost
    share = spill_share(capacity, average, peak)
    breakdown: dict[str, object] = {
        "term": term, "weighted_tokens_per_attempt": per_attempt, "average_tokens_per_minute": average,
        "peak_tokens_per_minute": peak, "units": units, "capacity_tokens_per_minute": capacity,
        "unit_cost_per_period": unit_cost, "capacity_fees": fixed,
        "utilisation": average * (1 - share) / capacity, "spill_share": share,
    }
    return capacity_bill(job, fixed, offer.spillover_offer, share, "`units:`", breakdown, list(warnings))
