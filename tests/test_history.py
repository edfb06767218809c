"""`tco history`: the worked example's figures at each version of the fixture price books, checked by hand.

The tree: the fixture books (example 2026-01-01: X input $3) plus
- example 2026-03-01: X's input rate rises to $4 (call charge $0.0163, attempt charge A = 5 × $0.0163 = $0.0815);
- example 2026-06-01: Y is no longer sold; X is unchanged, but retires on 2026-09-01 in favour of example/x2.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil

import pytest

from tests.conftest import FIXTURES

WORKLOAD = str(FIXTURES / "worked_example.yaml")
MARCH = """\
    # yaml-language-server: $schema=../pricebook.schema.json
    vendor: example
    version: 2026-03-01
    currency: USD
    offers:
      x:
        scheme: per_token
        name: Offer X
        tokenizer: o200k
        rates: {input_mtok: 4, cached_input_mtok: 0.30, output_mtok: 15}
        source_urls: [https://example.com/fixture]
        retrieved: 2026-03-01
      y:
        scheme: per_resolution
        name: Offer Y
        per_resolution: 0.99
        counts: confirmed_and_assumed
        source_urls: [https://example.com/fixture]
        retrieved: 2026-03-01
"""
JUNE = """\
    # yaml-language-server: $schema=../pricebook.schema.json
    vendor: example
    version: 2026-06-01
    currency: USD
    offers:
      x:
        scheme: per_token
        name: Offer X
        tokenizer: o200k
        rates: {input_mtok: 4, cached_input_mtok: 0.30, output_mtok: 15}
        retired: 2026-09-01
        replacement: example/x2
        source_urls: [https://example.com/fixture]
        retrieved: 2026-06-01
      x2:
        scheme: per_token
        name: Offer X2
        tokenizer: o200k
        rates: {input_mtok: 2, output_mtok: 10}
        source_urls: [https://example.com/fixture]
        retrieved: 2026-06-01
"""


@pytest.fixture
def books(tmp_path, write):
    root = tmp_path / "pricebooks"
    shutil.copytree(FIXTURES / "pricebooks", root)
    write("pricebooks/example/2026-03-01.yaml", MARCH)
    write("pricebooks/example/2026-06-01.yaml", JUNE)
    return root


def history(tco, books, *args):
    run = tco("history", WORKLOAD, "--pricebooks", str(books), "--to", "2026-12-31", "--format", "json", *args)
    assert run.code == 0, run.err
    return json.loads(run.out)


def figures(point):
    """candidate → (per task, per task done by AI, per completed task), or the reason it is absent."""
    return {r["candidate"]: (r["per_task_cost"], r["success_adjusted_cost"], r["cost_per_completed_task"])
            if r["status"] == "priced" else r["reason"] for r in point["results"]}


def test_a_point_at_every_version_and_at_the_retirement(tco, books):
    doc = history(tco, books)
    assert doc["from"] == "2026-01-01" and doc["to"] == "2026-12-31"
    assert [p["date"] for p in doc["points"]] == ["2026-01-01", "2026-03-01", "2026-06-01", "2026-09-01"]
    january, march, june, september = (figures(p) for p in doc["points"])
    # DESIGN.md's worked example: A = $0.0765; three attempts: E = 1.24, S = 0.992.
    assert january == {
        "example/x": ("0.0765", "0.095625", "6.0765"),
        "X, three attempts": ("0.09486", "0.095625", "2.73486"),  # 0.0765 × 1.24; + 1.24 × $2 review + 0.008 × $20
        "example/y": ("0.74745", "1.1499230769", "9.74745"),  # + $2 review + 0.35 × $20
    }
    # X's input at $4: A = $0.0815, per completed task + $2 review + 0.2 × $20.
    assert march == {
        "example/x": ("0.0815", "0.101875", "6.0815"),
        "X, three attempts": ("0.10106", "0.101875", "2.74106"),  # 0.0815 × 1.24, and 0.10106 / 0.992 = 0.101875
        "example/y": ("0.74745", "1.1499230769", "9.74745"),
    }
    assert june == {**march, "example/y": "not_offered"}
    assert september == {"example/x": "retired", "X, three attempts": "retired", "example/y": "not_offered"}


def test_each_point_says_what_changed(tco, books):
    doc = history(tco, books)
    january, march, june, september = doc["points"]
    assert [(b["vendor"], b["version"]) for b in january["changed"]] == [("example", "2026-01-01")]
    assert [(b["vendor"], b["version"]) for b in march["changed"]] == [("example", "2026-03-01")]
    x, x3, y = march["results"]
    assert (x["changed"], x["change"], x["change_share"]) == (True, "0.005", "0.0008228421")  # 0.005 / 6.0765
    assert (x3["change"], y["changed"], y["change"]) == ("0.0062", True, "0")
    assert june["results"][2] | {"changed": True} == {
        "candidate": "example/y", "offer": "example/y", "status": "absent", "changed": True,
        "change": None, "change_share": None, "reason": "not_offered", "message": "not in example 2026-06-01"}
    assert september["results"][0]["message"] == "retired on 2026-09-01, replaced by example/x2"
    assert september["changed"] == []


def test_from_adds_its_own_date_and_to_ends_the_history(tco, books):
    doc = history(tco, books, "--from", "2026-02-15", "--to", "2026-05-31")
    assert [p["date"] for p in doc["points"]] == ["2026-02-15", "2026-03-01"]
    assert figures(doc["points"][0])["example/x"] == ("0.0765", "0.095625", "6.0765")  # the January book is in force
    assert [b["version"] for b in doc["points"][0]["changed"]] == ["2026-01-01"]


def test_a_date_before_any_price_book_shows_every_offer_absent(tco, books):
    doc = history(tco, books, "--from", "2025-12-01", "--to", "2026-01-31")
    assert [p["date"] for p in doc["points"]] == ["2025-12-01", "2026-01-01"]
    assert set(figures(doc["points"][0]).values()) == {"no_pricebook"}
    assert doc["points"][0]["results"][0]["message"] == "no example price book yet"


def test_a_version_that_changes_nothing_the_workload_uses_adds_no_point(tco, books, write):
    write("pricebooks/other/2026-04-01.yaml", """\
        # yaml-language-server: $schema=../pricebook.schema.json
        vendor: other
        version: 2026-04-01
        currency: USD
        offers:
          z:
            scheme: per_conversation
            name: Offer Z
            per_conversation: 1
            source_urls: [https://example.com/fixture]
            retrieved: 2026-04-01
    """)
    assert "2026-04-01" not in [p["date"] for p in history(tco, books)["points"]]


@pytest.mark.parametrize("columns", ["80", "120"])
def test_the_table_and_charts_fit_the_width_and_cut_nothing(tco, books, monkeypatch, columns):
    monkeypatch.setenv("COLUMNS", columns)
    run = tco("history", WORKLOAD, "--pricebooks", str(books), "--to", "2026-12-31")
    assert run.code == 0, run.err
    lines = run.out.splitlines()
    assert max(len(line) for line in lines) <= int(columns)
    assert "…" not in run.out
    for money in ("$6.08", "$0.09563", "$2.73", "$9.75", "$1.15", "$0.1019", "+$0.005", "(+0.1%)"):
        assert money in run.out
    assert "not in example" in run.out and "retired on" in run.out  # a note may wrap; figures never do
    assert "Cost per completed task" in run.out and "Cost per task done by AI" in run.out
    assert "A  example/x" in lines and "B  X, three attempts" in lines and "C  example/y" in lines


def test_markdown_holds_the_table_and_the_charts(tco, books):
    run = tco("history", WORKLOAD, "--pricebooks", str(books), "--to", "2026-12-31", "--format", "markdown")
    assert run.code == 0, run.err
    assert "| 2026-03-01 | example/x | $6.08 | $0.1019 | +$0.005 (+0.1%) |" in run.out
    assert "| 2026-06-01 | example/y | absent | absent | not in example 2026-06-01 |" in run.out
    assert run.out.count("```") == 2


def test_csv_has_a_row_per_candidate_and_point(tco, books):
    run = tco("history", WORKLOAD, "--pricebooks", str(books), "--to", "2026-12-31", "--format", "csv")
    assert run.code == 0, run.err
    rows = list(csv.DictReader(io.StringIO(run.out)))
    assert len(rows) == 4 * 3
    assert rows[3] == {"date": "2026-03-01", "candidate": "example/x", "offer": "example/x", "status": "priced",
                       "per_task_cost": "0.0815", "success_adjusted_cost": "0.101875",
                       "cost_per_completed_task": "6.0815", "period_cost": "815", "change": "0.005",
                       "change_share": "0.0008228421", "pricebooks": "example/2026-03-01",
                       "reason": ""}
    assert rows[-1]["status"] == "absent" and rows[-1]["reason"] == "not_offered"


@pytest.mark.parametrize(("args", "message"), [
    (["--from", "2026-13-01"], "--from: '2026-13-01' is not a date; expected YYYY-MM-DD"),
    (["--from", "2026-06-01", "--to", "2026-01-01"], "--from 2026-06-01 is after --to 2026-01-01"),
])
def test_bad_dates_are_errors(tco, books, args, message):
    run = tco("history", WORKLOAD, "--pricebooks", str(books), *args)
    assert run.code == 2
    assert message in run.err and "Traceback" not in run.err


def test_every_example_has_a_history_that_fits_80_columns(tco, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    for workload in sorted((FIXTURES.parent.parent / "examples").glob("*.yaml")):
        run = tco("history", str(workload), "--to", "2026-12-01")
        assert run.code == 0, (workload, run.err)
        assert max(len(line) for line in run.out.splitlines()) <= 80, workload


def test_a_candidate_is_absent_while_the_model_its_plan_meters_is_not_sold(tco):
    """On the bundled books: Cursor's plan meters Sonnet 5.5, so it is absent until both books exist and the model is
    released, and then it names both (history may be added to either vendor: the test does not pin their dates)."""
    run = tco("history", "examples/coding-agent.yaml", "--to", "2026-10-01", "--format", "json")
    assert run.code == 0, run.err
    cursor = [{r["candidate"]: r for r in p["results"]}["cursor/pro-plus (Sonnet 5.5)"] for p in json.loads(run.out)["points"]]
    absent = [c for c in cursor if c["status"] == "absent"]
    assert absent and all(c["reason"] in ("no_pricebook", "not_offered", "not_released") for c in absent)
    assert all(re.fullmatch(r"no (anthropic|cursor) price book yet|not in (anthropic|cursor) \d{4}-\d\d-\d\d|.* is not released yet", c["message"]) for c in absent)
    assert {b["vendor"] for b in cursor[-1]["pricebooks"]} == {"anthropic", "cursor"}


def test_an_offer_in_no_version_is_an_error_naming_the_nearest(tco, books, write):
    workload = write("w.yaml", """\
        workload: typo
        tasks: 100
        task: {calls: 1, input_tokens: 100, output_tokens: 10}
        human: {hourly_cost: 60, review_minutes: 1, task_minutes: 10}
        candidates:
          - offer: example/z
            success_rate: 0.8
    """)
    run = tco("history", str(workload), "--pricebooks", str(books))
    assert run.code == 2
    assert "w.yaml:6: candidates[0].offer: unknown offer 'example/z' — did you mean" in run.err


def test_a_candidate_is_absent_while_its_version_does_not_sell_what_it_asks_for(tco, write):
    """On the bundled books: part of the calls go by batch, and Google launched Batch Mode on 2025-07-07."""
    workload = write("w.yaml", """\
        workload: batch extraction
        tasks: 1000
        task: {calls: 1, input_tokens: 1000, output_tokens: 100, batch_share: 0.5}
        human: {hourly_cost: 60, task_minutes: 10}
        candidates:
          - offer: google/gemini-2.5-flash
            success_rate: 0.9
    """)
    run = tco("history", str(workload), "--from", "2025-06-20", "--to", "2025-07-07", "--format", "json")
    assert run.code == 0, run.err
    points = json.loads(run.out)["points"]
    before, after = ({r["offer"]: r for r in p["results"]}["google/gemini-2.5-flash"] for p in (points[0], points[-1]))
    assert (before["status"], before["reason"]) == ("absent", "not_sold")
    assert before["message"] == "Gemini 2.5 Flash has no batch rates (sells standard only); override this key for this candidate"
    assert after["status"] != "absent"


def test_a_rerouted_retired_offer_is_priced_at_its_replacement_as_compare_does(tco, write):
    workload = write("w.yaml", """\
        workload: rerouted
        tasks: 1000
        task: {calls: 1, input_tokens: 1000, output_tokens: 100}
        human: {hourly_cost: 60, task_minutes: 10}
        candidates:
          - offer: google/gemini-2.0-flash
            success_rate: 0.9
            reroute_retired: true
    """)
    run = tco("history", str(workload), "--from", "2026-07-01", "--to", "2026-07-01", "--format", "json")
    assert run.code == 0, run.err
    [point] = json.loads(run.out)["points"]
    [result] = point["results"]
    compared = json.loads(tco("compare", str(workload), "--as-of", "2026-07-01", "--format", "json").out)["results"][0]
    assert result["status"] != "absent" and result["cost_per_completed_task"] == compared["cost_per_completed_task"]
