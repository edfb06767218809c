"""Seat plans: a fee per seat, an allowance pooled across the seats or held by each, overage past it."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from tco.engine.bill import Bill
from tco.engine.elementwise import maximum, most, possibly
from tco.engine.job import Job
from tco.engine.seat_spread import expected_excess
from tco.engine.usage import api_usd_per_attempt, requests_per_attempt, token_rate_per_attempt
from tco.errors import nearest
from tco.models.pricebook import SeatOffer
from tco.models.workload import SEAT_USAGE_CV


def term_of(job: Job, terms: dict) -> str:
    term = job.candidate.term or next(iter(terms))
    if term not in terms:
        raise job.error("term", f"{term!r} is not sold; expected one of {', '.join(terms)}{nearest(term, terms)}")
    return term


def meters_by_model(offer: SeatOffer) -> bool:
    """Whether the plan's use depends on the model: dollars or credits at its API rates, or per-model multipliers."""
    return offer.allowance is not None and (offer.allowance.unit != "request" or bool(offer.model_multipliers))


def per_seat_excess(job: Job, used: Any, allowance: Any) -> tuple[Any, dict[str, object]]:
    """Expected use past per-seat allowances, each user's monthly use lognormal around the mean (seat_spread)."""
    if not possibly(job.seats != 0):
        return used, {}
    cv = job.workload.seat_usage_cv if job.workload.seat_usage_cv is not None else SEAT_USAGE_CV
    mean = used / (job.seats * job.months)  # one user's monthly use
    excess = expected_excess(mean, allowance, cv) * job.seats * job.months
    return excess, {"pooling": "per_seat", "seat_usage_cv": cv, "usage_per_seat_month": mean}


def bill(job: Job) -> Bill:
    offer = job.ref.offer
    assert isinstance(offer, SeatOffer)
    if job.seats is None:
        raise job.error("offer", f"{job.ref.id} is priced per seat; add `seats:` to the workload or this candidate")
    if job.candidate.model is not None and not meters_by_model(offer):
        raise job.error("model", f"{job.ref.id} does not meter use by model (it has "
                                 f"{'no allowance' if offer.allowance is None else 'no model multipliers'}); "
                                 "remove `model:` from this candidate")
    term = term_of(job, offer.seat_month)
    seats = maximum(job.seats, offer.min_seats)
    fixed = seats * offer.seat_month[term] * job.months
    breakdown: dict[str, object] = {"term": term, "seats_billed": seats, "seat_fees": fixed}
    warnings: list[str] = []
    if possibly(seats > job.seats):
        warnings.append(f"the plan's minimum is {offer.min_seats} seats; {seats} billed")
    overage = Decimal(0)
    if offer.allowance is not None:
        allowance = offer.allowance
        if allowance.unit == "request":
            per_attempt, detail = requests_per_attempt(job, offer.model_multipliers)
        else:
            per_attempt, detail = api_usd_per_attempt(job)
            if allowance.token_rate_mtok is not None:
                surcharge, more = token_rate_per_attempt(job, allowance.token_rate_mtok)
                per_attempt, detail = per_attempt + surcharge, detail | more
            if allowance.unit == "credit":
                per_attempt = per_attempt / allowance.usd_per_credit
        used = job.tasks * job.E * per_attempt
        included = seats * allowance.per_seat_month * job.months
        breakdown |= detail | {
            "allowance_unit": allowance.unit, "usage_per_attempt": per_attempt, "usage": used, "included": included,
        }
        if allowance.pooling == "pooled":
            excess = maximum(used - included, Decimal(0))
        else:
            excess, spread = per_seat_excess(job, used, allowance.per_seat_month)
            breakdown |= spread
        breakdown["excess"] = excess
        if offer.overage_per_unit is None:
            if possibly(excess > 0):
                warnings.append(f"usage exceeds the allowance by {most(excess):.0f} {allowance.unit}s and the plan sells "
                                "no overage: that work cannot be done on this plan as sized")
        elif possibly(excess > 0):
            overage = excess * offer.overage_per_unit
        breakdown["overage"] = overage
    elif offer.usage_limits == "unpublished":
        warnings.append(f"{offer.name} limits use at levels the vendor does not publish: heavy use may be throttled "
                        "or billed as extra usage, which is not costed here")
    period = fixed + overage
    return Bill(
        period_cost=period,
        fixed_commitment=fixed,
        customer_failure_spend=period * job.failed_attempt_share,
        failure_bearer="customer",
        unmetered=offer.allowance is None and offer.usage_limits == "none",
        breakdown=breakdown,
        warnings=tuple(warnings),
    )
