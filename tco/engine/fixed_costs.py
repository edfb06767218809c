"""The whole deal: the vendor's list charges less the candidate's discount, plus the costs no price book holds."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

from tco.engine.bill import Bill
from tco.engine.job import Job
from tco.models.workload import FixedCost

TWELVE = Decimal(12)
DEFAULT_AMORTISE_MONTHS = 12
"""Months a one-off is spread over when neither the item nor the workload's `term_months` says."""


def amortise_months(job: Job, item: FixedCost) -> Any:
    """The months a one-off is spread over: the item's own, else the workload's term, else 12."""
    if item.amortise_months is not None:
        return item.amortise_months
    return job.workload.term_months or DEFAULT_AMORTISE_MONTHS


def per_period(job: Job, path: tuple[str | int, ...], item: FixedCost) -> Any:
    """One item's cost in the workload's period (a one-off spread over its months)."""
    key = item.amount_key
    amount = getattr(item, key)
    if key == "per_month":
        return amount * job.months
    if key == "per_year":
        return amount * job.months / TWELVE
    if key == "per_seat_month":
        if job.seats is None:
            raise job.error_at((*path, key), f"{item.name!r} is priced per seat; add `seats:` to the workload or "
                                             "this candidate")
        return amount * job.seats * job.months
    return amount / amortise_months(job, item) * job.months


def one_offs(job: Job) -> tuple[Any, Any]:
    """The one-off amounts in full, and as spread over the period (for the contract view)."""
    items = [(path, f) for path, f in job.fixed_costs if f.one_off is not None]
    total = sum((f.one_off for _, f in items), Decimal(0))
    spread = sum((per_period(job, path, f) for path, f in items), Decimal(0))
    return total, spread


def deal(job: Job, bill: Bill) -> Bill:
    """`bill` (the vendor's list charges) less the discount, plus the fixed costs: one more part of the fixed
    commitment, split to failure like any fixed fee ((E − S)/E)."""
    discount, items = job.candidate.discount, job.fixed_costs
    if discount is None and not items:
        return bill
    keep = 1 - discount if discount is not None else Decimal(1)
    fixed = {item.name: per_period(job, path, item) for path, item in items}
    total = sum(fixed.values(), Decimal(0))
    breakdown = dict(bill.breakdown)
    if discount is not None:
        breakdown |= {"list_charges": bill.period_cost, "discount": discount, "discount_amount": bill.period_cost * discount}
    if items:
        breakdown |= {"fixed": fixed, "fixed_costs": total}
    return replace(
        bill,
        period_cost=bill.period_cost * keep + total,
        fixed_commitment=bill.fixed_commitment * keep + total,
        customer_failure_spend=bill.customer_failure_spend * keep + total * job.failed_attempt_share,
        breakdown=breakdown,
    )
