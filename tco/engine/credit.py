"""Credit plans: work consumes credits, bought pay-as-you-go or in packs, past an included amount."""

from __future__ import annotations

from decimal import Decimal
from functools import reduce

from tco.engine.bill import Bill
from tco.engine.elementwise import ceil, exact, maximum, minimum, possibly, ratio
from tco.engine.job import Job
from tco.engine.outcome import billed_resolutions
from tco.engine.per_token import calls_per_attempt
from tco.engine.usage import api_usd_per_attempt
from tco.models.pricebook import CreditOffer


def cheapest_purchase(offer: CreditOffer, credits: Decimal) -> tuple[Decimal, str]:
    """The cheapest way to buy `credits`: pay-as-you-go, or whole packs of one size."""
    options = []
    if offer.price_per_credit is not None:
        options.append((credits * offer.price_per_credit, "pay-as-you-go"))
    for pack in offer.packs:
        n = ceil(credits / pack.credits)
        options.append((n * pack.price, f"{n} × pack of {pack.credits:,}" if exact(n) else f"packs of {pack.credits:,}"))
    if exact(credits):
        return min(options, key=lambda o: o[0])
    return reduce(minimum, (cost for cost, _ in options)), "the cheapest way in each draw"


def actions_per_attempt(job: Job, offer: CreditOffer) -> Decimal:
    """Actions per attempt; an action using more tokens than the offer's limit counts as several."""
    actions = job.task.actions
    if offer.action_token_limit is None or not possibly(actions != 0):
        return actions
    t = job.task
    tokens = calls_per_attempt(job) * (t.input_tokens + t.cache_write_tokens + t.output_tokens + t.reasoning_tokens)
    return actions * maximum(1, ceil(ratio(tokens, actions) / offer.action_token_limit))


def bill(job: Job) -> Bill:
    offer = job.ref.offer
    assert isinstance(offer, CreditOffer)
    per = offer.credits_per
    if job.candidate.model is not None and "api_usd" not in per:
        raise job.error("model", f"{job.ref.id} does not meter credits by model (it counts "
                                 f"{', '.join(per)}); remove `model:` from this candidate")
    breakdown: dict[str, object] = {}
    per_attempt = Decimal(0)  # credits spent on each attempt, failed or not
    if "request" in per:
        per_attempt += job.task.requests * per["request"]
    if "action" in per:
        actions = actions_per_attempt(job, offer)
        breakdown["actions_per_attempt"] = actions
        per_attempt += actions * per["action"]
    if "api_usd" in per:
        usd, detail = api_usd_per_attempt(job)
        breakdown |= detail
        per_attempt += usd * per["api_usd"]
    conversation = per.get("conversation", Decimal(0))
    resolved, assumed = billed_resolutions(job, counts_assumed=True)
    resolution = per.get("resolution", Decimal(0)) * (resolved + assumed)
    per_task = job.E * per_attempt + conversation + resolution
    credits = job.tasks * per_task
    failed = job.tasks * (job.E - job.S) * per_attempt + job.tasks * (1 - job.S) * conversation \
        + job.tasks * per.get("resolution", Decimal(0)) * assumed
    included = offer.included_credits_month * job.months
    billable = maximum(credits - included, Decimal(0))
    variable, how = cheapest_purchase(offer, billable)
    fixed = offer.platform_fee_month * job.months
    breakdown |= {
        "credits_per_attempt": per_attempt, "credits_per_task": per_task, "credits": credits,
        "included_credits": included, "billable_credits": billable, "purchase": how,
        "credit_spend": variable, "platform_fees": fixed,
    }
    return Bill(
        period_cost=fixed + variable,
        fixed_commitment=fixed,
        customer_failure_spend=ratio(variable * failed, credits) + fixed * job.failed_attempt_share,
        failure_bearer="customer" if possibly(per_attempt != 0) or conversation else ("shared" if possibly(failed != 0) else "vendor"),
        breakdown=breakdown,
    )
