"""Architectures as candidates (#14): attempts that differ, routes of stages, chains of steps, and latency.

Each figure below is worked by hand from the worked example's Offer X ($3 input, $0.30 cached, $15 output per
million; one attempt: 5 calls of $0.0153, A = $0.0765) and a cheaper offer `lab/cheap` ($1, $0.10, $2: a call of
$0.0027, A = $0.0135)."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tco.engine.compare import compare
from tco.files.pricebooks import load_catalog
from tco.models.workload import Workload
from tests.conftest import FIXTURES, REPO

LAB = """\
vendor: lab
version: 2026-01-01
currency: USD
offers:
  cheap:
    scheme: per_token
    name: Cheap
    tokenizer: o200k
    rates: {input_mtok: 1, cached_input_mtok: 0.10, output_mtok: 2}
    speed: {ttft_seconds: 0.5, output_tokens_per_second: 100}
    source_urls: [https://example.com/fixture]
    retrieved: 2026-01-01
"""

HEAD = """\
workload: Architectures
tasks: 10000
task: {calls: 4, input_tokens: 2000, cached_input_share: 0.5, output_tokens: 300, reasoning_tokens: 500,
       format_retry_rate: 0.2}
human: {hourly_cost: 60, review_minutes: 2, task_minutes: 20}
"""


@pytest.fixture
def run(tco, write):
    """`tco compare` of HEAD + `body` on the fixture books and lab/cheap: the JSON document, or the failed Run."""
    write("books/lab/2026-01-01.yaml", LAB)

    def _run(body: str, ok: bool = True, head: str = HEAD):
        path = write("w.yaml", head + body)
        result = tco("compare", str(path), "--pricebooks", str(FIXTURES / "pricebooks"), "--pricebooks",
                     str(path.parent / "books"), "--as-of", "2026-06-01", "--format", "json")
        assert "Traceback" not in result.err
        assert result.code == (0 if ok else 2), result.err
        return {r["candidate"]: r for r in json.loads(result.out)["results"]} if ok else result

    return _run


def test_attempts_that_differ(run):
    """The retry reads twice the input (a call of $0.0186, A₂ = $0.093): per task 0.0765 + 0.5 × 0.093."""
    r = run("""\
candidates:
  - offer: example/x
    attempts:
      - success_rate: 0.5
      - success_rate: 0.8
        task: {input_tokens: 4000}
""")["example/x"]
    assert r["breakdown"]["attempt_charges"] == ["0.0765", "0.093"]
    assert r["breakdown"]["expected_attempts"] == "1.5"      # 1 + 0.5
    assert r["breakdown"]["task_success_rate"] == "0.9"      # 1 − 0.5 × 0.2
    assert r["per_task_cost"] == "0.123"
    assert r["cost_per_completed_task"] == "5.123"           # 0.123 + 1.5 × $2 review + 0.1 × $20
    assert r["risk"]["customer_failure_spend"] == "475.5"    # 10,000 × (0.5 × 0.0765 + 0.5 × 0.2 × 0.093)


def test_a_route_escalates_the_failures(run):
    """Stage 1 (s 0.6, two attempts): E 1.4, S 0.84; 16% of tasks reach stage 2, which reviews for 6 minutes."""
    r = run("""\
candidates:
  - label: escalate
    route:
      - {offer: lab/cheap, success_rate: 0.6, task: {max_attempts: 2}}
      - {offer: example/x, success_rate: 0.8, human: {review_minutes: 6}}
""")["escalate"]
    first, second = r["breakdown"]["route"]
    assert (first["reach_share"], first["expected_attempts"], first["task_success_rate"]) == ("1", "1.4", "0.84")
    assert (second["reach_share"], second["per_task_cost"]) == ("0.16", "0.01224")  # 0.16 × 0.0765
    assert r["offers"] == ["lab/cheap", "example/x"]
    assert r["per_task_cost"] == "0.03114"                   # 1.4 × 0.0135 + 0.16 × 0.0765
    assert r["breakdown"]["task_success_rate"] == "0.968"    # 1 − 0.16 × 0.2
    assert r["breakdown"]["expected_attempts"] == "1.56"
    assert r["cost_per_completed_task"] == "4.43114"         # + 1.4 × $2 + 0.16 × $6 review + 0.032 × $20
    assert r["period_cost"] == "311.4"


def test_a_later_stage_is_billed_only_for_the_tasks_reaching_it(run):
    """A per-resolution stage after X (s 0.5): it bills $0.74745 per task reaching it, half the tasks."""
    r = run("""\
candidates:
  - label: bot then vendor
    route:
      - {offer: example/x, success_rate: 0.5}
      - {offer: example/y, success_rate: 0.65, assumed_resolution_share: 0.3}
""")["bot then vendor"]
    vendor = r["breakdown"]["route"][1]
    assert vendor["period_cost"] == "3737.25"                # 10,000 × 0.5 × 0.74745
    assert vendor["cost_per_task_reaching"] == "0.74745"
    assert r["per_task_cost"] == "0.450225"                  # 0.0765 + 0.5 × 0.74745


def test_a_chain_runs_every_step_on_every_attempt(run):
    """X writes, lab/cheap critiques with 100 output tokens (a call of $0.0023, $0.0115 an attempt)."""
    r = run("""\
candidates:
  - label: writer + critic
    success_rate: 0.8
    chain:
      - {offer: example/x}
      - {offer: lab/cheap, task: {output_tokens: 100}}
""")["writer + critic"]
    assert [s["per_task_cost"] for s in r["breakdown"]["chain"]] == ["0.0765", "0.0115"]
    assert r["per_task_cost"] == "0.088"
    assert r["cost_per_completed_task"] == "6.088"           # + $2 review + 0.2 × $20
    assert r["offer"] == "example/x + lab/cheap"


def test_latency_waiting_and_the_limit(run):
    """lab/cheap's published speed: 5 calls × (0.5 s + 800 tokens / 100 per s) = 42.5 s an attempt; X at the
    candidate's own speed: 5 × (1 + 800/50) = 85 s, over the 60 s limit; a person waits half of it at $60/h."""
    results = run("""\
candidates:
  - {offer: lab/cheap, success_rate: 0.8}
  - {offer: example/x, success_rate: 0.8, speed: {ttft_seconds: 1, output_tokens_per_second: 50}}
  - label: escalate
    speed: {ttft_seconds: 1, output_tokens_per_second: 50}
    route:
      - {offer: lab/cheap, success_rate: 0.6, task: {max_attempts: 2}, speed: {ttft_seconds: 0.5, output_tokens_per_second: 100}}
      - {offer: example/x, success_rate: 0.8}
""", head=HEAD.replace("task_minutes: 20}", "task_minutes: 20, waiting_share: 0.5}") + "max_latency_seconds: 60\n")
    cheap, x, route = results["lab/cheap"], results["example/x"], results["escalate"]
    assert (cheap["latency_seconds"], cheap["misses_latency"]) == ("42.5", False)
    assert (x["latency_seconds"], x["misses_latency"]) == ("85", True)
    assert x["waiting_cost"] == "0.7083333333"               # 85 × 0.5 × 60 / 3600
    assert x["cost_per_completed_task"] == "6.7848333333"    # 6.0765 + the wait
    assert route["latency_seconds"] == "73.1"                # 1.4 × 42.5 + 0.16 × 85


def test_every_format_carries_the_architecture(run, tco, write):
    run("candidates:\n  - label: escalate\n    route:\n      - {offer: lab/cheap, success_rate: 0.6}\n"
        "      - {offer: example/x, success_rate: 0.8}\n")
    path = write("w.yaml", HEAD + "candidates:\n  - label: escalate\n    route:\n"
                 "      - {offer: lab/cheap, success_rate: 0.6}\n      - {offer: example/x, success_rate: 0.8}\n")
    books = ["--pricebooks", str(FIXTURES / "pricebooks"), "--pricebooks", str(path.parent / "books"), "--as-of", "2026-06-01"]
    table = tco("compare", str(path), *books)
    assert "escalate: route lab/cheap (100.00% reach, $0.0135) → example/x (40.00% reach, $0.0306)" in table.out
    assert "offers" in tco("compare", str(path), *books, "--format", "csv").out.splitlines()[0]
    assert "- escalate: route lab/cheap" in tco("compare", str(path), *books, "--format", "markdown").out
    assert tco("compare", str(path), *books, "--simulate", "50").code == 0
    assert tco("sensitivity", str(path), *books).code == 0
    history = tco("history", str(path), "--pricebooks", str(FIXTURES / "pricebooks"), "--pricebooks",
                  str(path.parent / "books"), "--to", "2026-06-01")
    assert history.code == 0, history.err
    assert "escalate" in history.out


@pytest.mark.parametrize(("body", "expected"), [
    ("  - label: empty\n    route: []\n", "w.yaml:8: candidates[0].route: expected at least 1 item"),
    ("  - label: no offer\n    route:\n      - {success_rate: 0.5}\n", "w.yaml:9: candidates[0].route[0].offer: required field is missing"),
    ("  - offer: example/x\n    attempts: [{success_rate: 0.5}]\n    task: {max_attempts: 2}\n",
     "w.yaml:8: candidates[0].attempts: attempts replaces task.max_attempts"),
    ("  - offer: example/x\n    success_rate: 0.5\n    speed: {ttft_seconds: 1, output_tokens_per_second: 0}\n",
     "candidates[0].speed.output_tokens_per_second: expected greater than 0, found 0"),
])
def test_bad_architectures_are_named_by_file_line_and_field(run, body, expected):
    result = run("candidates:\n" + body, ok=False)
    assert expected in result.err


SELECTION = load_catalog(FIXTURES / "pricebooks").as_of(dt.date(2026, 6, 1))
rates = st.integers(min_value=1, max_value=1000).map(lambda n: Decimal(n) / 1000)
tokens = st.integers(min_value=0, max_value=200_000).map(Decimal)
FIELDS = ("per_task_cost", "cost_per_completed_task", "period_cost", "expected_attempts", "task_success_rate")


def figures_of(candidate: dict, task: dict, review: Decimal = Decimal(2)) -> dict[str, Decimal]:
    w = Workload.model_validate({
        "workload": "property", "tasks": Decimal(1000),
        "task": {"calls": Decimal(3), "output_tokens": Decimal(300), **task},
        "human": {"hourly_cost": Decimal(50), "review_minutes": review, "task_minutes": Decimal(10)},
        "candidates": [candidate],
    })
    r = compare(w, SELECTION).results[0]
    return {f: getattr(r, f) for f in FIELDS}


def same(a: dict[str, Decimal], b: dict[str, Decimal]) -> bool:
    return all(abs(a[f] - b[f]) <= abs(a[f]) * Decimal("1e-20") for f in FIELDS)


@settings(max_examples=40, deadline=None)
@given(s=rates, attempts=st.integers(1, 5), input_tokens=tokens, offer=st.sampled_from(["example/x", "example/y"]))
def test_a_one_stage_route_is_the_plain_candidate(s, attempts, input_tokens, offer):
    task = {"input_tokens": input_tokens}
    plain = figures_of({"offer": offer, "success_rate": s, "task": {"max_attempts": attempts}}, task)
    route = figures_of({"route": [{"offer": offer, "success_rate": s, "task": {"max_attempts": attempts}}]}, task)
    assert same(plain, route)


@settings(max_examples=40, deadline=None)
@given(s=rates, attempts=st.integers(1, 5), input_tokens=tokens, offer=st.sampled_from(["example/x", "example/y"]))
def test_a_one_step_chain_is_the_plain_candidate(s, attempts, input_tokens, offer):
    task = {"input_tokens": input_tokens, "max_attempts": attempts}
    assert same(figures_of({"offer": offer, "success_rate": s}, task),
                figures_of({"chain": [{"offer": offer}], "success_rate": s}, task))


@settings(max_examples=40, deadline=None)
@given(s=rates, attempts=st.integers(1, 6), input_tokens=tokens)
def test_equal_rates_per_attempt_are_max_attempts(s, attempts, input_tokens):
    task = {"input_tokens": input_tokens}
    listed = figures_of({"offer": "example/x", "attempts": [{"success_rate": s}] * attempts}, task)
    counted = figures_of({"offer": "example/x", "success_rate": s, "task": {"max_attempts": attempts}}, task)
    assert same(listed, counted)


def test_the_workbook_holds_routes_and_chains_as_live_formulas(tco, tmp_path):
    """Each stage is a Calc block of its own, on the share of tasks reaching it (a formula over the earlier stages'
    success), and the candidate's figures are formulas over the stages'; the cached values are tco's
    (tests/test_excel.py recalculates them in LibreOffice)."""
    import openpyxl

    out = tmp_path / "local-first.xlsx"
    assert tco("export", str(REPO / "examples/local-first.yaml"), "-o", str(out), "--as-of", "2026-12-07").code == 0
    doc = json.loads(tco("compare", str(REPO / "examples/local-first.yaml"), "--as-of", "2026-12-07", "--format", "json").out)
    route = next(r for r in doc["results"] if r["candidate"] == "local first")
    formulas = list(openpyxl.load_workbook(out)["Calc"].iter_rows(values_only=True))
    cached = list(openpyxl.load_workbook(out, data_only=True)["Calc"].iter_rows(values_only=True))

    def row(key: str) -> tuple[str, float, str]:
        r = next(i for i, row in enumerate(formulas) if row[4] == key and row[0] == 1)
        return formulas[r][2], cached[r][2], formulas[r][5]

    first_s = next(i for i, r in enumerate(formulas) if r[4] == "breakdown.route[0].task_success_rate") + 1
    formula, value, how = row("breakdown.route[1].reach_share")
    assert formula == f"=(1-$C${first_s})" and "not live" not in how
    assert Decimal(str(value)) == Decimal(route["breakdown"]["route"][1]["reach_share"])
    formula, value, how = row("breakdown.route[0].success_rate")
    assert formula == "=success_rate_1_stage_1_attempt_1"
    formula, value, how = row("cost_per_completed_task")
    assert formula.startswith("=") and "not live" not in how
    assert abs(Decimal(str(value)) - Decimal(route["cost_per_completed_task"])) < Decimal("1e-9")
