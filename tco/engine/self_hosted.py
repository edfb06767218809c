"""Self-hosted: an open-weight model on GPU replicas, rented by the hour or owned, billed whether used or not.

Each call takes replica time: its prefill tokens at the replica's prefill rate plus its output and reasoning tokens
at its output rate. Replicas are sized so that demand fills `target_utilisation` of their time over the period; what
fixed replicas cannot serve spills to a per-token offer. The customer pays for idle replicas (a fixed commitment).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from tco.engine.bill import Bill
from tco.engine.elementwise import ceil, maximum, possibly, ratio
from tco.engine.job import Job
from tco.engine.per_token import call_tokens, calls_per_attempt, tokenizer_ratio
from tco.engine.provisioned import capacity_bill
from tco.models.pricebook import SelfHostedOffer

SECONDS_PER_HOUR = Decimal(3600)


def setting(job: Job, key: str) -> Any:
    """The candidate's `hosting.<key>` where given, else the offer's."""
    hosting = job.candidate.hosting
    given = getattr(hosting, key) if hosting is not None else None
    if given is not None:
        return given
    offer = job.ref.offer
    if key in ("output_tokens_per_second", "prefill_tokens_per_second"):
        return getattr(offer.throughput, key) if offer.throughput is not None else None
    return getattr(offer, key, None)


def replica_cost(job: Job, offer: SelfHostedOffer) -> tuple[Any, dict[str, object]]:
    """What one replica costs over the period: its hourly price × hours, or owned hardware's amortised capex,
    power and operations."""
    if offer.owned is None:
        hourly = setting(job, "instance_hour")
        return hourly * job.hours, {"instance_hour": hourly}
    if job.candidate.hosting is not None and job.candidate.hosting.instance_hour is not None:
        raise job.error("hosting.instance_hour", f"{job.ref.id} is owned hardware, not rented by the hour; "
                                                 "its cost is capex, power and ops in the price book")
    o = offer.owned
    capex = o.capex / o.amortise_months * job.months
    power = o.power_kw * o.price_per_kwh * job.hours
    ops = o.ops_per_month * job.months
    return capex + power + ops, {"capex_per_period": capex, "power_per_period": power, "ops_per_period": ops}


def bill(job: Job) -> Bill:
    offer = job.ref.offer
    assert isinstance(offer, SelfHostedOffer)
    output_tps, prefill_tps = setting(job, "output_tokens_per_second"), setting(job, "prefill_tokens_per_second")
    if output_tps is None or prefill_tps is None:
        raise job.error("hosting", f"{job.ref.id} is an instance without a model's throughput; give "
                                   "`hosting: {output_tokens_per_second: …, prefill_tokens_per_second: …}`")
    if possibly(job.task.batch_share != 0):
        raise job.error("task.batch_share", "self-hosted replicas serve no batch API; set it to 0 for this candidate")
    ratio_, warnings = tokenizer_ratio(job, offer.tokenizer)

    def replica_seconds(one: Job) -> tuple[Any, Any, Any]:
        """One attempt's replica time, with its prefill and output tokens per call."""
        t = call_tokens(one, ratio_)
        prefill = t.input * (1 - t.cached_share) + t.cache_write  # prefix-cache hits skip prefill
        per_call = prefill / prefill_tps + (t.output + t.reasoning) / output_tps
        return calls_per_attempt(one) * per_call, prefill, t.output + t.reasoning

    per_attempt, prefill, output = replica_seconds(job)
    demand = job.tasks * sum((p * replica_seconds(one)[0] for p, one in job.attempt_jobs()), Decimal(0))
    utilisation = setting(job, "target_utilisation")
    min_replicas = setting(job, "min_replicas")
    per_replica = job.hours * SECONDS_PER_HOUR * utilisation
    replicas = setting(job, "replicas")
    if replicas is not None and possibly(replicas < min_replicas):
        raise job.error("hosting.replicas", f"{job.ref.id} keeps at least {min_replicas} replicas running")
    replicas = replicas if replicas is not None else maximum(min_replicas, ceil(demand / per_replica))
    capacity = replicas * per_replica
    share = maximum(ratio(demand - capacity, demand), Decimal(0))
    unit_cost, cost_parts = replica_cost(job, offer)
    fixed = replicas * unit_cost
    breakdown: dict[str, object] = {
        "prefill_tokens_per_call": prefill, "output_tokens_per_call": output,
        "replica_seconds_per_attempt": per_attempt, "demand_replica_seconds": demand, "replicas": replicas,
        "gpus": replicas * offer.gpus_per_replica, "capacity_replica_seconds": capacity,
        "replica_cost_per_period": unit_cost, **cost_parts, "replica_fees": fixed,
        "utilisation": demand * (1 - share) / (replicas * job.hours * SECONDS_PER_HOUR), "spill_share": share,
    }
    return capacity_bill(job, fixed, offer.spillover_offer, share, "`hosting.replicas:`", breakdown, list(warnings))
