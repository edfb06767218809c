"""Invariants of the cost model, checked on many generated workloads (hypothesis)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from tco.engine.compare import compare
from tco.files.pricebooks import load_catalog
from tco.models.workload import Workload
from tests.conftest import FIXTURES

SELECTION = load_catalog(FIXTURES / "pricebooks").as_of(dt.date(2026, 6, 1))

tokens = st.integers(min_value=0, max_value=400_000).map(Decimal)
shares = st.integers(min_value=0, max_value=100).map(lambda n: Decimal(n) / 100)
rates = st.integers(min_value=1, max_value=1000).map(lambda n: Decimal(n) / 1000)


def workload(task: dict, success_rate: Decimal = Decimal("0.8"), offer: str = "example/x", **candidate) -> Workload:
    return Workload.model_validate({
        "workload": "property", "tasks": Decimal(1000),
        "task": {"calls": Decimal(3), "input_tokens": Decimal(2000), "output_tokens": Decimal(300), **task},
        "human": {"hourly_cost": Decimal(50), "review_minutes": Decimal(1), "task_minutes": Decimal(10)},
        "candidates": [{"offer": offer, "success_rate": success_rate, **candidate}],
    })


def cost(w: Workload, field: str = "per_task_cost") -> Decimal:
    return getattr(compare(w, SELECTION).results[0], field)


@settings(max_examples=60, deadline=None)
@given(kind=st.sampled_from(["input_tokens", "output_tokens", "reasoning_tokens", "cache_write_tokens"]),
       base=tokens, extra=tokens, cached=shares, batch=shares)
def test_more_tokens_never_cost_less(kind, base, extra, cached, batch):
    task = {"cached_input_share": cached, "batch_share": batch}
    assert cost(workload({**task, kind: base + extra})) >= cost(workload({**task, kind: base}))


@settings(max_examples=60, deadline=None)
@given(s=rates, lower=rates, attempts=st.integers(1, 5),
       offer=st.sampled_from(["example/x", "example/y"]), assumed=shares)
def test_a_lower_success_rate_never_lowers_success_adjusted_cost(s, lower, attempts, offer, assumed):
    extra = {"assumed_resolution_share": assumed} if offer == "example/y" else {}
    worse = min(s, lower)
    high = cost(workload({"max_attempts": attempts}, s, offer, **extra), "success_adjusted_cost")
    low = cost(workload({"max_attempts": attempts}, worse, offer, **extra), "success_adjusted_cost")
    assert low >= high


@settings(max_examples=40, deadline=None)
@given(s=rates, attempts=st.integers(2, 8))
def test_per_token_success_adjusted_cost_does_not_depend_on_max_attempts(s, attempts):
    once = cost(workload({"max_attempts": 1}, s), "success_adjusted_cost")
    many = cost(workload({"max_attempts": attempts}, s), "success_adjusted_cost")
    assert abs(once - many) <= once * Decimal("1e-20")


@settings(max_examples=30, deadline=None)
@given(s=rates, review=st.integers(0, 30).map(Decimal))
def test_break_even_is_where_cost_per_completed_task_meets_the_human_baseline(s, review):
    w = workload({}, s)
    w = w.model_copy(update={"human": w.human.model_copy(update={"review_minutes": review})})
    r = compare(w, SELECTION).results[0]
    if r.break_even_success_rate is None:
        at_one = w.model_copy(update={"candidates": [w.candidates[0].model_copy(update={"success_rate": Decimal(1)})]})
        assert cost(at_one, "cost_per_completed_task") > r.human_baseline
        return
    at = r.break_even_success_rate
    at_w = w.model_copy(update={"candidates": [w.candidates[0].model_copy(update={"success_rate": at})]})
    assert cost(at_w, "cost_per_completed_task") <= r.human_baseline
    if at > Decimal("0.000001"):
        below = at - Decimal("0.000001")
        below_w = w.model_copy(update={"candidates": [w.candidates[0].model_copy(update={"success_rate": below})]})
        assert cost(below_w, "cost_per_completed_task") > r.human_baseline


def test_draws_a_hair_above_a_whole_number_round_up_as_the_exact_value_does():
    """Float noise must not bill one unit more than the Decimal model (break-even's float scan relies on it)."""
    from decimal import Decimal

    from tco.engine.draws import of
    from tco.engine.elementwise import ceil

    assert list(ceil(of([0.1 * 3 / 0.1, 3.2, 0.0]))) == [3.0, 4.0, 0.0]
    assert 0.1 * 3 / 0.1 > 3 and ceil(Decimal("0.3") / Decimal("0.1")) == 3
