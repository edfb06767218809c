"""Outcome pricing: per resolution the vendor counts, or per conversation (and action)."""

from __future__ import annotations

from decimal import Decimal

from tco.engine.bill import Bill
from tco.engine.elementwise import maximum, possibly, ratio
from tco.engine.job import Job
from tco.models.pricebook import PerConversationOffer, PerResolutionOffer


def billed_resolutions(job: Job, counts_assumed: bool) -> tuple[Decimal, Decimal]:
    """Per task: real resolutions S, and unresolved tasks billed as resolved (1−S)·a."""
    a = job.assumed_share if counts_assumed else Decimal(0)
    return job.S, (1 - job.S) * a


def per_resolution(job: Job) -> Bill:
    offer = job.ref.offer
    assert isinstance(offer, PerResolutionOffer)
    counts_assumed = offer.counts == "confirmed_and_assumed"
    real, assumed = billed_resolutions(job, counts_assumed)
    billed = job.tasks * (real + assumed)
    included = offer.included_resolutions_month * job.months
    billable = maximum(billed - included, Decimal(0))
    fixed = offer.platform_fee_month * job.months
    paid_share = ratio(billable, billed)
    warnings = []
    if possibly(job.assumed_share != 0) and not counts_assumed:
        warnings.append(f"{job.ref.id} bills confirmed resolutions only; assumed_resolution_share ignored")
    return Bill(
        period_cost=fixed + billable * offer.per_resolution,
        fixed_commitment=fixed,
        customer_failure_spend=job.tasks * assumed * offer.per_resolution * paid_share + fixed * job.failed_attempt_share,
        failure_bearer="shared" if possibly(assumed != 0) else "vendor",
        breakdown={
            "billed_resolutions_per_task": real + assumed, "assumed_resolutions_per_task": assumed,
            "billed_resolutions": billed, "included_resolutions": included, "billable_resolutions": billable,
            "resolution_fees": billable * offer.per_resolution, "platform_fees": fixed,
        },
        warnings=tuple(warnings),
    )


def per_conversation(job: Job) -> Bill:
    offer = job.ref.offer
    assert isinstance(offer, PerConversationOffer)
    included = offer.included_conversations_month * job.months
    billable = maximum(job.tasks - included, Decimal(0))
    conversations = billable * offer.per_conversation
    actions = job.tasks * job.E * job.task.actions * offer.per_action
    fixed = offer.platform_fee_month * job.months
    failed = conversations * (1 - job.S) + actions * job.failed_attempt_share + fixed * job.failed_attempt_share
    return Bill(
        period_cost=fixed + conversations + actions,
        fixed_commitment=fixed,
        customer_failure_spend=failed,
        failure_bearer="customer",
        breakdown={"billable_conversations": billable, "conversation_fees": conversations,
                   "action_fees": actions, "platform_fees": fixed},
    )
