"""Usage a plan meters per attempt: requests × model multiplier, or dollars at a model's API rates."""

from __future__ import annotations

from decimal import Decimal

from tco.engine.job import Job
from tco.engine.per_token import MILLION, attempt_charge, call_tokens, calls_per_attempt, tokenizer_ratio
from tco.errors import nearest
from tco.models.pricebook import PerTokenOffer


def model_offer(job: Job) -> PerTokenOffer:
    """The per-token offer the candidate's `model` names: whose API rates usage is priced at."""
    if job.candidate.model is None:
        raise job.error("offer", f"{job.ref.id} meters usage at a model's API rates; "
                                 "set this candidate's `model:` to a per_token offer id")
    ref = job.selection.find(job.candidate.model)
    if ref is None:
        raise job.error("model", job.selection.explain_missing(job.candidate.model))
    if not isinstance(ref.offer, PerTokenOffer):
        raise job.error("model", f"{job.candidate.model!r} is a {ref.offer.scheme} offer; expected a per_token offer id")
    return ref.offer


def api_usd_per_attempt(job: Job) -> tuple[Decimal, dict[str, object]]:
    """One attempt's cost at the candidate model's standard API rates (seat plans sell no batch)."""
    A, breakdown, _ = attempt_charge(model_offer(job), job, shares={})
    return A, {"model": job.candidate.model, "api_usd_per_attempt": A, "calls_per_attempt": breakdown["calls_per_attempt"]}


def token_rate_per_attempt(job: Job, rate_mtok: Decimal) -> tuple[Decimal, dict[str, object]]:
    """A per-token surcharge on one attempt's tokens (input, cache writes, output and reasoning, in the model's
    tokenizer), as Cursor's Token Rate bills them."""
    offer = model_offer(job)
    ratio, _ = tokenizer_ratio(job, offer.tokenizer)
    t = call_tokens(job, ratio)
    tokens = calls_per_attempt(job) * (t.input + t.cache_write + t.output + t.reasoning)
    usd = tokens * rate_mtok / MILLION
    return usd, {"tokens_per_attempt": tokens, "token_rate_usd_per_attempt": usd}


def requests_per_attempt(job: Job, multipliers: dict[str, Decimal]) -> tuple[Decimal, dict[str, object]]:
    """Requests per attempt × the model multiplier, as premium-request plans count them."""
    if not multipliers:
        return job.task.requests, {"requests_per_attempt": job.task.requests}
    model = job.candidate.model
    if model not in multipliers:
        raise job.error("model", f"{job.ref.id} prices requests by model; expected one of "
                                 f"{', '.join(sorted(multipliers))}{nearest(model or '', multipliers)}")
    m = multipliers[model]
    return job.task.requests * m, {"model": model, "model_multiplier": m, "requests_per_attempt": job.task.requests}
