"""Seat plans: a fee per seat, an allowance pooled across the seats, overage past it."""

from __future__ import annotations

from decimal import Decimal

from tco.engine.bill import Bill
from tco.engine.elementwise import maximum, most, possibly
from tco.engine.job import Job
from tco.engine.usage import api_usd_per_attempt, requests_per_attempt
from tco.errors import nearest
from tco.models.pricebook import SeatOffer


def term_of(job: Job, terms: dict) -> str:
    term = job.candidate.term or next(iter(terms))
    if term not in terms:
        raise job.error("term", f"{term!r} is not sold; expected one of {', '.join(terms)}{nearest(term, terms)}")
    return term


def bill(job: Job) -> Bill:
    offer = job.ref.offer
    assert isinstance(offer, SeatOffer)
    if job.seats is None:
        raise job.error("offer", f"{job.ref.id} is priced per seat; add `seats:` to the workload or this candidate")
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
            if allowance.unit == "credit":
                per_attempt = per_attempt / allowance.usd_per_credit
        used = job.tasks * job.E * per_attempt
        included = seats * allowance.per_seat_month * job.months
        excess = maximum(used - included, Decimal(0))
        breakdown |= detail | {
            "allowance_unit": allowance.unit, "usage_per_attempt": per_attempt,
            "usage": used, "included": included, "excess": excess,
        }
        if offer.overage_per_unit is None:
            if possibly(excess > 0):
                warnings.append(f"usage exceeds the allowance by {most(excess):.0f} {allowance.unit}s and the plan sells "
                                "no overage: that work cannot be done on this plan as sized")
        elif possibly(excess > 0):
            overage = excess * offer.overage_per_unit
        breakdown["overage"] = overage
    period = fixed + overage
    return Bill(
        period_cost=period,
        fixed_commitment=fixed,
        customer_failure_spend=period * job.failed_attempt_share,
        failure_bearer="customer",
        unmetered=offer.allowance is None,
        breakdown=breakdown,
        warnings=tuple(warnings),
    )
