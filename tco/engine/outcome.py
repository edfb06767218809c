"""Outcome pricing: per resolution the vendor counts, or per conversation (and action)."""

from __future__ import annotations

from decimal import Decimal

from tco.engine.bill import Bill
from tco.engine.elementwise import maximum, possibly, ratio
from tco.engine.job import Job
from tco.models.pricebook import PerConversationOffer, PerResolutionOffer


def billed_resolutions(job: Job, counts_assumed: bool) -> tuple[Decimal, Decimal]:
    """Per task: real resolutions S (less the completed tasks billed as another outcome), and unresolved tasks
    billed as resolved (1−S)·a."""
    a = job.assumed_share if counts_assumed else Decimal(0)
    return maximum(job.S - other_outcome_shares(job, done=True), Decimal(0)), (1 - job.S) * a


def other_outcome_shares(job: Job, done: bool) -> Decimal:
    """Share of tasks ending in the offer's other billed outcomes that complete the task (done) or hand it on."""
    offer = job.ref.offer
    if not isinstance(offer, PerResolutionOffer):
        return Decimal(0)
    return sum((share for name, share in job.candidate.outcome_shares.items()
                if offer.other_outcomes[name].task_done == done), Decimal(0))


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
    outcome_fees = {name: job.tasks * share * offer.other_outcomes[name].fee
                    for name, share in job.candidate.outcome_shares.items()}
    handed_on = sum((fee for name, fee in outcome_fees.items() if not offer.other_outcomes[name].task_done), Decimal(0))
    warnings = []
    if possibly(job.assumed_share != 0) and not counts_assumed:
        warnings.append(f"{job.ref.id} bills confirmed resolutions only; assumed_resolution_share ignored")
    done, not_done = other_outcome_shares(job, done=True), other_outcome_shares(job, done=False)
    if possibly(done > job.S):
        warnings.append(f"outcome shares that complete the task ({done}) exceed the task success rate S; "
                        f"no resolutions are billed and those outcomes are billed as given")
    if possibly(not_done + assumed > 1 - job.S):
        warnings.append(f"outcome shares that hand the task on ({not_done}) and assumed resolutions exceed the "
                        f"unresolved share 1 − S: a conversation is billed for one outcome at most")
    return Bill(
        period_cost=fixed + billable * offer.per_resolution + sum(outcome_fees.values(), Decimal(0)),
        fixed_commitment=fixed,
        customer_failure_spend=(job.tasks * assumed * offer.per_resolution * paid_share + handed_on
                                + fixed * job.failed_attempt_share),
        failure_bearer="shared" if possibly(assumed != 0) or possibly(handed_on != 0) else "vendor",
        breakdown={
            "billed_resolutions_per_task": real + assumed, "assumed_resolutions_per_task": assumed,
            "billed_resolutions": billed, "included_resolutions": included, "billable_resolutions": billable,
            "resolution_fees": billable * offer.per_resolution,
            **({"other_outcome_fees": outcome_fees} if outcome_fees else {}),
            "platform_fees": fixed,
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
