"""The whole deal (issue #13): fixed costs, discounts, private price books, the contract view, optional people and
each candidate's tokenizer, each hand-computed on the worked example (tests/fixtures/worked_example.yaml).

Offer X bills A = $0.0765 per attempt (DESIGN.md); at 10,000 tasks its list charges are $765 a period."""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal
from pathlib import Path

import pytest

from tests.conftest import FIXTURES

BOOKS = str(FIXTURES / "pricebooks")
AS_OF = "2026-06-01"

WORKLOAD = """\
workload: Worked example, the whole deal
tasks: 10000
task: {calls: 4, input_tokens: 2000, cached_input_share: 0.5, output_tokens: 300, reasoning_tokens: 500,
       format_retry_rate: 0.2}
human: {hourly_cost: 60, review_minutes: 2, task_minutes: 20}
"""


def compare(tco, path: Path, *extra: str) -> dict:
    run = tco("compare", str(path), "--pricebooks", BOOKS, "--as-of", AS_OF, "--format", "json", *extra)
    assert run.code == 0, run.err
    return json.loads(run.out)


def results(doc: dict) -> dict[str, dict]:
    return {r["candidate"]: r for r in doc["results"]}


def test_fixed_costs_discount_and_contract(tco, write):
    path = write("deal.yaml", WORKLOAD + """\
        term_months: 24
        fixed_costs:
          - {name: platform, per_month: 100}
          - {name: build, one_off: 1200}
        candidates:
          - offer: example/x
            success_rate: 0.8
            discount: 0.2
        """.replace("        ", ""))
    x = results(compare(tco, path))["example/x"]
    # list charges $765, less 20% = $612; platform $100 a month; the $1,200 build over the 24-month term = $50 a month
    assert x["breakdown"]["list_charges"] == "765"
    assert x["breakdown"]["discount_amount"] == "153"
    assert x["breakdown"]["fixed"] == {"platform": "100", "build": "50"}
    assert x["period_cost"] == "762"
    assert x["per_task_cost"] == "0.0762"
    assert x["cost_per_completed_task"] == "6.0762"  # + $2 review + 0.2 × $20 by hand
    assert x["period_tco"] == "60762"
    assert x["risk"]["fixed_commitment"] == "150"
    assert x["risk"]["variable_spend"] == "612"
    assert x["risk"]["customer_failure_spend"] == "152.4"  # 153 × 0.8 + 150 × (E − S)/E = 122.4 + 30
    # 24 × ($762 − $50 spread build) + the build once = $18,288
    assert x["contract_cost"] == "18288"


def test_each_amount_key_per_period(tco, write):
    path = write("deal.yaml", WORKLOAD + """\
        period: quarter
        seats: 3
        fixed_costs:
          - {name: licence, per_year: 1200}
          - {name: helpdesk, per_seat_month: 55}
          - {name: setup, one_off: 600, amortise_months: 6}
        candidates:
          - {offer: example/x, success_rate: 0.8}
        """.replace("        ", ""))
    x = results(compare(tco, path))["example/x"]
    # a quarter is 3 months: 1200 / 12 × 3 = 300; 55 × 3 seats × 3 = 495; 600 / 6 × 3 = 300
    assert x["breakdown"]["fixed"] == {"licence": "300", "helpdesk": "495", "setup": "300"}
    assert x["period_cost"] == "1860"  # 765 + 1,095
    assert "contract_cost" not in x  # no term_months


def test_a_candidate_item_replaces_the_workloads_of_its_name(tco, write):
    path = write("deal.yaml", WORKLOAD + """\
        fixed_costs: [{name: helpdesk, per_month: 100}]
        candidates:
          - {offer: example/x, success_rate: 0.8}
          - offer: example/x
            label: X with its own helpdesk
            success_rate: 0.8
            fixed_costs: [{name: helpdesk, per_month: 40}, {name: bot, per_month: 10}]
        """.replace("        ", ""))
    r = results(compare(tco, path))
    assert r["example/x"]["period_cost"] == "865"
    assert r["X with its own helpdesk"]["breakdown"]["fixed"] == {"helpdesk": "40", "bot": "10"}
    assert r["X with its own helpdesk"]["period_cost"] == "815"


def test_period_week_scales_monthly_fees_by_hours(tco, write):
    path = write("deal.yaml", WORKLOAD.replace("tasks: 10000", "tasks: 10000\nperiod: week") + """\
        fixed_costs: [{name: platform, per_month: 730}]
        candidates:
          - {offer: example/x, success_rate: 0.8}
        """.replace("        ", ""))
    x = results(compare(tco, path))["example/x"]
    assert x["breakdown"]["fixed"] == {"platform": "168"}  # a week is 168 of a month's 730 hours


def test_without_people_the_verdict_compares_vendors_only(tco, write):
    path = write("deal.yaml", WORKLOAD.replace("human: {hourly_cost: 60, review_minutes: 2, task_minutes: 20}\n", "") + """\
        candidates:
          - {offer: example/x, success_rate: 0.8}
          - {offer: example/y, success_rate: 0.65}
        """.replace("        ", ""))
    doc = compare(tco, path)
    x = results(doc)["example/x"]
    assert x["cost_per_completed_task"] == "0.0765"  # the bill alone: no review, nobody finishing failed tasks
    assert x["human_baseline"] is None and x["break_even_success_rate"] is None
    assert doc["verdict"]["beats_human_baseline"] is None
    assert doc["verdict"]["text"].endswith("no people's costs were given, so this compares vendors only.")
    table = tco("compare", str(path), "--pricebooks", BOOKS, "--as-of", AS_OF, "--wide")
    assert "No people's costs given" in table.out and "by hand" not in table.out


def test_candidate_tokenizer(tco, write, tmp_path):
    books = tmp_path / "books"
    (books / "example").mkdir(parents=True)
    (books / "example" / "2026-01-01.yaml").write_text((FIXTURES / "pricebooks/example/2026-01-01.yaml").read_text())
    (books / "tokenizers.yaml").write_text("tokenizers:\n  double:\n    ratio: {prose: 2}\n"
                                           "    source_urls: [https://example.com/t]\n    retrieved: 2026-01-01\n")
    path = write("deal.yaml", WORKLOAD + """\
        candidates:
          - {offer: example/x, success_rate: 0.8, tokenizer: double}
        """.replace("        ", ""))
    run = tco("compare", str(path), "--pricebooks", str(books), "--as-of", AS_OF, "--format", "json")
    assert run.code == 0, run.err
    x = json.loads(run.out)["results"][0]
    # counts measured in a tokenizer making twice o200k's tokens: X (o200k) sees half of them
    assert x["breakdown"]["tokenizer_ratio"] == "0.5"
    assert x["per_task_cost"] == "0.03825"


def private_books(tmp_path: Path, rate: str) -> Path:
    """A private directory with a quote for vendor example dated after the fixture's book."""
    books = tmp_path / "private"
    (books / "example").mkdir(parents=True)
    text = (FIXTURES / "pricebooks/example/2026-01-01.yaml").read_text()
    assert "input_mtok: 3" in text
    text = text.replace("version: 2026-01-01", "version: 2026-03-01").replace("input_mtok: 3", f"input_mtok: {rate}")
    (books / "example" / "2026-03-01.yaml").write_text(text)
    return books


def test_private_books_lay_over_the_given_ones(tco, tmp_path):
    private = private_books(tmp_path, "1")
    run = tco("compare", str(FIXTURES / "worked_example.yaml"), "--pricebooks", BOOKS, "--pricebooks", str(private),
              "--as-of", AS_OF, "--format", "json")
    assert run.code == 0, run.err
    doc = json.loads(run.out)
    x = results(doc)["example/x"]
    # input at $1 instead of $3: 1,000 uncached tokens cost $0.002 less per call, 5 calls → A = $0.0665
    assert x["per_task_cost"] == "0.0665"
    book = doc["pricebooks"][0]
    assert book["version"] == "2026-03-01" and book["file"].endswith("private/example/2026-03-01.yaml")
    assert book["sha256"] == hashlib.sha256((private / "example/2026-03-01.yaml").read_bytes()).hexdigest()
    before = tco("compare", str(FIXTURES / "worked_example.yaml"), "--pricebooks", BOOKS, "--pricebooks", str(private),
                 "--as-of", "2026-02-01", "--format", "json")
    assert results(json.loads(before.out))["example/x"]["per_task_cost"] == "0.0765"  # before the quote's date


def test_a_workload_names_its_books_relative_to_itself(tco, write, tmp_path):
    private_books(tmp_path / "quotes", "1")
    path = write("work/deal.yaml", WORKLOAD + """\
        pricebooks: [../quotes/private]
        candidates:
          - {offer: example/x, success_rate: 0.8}
        """.replace("        ", ""))
    run = tco("compare", str(path), "--as-of", AS_OF, "--format", "json")  # the workload's books over the bundled ones
    assert run.code == 0, run.err
    assert results(json.loads(run.out))["example/x"]["per_task_cost"] == "0.0665"


def test_bundled_books_stay_under_private_ones(tco, write):
    path = write("deal.yaml", WORKLOAD + """\
        candidates:
          - {offer: example/x, success_rate: 0.8}
          - {offer: anthropic/claude-haiku-4.5, success_rate: 0.8}
        """.replace("        ", ""))
    assert set(results(compare(tco, path))) == {"example/x", "anthropic/claude-haiku-4.5"}
    only = tco("compare", str(path), "--pricebooks", BOOKS, "--no-bundled", "--as-of", AS_OF)
    assert only.code == 2 and "anthropic/claude-haiku-4.5" in only.err


@pytest.mark.parametrize(("edit", "line", "field", "message"), [
    ("{name: platform, per_month: -5}", 7, "fixed_costs[0].per_month", "greater than or equal to 0"),
    ("{name: platform, per_month: 5, one_off: 100}", 7, "fixed_costs[0]", "give exactly one of per_month"),
    ("{name: platform, per_month: 5, amortise_months: 3}", 7, "fixed_costs[0]", "one_off amount only"),
])
def test_bad_fixed_costs(tco, write, edit, line, field, message):
    path = write("deal.yaml", WORKLOAD + f"""\
        fixed_costs:
          - {edit}
        candidates:
          - {{offer: example/x, success_rate: 0.8}}
        """.replace("        ", ""))
    run = tco("compare", str(path), "--pricebooks", BOOKS, "--as-of", AS_OF)
    assert run.code == 2
    assert f"deal.yaml:{line}: {field}:" in run.err and message in run.err


@pytest.mark.parametrize(("key", "field", "message"), [
    ("discount: 1.5", "candidates[0].discount", "less than or equal to 1"),
    ("tokenizer: o300k", "candidates[0].tokenizer", "unknown tokenizer 'o300k' — did you mean 'o200k'"),
])
def test_bad_candidate_keys(tco, write, key, field, message):
    path = write("deal.yaml", WORKLOAD + f"""\
        candidates:
          - offer: example/x
            success_rate: 0.8
            {key}
        """.replace("        ", ""))
    run = tco("compare", str(path), "--pricebooks", BOOKS, "--as-of", AS_OF)
    assert run.code == 2
    assert f"deal.yaml:9: {field}:" in run.err and message in run.err


def test_unknown_pricebook_path(tco, write):
    path = write("deal.yaml", WORKLOAD + """\
        pricebooks: [quotes]
        candidates:
          - {offer: example/x, success_rate: 0.8}
        """.replace("        ", ""))
    run = tco("compare", str(path), "--pricebooks", BOOKS, "--as-of", AS_OF)
    assert run.code == 2
    assert "deal.yaml:6: pricebooks[0]: no such price-book directory" in run.err
    missing = tco("compare", str(FIXTURES / "worked_example.yaml"), "--pricebooks", "nowhere", "--as-of", AS_OF)
    assert missing.code == 2 and "nowhere: no such price-book directory" in missing.err


def test_ranges_in_the_deal_are_simulated_and_varied(tco, write):
    path = write("deal.yaml", WORKLOAD + """\
        fixed_costs: [{name: platform, per_month: {low: 50, likely: 100, high: 200}}]
        candidates:
          - offer: example/x
            success_rate: 0.8
            discount: {low: 0.1, likely: 0.2, high: 0.3}
          - {offer: example/y, success_rate: 0.65}
        """.replace("        ", ""))
    doc = compare(tco, path, "--simulate", "500")
    x = results(doc)["example/x"]
    p5, p95 = (Decimal(x["simulation"]["period_cost"][p]) for p in ("p5", "p95"))
    # the bill runs from 765 × 0.7 + 50 to 765 × 0.9 + 200; its 5th and 95th percentiles lie inside
    assert Decimal("585.5") < p5 < Decimal(712) < p95 < Decimal("888.5")
    sens = tco("sensitivity", str(path), "--pricebooks", BOOKS, "--as-of", AS_OF, "--candidate", "example/x",
               "--format", "json")
    bars = {b["input"]: b for b in json.loads(sens.out)["bars"]}
    # discount 0.1 → 0.3 moves the bill by 0.2 × 765 = 153, $0.0153 a task
    assert Decimal(bars["candidates[0].discount"]["cost_at_low"]) - Decimal(bars["candidates[0].discount"]["cost_at_high"]) == Decimal("0.0153")
    assert Decimal(bars["fixed_costs[0].per_month"]["cost_at_high"]) - Decimal(bars["fixed_costs[0].per_month"]["cost_at_low"]) == Decimal("0.015")
    even = tco("breakeven", str(path), "example/x", "example/y", "--vary", "discount", "--pricebooks", BOOKS,
               "--as-of", AS_OF, "--format", "json")
    assert even.code == 0, even.err


def test_a_problem_in_a_workloads_books_is_placed_at_its_entry(tco, write, tmp_path):
    (tmp_path / "quotes" / "acme").mkdir(parents=True)
    (tmp_path / "quotes" / "acme" / "latest.yaml").write_text("vendor: acme\n")
    path = write("deal.yaml", WORKLOAD + """\
        pricebooks: [quotes]
        candidates:
          - {offer: acme/x, success_rate: 0.8}
        """.replace("        ", ""))
    run = tco("compare", str(path), "--pricebooks", BOOKS, "--as-of", AS_OF)
    assert run.code == 2
    assert "deal.yaml:6: pricebooks[0]: " in run.err and "latest.yaml: a price-book file is named by its effective date" in run.err


def test_breakeven_varies_a_fixed_cost(tco, write):
    path = write("deal.yaml", WORKLOAD + """\
        candidates:
          - {offer: example/x, success_rate: 0.8, fixed_costs: [{name: bot, per_month: 1000}]}
          - {offer: example/y, success_rate: 0.65}
        """.replace("        ", ""))
    run = tco("breakeven", str(path), "example/x", "example/y", "--vary", "candidates[0].fixed_costs[0].per_month",
              "--pricebooks", BOOKS, "--as-of", AS_OF, "--format", "json")
    assert run.code == 0, run.err
    [crossing] = json.loads(run.out)["crossings"]
    # x: 6.0765 + bot / 10,000 per completed task; y (0.99 × 0.65 + 2 review + 0.35 × 20) = 9.6435: bot = $35,670
    assert Decimal(35670) <= Decimal(crossing["value"]) <= Decimal("35670.1")  # found to 6 significant figures
