"""The worked example of DESIGN.md, reproduced exactly through the JSON output."""

import json
from decimal import Decimal

import pytest

from tests.conftest import FIXTURES


@pytest.fixture
def results(tco):
    run = tco("compare", str(FIXTURES / "worked_example.yaml"), "--pricebooks", str(FIXTURES / "pricebooks"),
              "--as-of", "2026-06-01", "--format", "json")
    assert run.code == 0, run.err
    return {r["candidate"]: r for r in json.loads(run.out)["results"]}


def test_offer_x_one_attempt(results):
    x = results["example/x"]
    assert x["breakdown"]["call_charge"] == "0.0153"
    assert x["breakdown"]["calls_per_attempt"] == "5"
    assert x["breakdown"]["attempt_charge"] == "0.0765"
    assert x["per_task_cost"] == "0.0765"
    assert x["success_adjusted_cost"] == "0.095625"
    assert x["cost_per_completed_task"] == "6.0765"
    assert x["human_baseline"] == "20"
    assert x["break_even_success_rate"] == "0.103825"
    assert x["period_cost"] == "765"
    assert x["risk"]["customer_failure_spend"] == "153"


def test_offer_x_three_attempts(results):
    x3 = results["X, three attempts"]
    assert x3["breakdown"]["expected_attempts"] == "1.24"
    assert x3["breakdown"]["task_success_rate"] == "0.992"
    assert x3["per_task_cost"] == "0.09486"
    assert x3["success_adjusted_cost"] == "0.095625"  # retries do not change cost per task done


def test_offer_y_per_resolution(results):
    y = results["example/y"]
    assert y["per_task_cost"] == "0.74745"
    assert Decimal(y["success_adjusted_cost"]).quantize(Decimal("0.000001")) == Decimal("1.149923")
    assert Decimal(y["risk"]["customer_failure_spend"]) / 10000 == Decimal("0.10395")


def test_ranked_by_cost_per_completed_task(results):
    costs = [Decimal(r["cost_per_completed_task"]) for r in results.values()]
    assert costs == sorted(costs)
