"""Seats as billed (issue #13): per-seat allowances spread use across seats (a lognormal, closed form), pooled ones
stay pooled, unpublished limits are a warning, and `model:` on a plan that does not meter by model is an error."""

from __future__ import annotations

import datetime as dt
import json
import math
from decimal import Decimal
from pathlib import Path
from statistics import NormalDist

import yaml

from tco.engine.seat_spread import expected_excess, normal_cdf
from tests.conftest import FIXTURES

DAY = dt.date(2026, 1, 1)
SRC = {"source_urls": ["https://example.com/seats"], "retrieved": DAY}


def test_the_closed_form_by_hand():
    # m = a = 100, cv = 1: σ² = ln 2, σ = 0.832555; μ = ln 100 − σ²/2; d1 = (μ + σ² − ln 100)/σ = σ/2, d2 = −σ/2,
    # so E = 100·(Φ(σ/2) − Φ(−σ/2)) = 100·(2Φ(0.416277) − 1) = 100·(2 × 0.661396 − 1) = 32.2793
    assert abs(expected_excess(Decimal(100), Decimal(100), Decimal(1)) - Decimal("32.27929028266731")) < Decimal("1e-13")
    # m = 76.5, a = 50, cv = 1 (the workload below): d1 = (ln 76.5 + σ²/2 − ln 50)/σ = 0.927076, d2 = 0.094521;
    # E = 76.5 × Φ(0.927076) − 50 × Φ(0.094521) = 76.5 × 0.823056 − 50 × 0.537652 = 62.9638 − 26.8826 = 36.0812
    s = math.sqrt(math.log(2))
    d1 = (math.log(76.5) + s * s / 2 - math.log(50)) / s
    by_hand = 76.5 * NormalDist().cdf(d1) - 50 * NormalDist().cdf(d1 - s)
    assert round(by_hand, 4) == 36.0812
    assert abs(float(expected_excess(Decimal("76.5"), Decimal(50), Decimal(1))) - by_hand) < 1e-12


def test_the_edges_of_the_closed_form():
    assert expected_excess(Decimal(80), Decimal(50), Decimal(0)) == 30  # every seat at the mean
    assert expected_excess(Decimal(30), Decimal(50), Decimal(0)) == 0
    assert expected_excess(Decimal(80), Decimal(0), Decimal(2)) == 80  # nothing included
    assert expected_excess(Decimal(0), Decimal(50), Decimal(2)) == 0
    assert normal_cdf(Decimal(0)) == Decimal("0.5")
    assert abs(normal_cdf(Decimal("1.959963984540054")) - Decimal("0.975")) < Decimal("1e-15")


def books(tmp_path: Path) -> Path:
    """The fixture books and a vendor selling the same allowance pooled and per seat, and a flat plan."""
    root = tmp_path / "books"
    allowance = {"unit": "usd", "per_seat_month": 50}
    offers = {
        "pooled": {"scheme": "seat", "name": "Pooled", "seat_month": {"monthly": 40}, "allowance": allowance,
                   "overage_per_unit": 1, **SRC},
        "own": {"scheme": "seat", "name": "Per seat", "seat_month": {"monthly": 40},
                "allowance": {**allowance, "pooling": "per_seat"}, "overage_per_unit": 1, **SRC},
        "flat": {"scheme": "seat", "name": "Flat", "seat_month": {"monthly": 30}, **SRC},
        "unlimited": {"scheme": "seat", "name": "Unlimited", "seat_month": {"monthly": 30}, "usage_limits": "none", **SRC},
    }
    (root / "seats").mkdir(parents=True)
    (root / "seats" / "2026-01-01.yaml").write_text(yaml.safe_dump(
        {"vendor": "seats", "version": DAY, "currency": "USD", "offers": offers}, sort_keys=False))
    return root


WORKLOAD = """\
workload: Seats as billed
tasks: 10000
seats: 10
seat_usage_cv: 1
task: {calls: 4, input_tokens: 2000, cached_input_share: 0.5, output_tokens: 300, reasoning_tokens: 500,
       format_retry_rate: 0.2}
candidates:
  - {offer: seats/pooled, model: example/x, success_rate: 0.8}
  - {offer: seats/own, model: example/x, success_rate: 0.8}
  - {offer: seats/flat, success_rate: 0.8}
  - {offer: seats/unlimited, success_rate: 0.8}
"""


def run(tco, path: Path, root: Path) -> dict[str, dict]:
    out = tco("compare", str(path), "--pricebooks", str(FIXTURES / "pricebooks"), "--pricebooks", str(root),
              "--as-of", "2026-06-01", "--format", "json")
    assert out.code == 0, out.err
    return {r["candidate"]: r for r in json.loads(out.out)["results"]}


def test_per_seat_allowances_bill_the_heavy_users_overage(tco, write, tmp_path):
    r = run(tco, write("seats.yaml", WORKLOAD), books(tmp_path))
    # usage at example/x's API rates: A = $0.0765 × 10,000 tasks = $765 a month across 10 seats
    pooled, own = r["seats/pooled"], r["seats/own"]
    assert pooled["breakdown"]["excess"] == "265"  # 765 − 10 × 50
    assert pooled["period_cost"] == "665"  # 400 in seats + 265
    assert own["breakdown"]["usage_per_seat_month"] == "76.5"
    excess = Decimal(own["breakdown"]["excess"])
    assert abs(excess - Decimal("360.812")) < Decimal("0.001")  # 10 seats × 36.0812 (by hand above)
    assert Decimal(own["period_cost"]) == 400 + excess


def test_unpublished_limits_are_named_not_unlimited(tco, write, tmp_path):
    r = run(tco, write("seats.yaml", WORKLOAD), books(tmp_path))
    flat, unlimited = r["seats/flat"], r["seats/unlimited"]
    assert any("does not publish" in w for w in flat["warnings"])
    assert flat["risk"]["volume_bearer"] == "customer"  # the seats are all fixed; more use may need more
    assert unlimited["risk"]["volume_bearer"] == "vendor" and not unlimited["warnings"]


def test_model_on_a_plan_that_does_not_meter_by_model_is_an_error(tco, write, tmp_path):
    path = write("seats.yaml", WORKLOAD.replace("{offer: seats/flat, success_rate: 0.8}",
                                                "{offer: seats/flat, model: example/x, success_rate: 0.8}"))
    out = tco("compare", str(path), "--pricebooks", str(FIXTURES / "pricebooks"), "--pricebooks", str(books(tmp_path)),
              "--as-of", "2026-06-01")
    assert out.code == 2
    assert "seats.yaml:10: candidates[2].model: seats/flat does not meter use by model" in out.err


def test_simulated_spread_matches_the_exact_one(tco, write, tmp_path):
    path = write("seats.yaml", WORKLOAD.replace("seat_usage_cv: 1", "seat_usage_cv: {low: 0.8, likely: 1, high: 1.6}"))
    out = tco("compare", str(path), "--pricebooks", str(FIXTURES / "pricebooks"), "--pricebooks", str(books(tmp_path)),
              "--as-of", "2026-06-01", "--format", "json", "--simulate", "400")
    assert out.code == 0, out.err
    own = next(r for r in json.loads(out.out)["results"] if r["candidate"] == "seats/own")
    p5, p95 = (Decimal(own["simulation"]["period_cost"][p]) for p in ("p5", "p95"))
    # a wider spread leaves more use past the seats' own allowances: cv 0.8 → 1.6 brackets the bill at cv 1
    assert p5 < Decimal(own["period_cost"]) < p95
