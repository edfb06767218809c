"""Every example workload runs on the bundled price books in every format, and the contract's identities hold."""

from __future__ import annotations

import json
import re
from decimal import Decimal

import pytest

from tests.conftest import REPO

EXAMPLES = sorted((REPO / "examples").glob("*.yaml"))
CENT = Decimal("1e-8")


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
@pytest.mark.parametrize("format", ["table", "json", "markdown", "csv"])
def test_example_runs_in_every_format(tco, example, format):
    run = tco("compare", str(example), "--format", format)
    assert run.code == 0, run.err
    assert run.out.strip()


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_example_results_obey_the_cost_model(tco, example):
    doc = json.loads(tco("compare", str(example), "--format", "json").out)
    tasks = Decimal(doc["workload"]["tasks"])
    results = doc["results"]
    assert len(results) >= 3
    costs = [Decimal(r["cost_per_completed_task"]) for r in results]
    assert costs == sorted(costs)
    for r in results:
        d = {k: Decimal(v) for k, v in r.items() if isinstance(v, str) and k not in ("candidate", "offer", "scheme")}
        risk = {k: Decimal(v) for k, v in r["risk"].items() if k.endswith(("commitment", "spend"))}
        S = Decimal(r["breakdown"]["task_success_rate"])
        assert abs(d["success_adjusted_cost"] - d["per_task_cost"] / S) < CENT
        assert abs(d["period_cost"] - tasks * d["per_task_cost"]) < CENT * tasks
        assert abs(d["period_tco"] - tasks * d["cost_per_completed_task"]) < CENT * tasks
        assert risk["variable_spend"] == d["period_cost"] - risk["fixed_commitment"]
        assert 0 <= risk["customer_failure_spend"] <= d["period_cost"]
        assert d["cost_per_completed_task"] >= d["per_task_cost"]
        assert r["risk"]["failure_bearer"] in ("customer", "vendor", "shared")
        assert r["risk"]["volume_bearer"] in ("customer", "vendor", "shared")


def test_the_three_kinds_of_example_are_there():
    assert {p.stem for p in EXAMPLES} >= {"support-bot", "coding-agent", "document-pipeline"}


def test_examples_cover_every_scheme(tco):
    schemes = set()
    for example in EXAMPLES:
        results = json.loads(tco("compare", str(example), "--format", "json").out)["results"]
        schemes |= {scheme for r in results for scheme in r["scheme"].split("+")}  # a route's stages: a+b
    assert schemes == {"per_token", "seat", "credit", "per_resolution", "per_conversation", "provisioned", "self_hosted"}


def test_a_verdict_on_sub_cent_tasks_keeps_its_significant_places(tco):
    # the self-hosted example's candidates differ by fractions of a cent per task
    doc = json.loads(tco("compare", "examples/self-hosted.yaml", "--format", "json").out)
    text = doc["verdict"]["text"]
    assert "$0.00 " not in text and "$0.05 " not in text
    assert re.search(r"cheapest per completed task at \$0\.0\d{4},", text), text
