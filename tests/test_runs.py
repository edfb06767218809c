"""`tco runs`: call records in our columns and in OpenTelemetry, LiteLLM and Langfuse exports, costed by hand.

Prices (as of 2026-12-01, per million tokens): gpt-5.4 $2.50 input, $0.25 cached, $15 output and reasoning;
gpt-5.4-mini $0.75 / $0.075 / $4.50; claude-sonnet-4.6 $3 input, $0.30 cached, $3.75 cache write, $15 output;
the Claude tokenizer makes 1.16 tokens per o200k token of prose.
"""

from __future__ import annotations

import csv
import json
from decimal import Decimal

import pytest

from tests.conftest import FIXTURES

RUNS = FIXTURES / "runs"
CALLS = RUNS / "calls.csv"
AS_OF = ("--as-of", "2026-12-01")


def summary(tco, *args: str) -> dict:
    result = tco("runs", "summary", *args, *AS_OF, "--format", "json")
    assert result.code == 0, result.err
    return json.loads(result.out)


def groups(doc: dict) -> dict[str, dict]:
    return {g["group"]: g for g in doc["groups"]}


# -- our own columns ----------------------------------------------------------------------------------------------

def test_cost_per_successful_task_from_our_columns(tco):
    """gpt-5.4: r1 $0.004 + $0.00575, r2 $0.0055 (failed), r3 $0.004, r4 $0.0115, r5 two calls of $0.004 (failed):
    $0.03875 over 3 successful tasks. Sonnet (no `cost` column values): $0.0045 + $0.0048 + $0.00975 + $0.0045."""
    g = groups(summary(tco, str(CALLS)))
    gpt, sonnet = g["gpt-5.4"], g["claude-sonnet-4-6"]
    assert (gpt["runs"], gpt["tasks"], gpt["calls"], gpt["successful_runs"], gpt["successful_tasks"]) == (5, 4, 7, 3, 3)
    assert Decimal(gpt["success_rate"]) == Decimal("0.6")
    assert Decimal(gpt["billed"]["total"]) == Decimal("0.03875") == Decimal(gpt["list_price"]["total"])
    assert Decimal(gpt["billed"]["per_successful_task"]) == Decimal("0.03875") / 3
    assert Decimal(gpt["list_price"]["per_run"]) == Decimal("0.00775")
    assert Decimal(gpt["retry_share"]) == Decimal("0.1429")  # one repeated call of seven
    assert gpt["calls_per_run"] == {"mean": "1.40", "p50": "1", "p95": "2"}
    assert sonnet["billed"] is None  # no call carries a cost
    assert Decimal(sonnet["list_price"]["total"]) == Decimal("0.02355")
    assert Decimal(sonnet["list_price"]["per_successful_task"]) == Decimal("0.00785")
    low, high = (Decimal(x) for x in sonnet["success_rate_95"])
    assert low < Decimal("0.75") < high


@pytest.mark.parametrize("suffix, options", [("parquet", "FORMAT parquet"), ("jsonl", "FORMAT json")])
def test_parquet_and_jsonl_read_the_same_as_csv(tco, tmp_path, suffix, options):
    import duckdb

    path = tmp_path / f"calls.{suffix}"
    duckdb.connect().execute(f"COPY (SELECT * FROM read_csv('{CALLS}')) TO '{path}' ({options})")
    assert groups(summary(tco, str(path))) == groups(summary(tco, str(CALLS)))


def test_grouping_by_candidate_workflow_and_day(tco):
    assert set(groups(summary(tco, str(CALLS), "--by", "candidate"))) == {"openai/gpt-5.4", "anthropic/claude-sonnet-4.6"}
    assert groups(summary(tco, str(CALLS), "--by", "workflow"))["support"]["runs"] == 9
    days = groups(summary(tco, str(CALLS), "--by", "day"))
    assert days["2026-11-10"]["runs"] == 2 and days["2026-11-02"]["calls"] == 2


def test_since_keeps_only_later_calls(tco):
    doc = summary(tco, str(CALLS), "--since", "2026-11-09")
    assert doc["since"] == "2026-11-09" and list(groups(doc)) == ["claude-sonnet-4-6"]


@pytest.mark.parametrize("days", ["99999999d", "9999999999999d"])
def test_since_further_back_than_the_calendar_is_bad_input(tco, days):
    result = tco("runs", "summary", str(CALLS), "--since", days, *AS_OF)
    assert result.code == 2 and f"--since: '{days}'" in result.err and "Traceback" not in result.err


# -- adapters ---------------------------------------------------------------------------------------------------

def test_opentelemetry_genai_spans(tco):
    """Trace 1: two chat spans (1,200 input incl. 200 cache reads, 150 output incl. 50 reasoning: $0.0048; 800 and
    100: $0.0035) under a root span saying task ticket-1 succeeded; a tool span is not a call. Trace 2: 1,500 input
    incl. 500 cache reads and 300 cache writes, 200 output on Sonnet: 700×$3 + 500×$0.30 + 300×$3.75 + 200×$15 per
    million = $0.006375; the run failed."""
    doc = summary(tco, str(RUNS / "otel.jsonl"), "--by", "candidate")
    assert doc["adapters"] == {"tests/fixtures/runs/otel.jsonl": "otel"} and doc["calls"] == 3
    g = groups(doc)
    gpt, sonnet = g["openai/gpt-5.4"], g["anthropic/claude-sonnet-4.6"]
    assert Decimal(gpt["list_price"]["total"]) == Decimal("0.0083") == Decimal(gpt["list_price"]["per_successful_task"])
    assert gpt["successful_runs"] == 1 and sonnet["successful_runs"] == 0 and sonnet["runs_with_outcome"] == 1
    assert Decimal(sonnet["list_price"]["total"]) == Decimal("0.006375")
    assert sonnet["list_price"]["per_successful_task"] is None
    tokens = sonnet["tokens_per_call"]
    assert [tokens[k]["mean"] for k in ("input_tokens", "cached_input_tokens", "cache_write_tokens")] == ["1200", "500", "300"]
    assert groups(summary(tco, str(RUNS / "otel.jsonl"), "--by", "workflow")).keys() == {"support"}


def test_litellm_spend_logs(tco):
    """gpt-5.4: 3,000 prompt tokens (2,000 cached), 300 completion (100 reasoning): $0.0025 + $0.0005 + $0.003 +
    $0.0015 = $0.0075, as LiteLLM billed. Sonnet: 2,500 prompt tokens incl. 1,000 cache reads and 500 cache writes,
    400 completion: $0.003 + $0.0003 + $0.001875 + $0.006 = $0.011175."""
    doc = summary(tco, str(RUNS / "litellm.json"))
    assert doc["adapters"] == {"tests/fixtures/runs/litellm.json": "litellm"}
    g = groups(doc)
    assert Decimal(g["gpt-5.4"]["billed"]["per_successful_task"]) == Decimal("0.0075")
    assert Decimal(g["gpt-5.4"]["list_price"]["total"]) == Decimal("0.0075")
    sonnet = g["claude-sonnet-4-6"]
    assert Decimal(sonnet["billed"]["total"]) == Decimal("0.011175") == Decimal(sonnet["list_price"]["total"])
    assert sonnet["tokens_per_call"]["input_tokens"]["mean"] == "2000"
    assert sonnet["tokens_per_call"]["cache_write_tokens"]["mean"] == "500"
    assert sonnet["success_rate"] == "0"


def test_langfuse_observations(tco):
    """Two generations of one trace on gpt-5.4-mini: 800 + 200 cached input, 150 output, 50 reasoning ($0.001515)
    and 1,000 input, 100 output ($0.0012); a SPAN observation is not a call."""
    doc = summary(tco, str(RUNS / "langfuse.json"))
    g = groups(doc)["gpt-5.4-mini"]
    assert doc["calls"] == 2 and g["runs"] == 1 and g["successful_tasks"] == 1
    assert Decimal(g["billed"]["per_successful_task"]) == Decimal("0.002715") == Decimal(g["list_price"]["total"])
    assert g["tokens_per_call"]["input_tokens"]["mean"] == "1000"


# -- bad input --------------------------------------------------------------------------------------------------

BAD = """\
run_id,model,input_tokens,cached_input_tokens,output_tokens,success
r1,gpt-5.4,1000,0,100,true
r2,gpt-5.4,12.5,0,100,true
r3,gpt-5.4,1000,2000,100,true
r4,gpt-5.4,1000,0,100,maybe
"""


def test_a_bad_value_names_file_row_and_column(tco, write):
    path = write("bad.csv", BAD)
    result = tco("runs", "summary", str(path), *AS_OF)
    assert result.code == 2 and "Traceback" not in result.err
    assert "bad.csv: row 2 (line 3): input_tokens: '12.5' is not a whole number ≥ 0" in result.err
    assert "bad.csv: row 3 (line 4): cached_input_tokens: 2000 is more than input_tokens 1000" in result.err
    assert "bad.csv: row 4 (line 5): success: 'maybe' is not true or false" in result.err
    assert "3 bad row(s)" in result.err and "--skip-bad" in result.err


def test_skipped_bad_rows_are_counted_and_reported(tco, write):
    path = write("bad.csv", BAD)
    doc = summary(tco, str(path), "--skip-bad")
    assert doc["calls"] == 1 and doc["bad_rows"][0]["count"] == 3
    table = tco("runs", "summary", str(path), "--skip-bad", *AS_OF)
    assert "3 bad row(s) left out" in table.out


def test_a_missing_column_or_an_unknown_file(tco, write):
    result = tco("runs", "summary", str(write("no_model.csv", "run_id,modle,input_tokens\nr1,gpt-5.4,10\n")))
    assert result.code == 2 and "model: missing required column" in result.err and "'modle'" in result.err
    result = tco("runs", "summary", str(write("other.csv", "a,b\n1,2\n")))
    assert result.code == 2 and "not a file of call records" in result.err
    result = tco("runs", "summary", str(write("calls.txt", "x")))
    assert result.code == 2 and "unknown file type '.txt'" in result.err


# -- reprice, compare, calibrate ---------------------------------------------------------------------------------

def test_reprice_converts_token_counts_by_tokenizer(tco):
    """On Sonnet, gpt-5.4's calls (8,000 uncached, 3,000 cached, 1,100 output, 100 reasoning, o200k) count 1.16×:
    $0.02784 + $0.001044 + $0.01914 + $0.00174 = $0.049764; Sonnet's own calls $0.02355. Every task succeeded once."""
    result = tco("runs", "reprice", str(CALLS), "--offer", "anthropic/claude-sonnet-4.6", "--offer", "openai/gpt-5.4",
                 *AS_OF, "--format", "json")
    assert result.code == 0, result.err
    doc = json.loads(result.out)
    sonnet, gpt = doc["offers"]  # no "(as billed)" line: Sonnet's calls carry no cost
    assert Decimal(sonnet["total"]) == Decimal("0.073314")
    assert Decimal(sonnet["per_successful_task"]) == Decimal("0.073314") / 4
    assert Decimal(gpt["total"]) > Decimal("0.03875")  # Sonnet's calls are fewer o200k tokens, but cost more on gpt


def test_reprice_refuses_an_offer_not_billed_per_token(tco):
    result = tco("runs", "reprice", str(CALLS), "--offer", "intercom/fin", *AS_OF)
    assert result.code == 2 and "per_resolution offer" in result.err


def test_reprice_says_when_an_offer_not_yet_in_force_is_on_sale(tco):
    """Only the books in force are read to price the runs; an offer that is not among them is explained from the
    whole history, as `compare` explains it (Bedrock's first book is dated 2026-12-02)."""
    result = tco("runs", "reprice", str(CALLS), "--offer", "aws-bedrock/claude-sonnet-4.6", *AS_OF)
    assert result.code == 2 and "on sale from 2026-12-02 on (try --as-of 2026-12-02)" in result.err


def test_a_catalog_of_the_books_in_force_prices_as_the_whole_tree_does():
    import datetime as dt

    from tco.files.pricebooks import load_catalog

    day = dt.date(2026, 12, 1)
    whole, in_force = load_catalog().as_of(day), load_catalog(in_force=day)
    assert all(len(versions) == 1 for versions in in_force.books.values())
    assert {v: b.file for v, b in in_force.as_of(day).books.items()} == {v: b.file for v, b in whole.books.items()}


def test_paired_comparison_on_shared_tasks(tco):
    result = tco("runs", "compare", str(CALLS), *AS_OF, "--format", "json")
    assert result.code == 0, result.err
    [pair] = json.loads(result.out)["pairs"]
    assert pair["shared_tasks"] == 4 and pair["baseline"] == "anthropic/claude-sonnet-4.6"
    assert Decimal(pair["cost_difference"]) == Decimal("0.03875") / 3 - Decimal("0.00785")
    assert Decimal(pair["success_difference"]) == 0
    low, high = (Decimal(x) for x in pair["cost_difference_95"])
    assert low < Decimal(pair["cost_difference"]) < high
    again = json.loads(tco("runs", "compare", str(CALLS), *AS_OF, "--format", "json").out)["pairs"][0]
    assert again == pair  # seeded


def test_paired_comparison_money_and_rates_are_decimal_strings(tco):
    """The contract: money (and a share) in JSON is a decimal string, never a float, interval ends included."""
    result = tco("runs", "compare", str(CALLS), *AS_OF, "--format", "json")
    assert result.code == 0, result.err
    [pair] = json.loads(result.out)["pairs"]
    values = [*pair["cost_per_successful_task"], pair["cost_difference"], *pair["cost_difference_95"],
              *pair["success_rate"], pair["success_difference"], *pair["success_difference_95"]]
    assert all(isinstance(v, str) and "e" not in v.lower() for v in values), values
    assert [Decimal(v) for v in values]  # each parses
    low, high = (Decimal(x) for x in pair["success_difference_95"])
    assert -1 <= low <= Decimal(pair["success_difference"]) <= high <= 1


def test_calibrated_workload_loads_and_compares(tco, tmp_path):
    from tco.files.workloads import load_workload

    out = tmp_path / "measured.yaml"
    result = tco("runs", "calibrate", str(CALLS), "--output", str(out), "--hourly-cost", "40", "--task-minutes", "10",
                 *AS_OF)
    assert result.code == 0, result.err
    text = out.read_text()
    assert "calls: [2, 1, 1, 1, 1]  # calls per run" in text
    assert "success_rate: {successes: 3, trials: 5}  # 3 successful runs of 5" in text
    assert "tasks: 14  # 4 tasks in 216 hours" in text
    w = load_workload(out).workload
    assert w.evidence is not None and (w.evidence.runs, w.evidence.tasks, w.evidence.calls) == (9, 4, 11)
    assert str(w.evidence.first_day) == "2026-11-02" and str(w.task.input_tokens.mean) == "1571.4"
    assert w.task.format_retry_rate == Decimal("0.1429") and w.task.max_attempts == 2
    assert [c.offer for c in w.candidates] == ["openai/gpt-5.4", "anthropic/claude-sonnet-4.6"]
    assert tco("compare", str(out), *AS_OF).code == 0
    assert tco("compare", str(out), *AS_OF, "--simulate", "2000").code == 0


def test_calibrate_needs_what_people_cost(tco, tmp_path):
    result = tco("runs", "calibrate", str(CALLS), "--output", str(tmp_path / "w.yaml"), *AS_OF)
    assert result.code == 2 and "--hourly-cost: required" in result.err
    assert not (tmp_path / "w.yaml").exists()


# -- warehouse SQL ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("dialect", ["bigquery", "snowflake", "spark", "postgres", "duckdb"])
def test_the_aggregation_query_in_each_dialect_parses_there(tco, dialect):
    import sqlglot

    result = tco("runs", "summary", "--sql", dialect, *AS_OF)
    assert result.code == 0, result.err
    parsed = sqlglot.parse_one(result.out.strip().rstrip(";"), read=dialect)
    assert "calls" in {t.name for t in parsed.find_all(sqlglot.exp.Table)}


def test_aggregated_result_reads_back_as_the_same_summary(tco, tmp_path):
    """The query run elsewhere (here: DuckDB itself) and saved as CSV gives the summary `tco runs summary FILE` does."""
    import datetime as dt

    from tco.api import runs_summary_sql
    from tco.files.runs import read_records

    records = read_records([CALLS])
    agg = tmp_path / "agg.csv"
    query = runs_summary_sql("duckdb", dt.date(2026, 12, 1)).rstrip().rstrip(";")
    records.con.execute(f"COPY ({query}) TO '{agg}' (HEADER)")
    with open(agg, newline="") as f:
        assert len(list(csv.DictReader(f))) == 2
    result = tco("runs", "summary", "--aggregated", str(agg), *AS_OF, "--format", "json")
    assert result.code == 0, result.err
    direct = groups(summary(tco, str(CALLS)))
    for name, g in groups(json.loads(result.out)).items():
        assert {k: v for k, v in g.items() if not k.endswith("_at")} == {k: v for k, v in direct[name].items() if not k.endswith("_at")}


def test_every_format_renders(tco):
    for fmt in ("table", "markdown", "csv"):
        result = tco("runs", "summary", str(CALLS), *AS_OF, "--format", fmt)
        assert result.code == 0 and "gpt-5.4" in result.out
    md = tco("runs", "reprice", str(CALLS), "--offer", "openai/gpt-5.4-mini", *AS_OF, "--format", "markdown").out
    assert "| openai/gpt-5.4-mini |" in md


@pytest.mark.parametrize("width", [80, 120])
def test_tables_keep_every_name_whole_and_columns_plain(tco, monkeypatch, width):
    """Like every other command's tables: nothing cut (no `…`), no model name or offer id split, no boxes."""
    sonnet, gpt = "anthropic/claude-sonnet-4.6", "openai/gpt-5.4-mini"
    runs = [(("summary", str(CALLS)), ["claude-sonnet-4-6", "gpt-5.4"]),
            (("summary", str(CALLS), "--by", "candidate"), ["anthropic/claude-sonnet-4.6", "openai/gpt-5.4"]),
            (("reprice", str(CALLS), "--offer", sonnet, "--offer", gpt), [sonnet, gpt]),
            (("compare", str(CALLS)), ["anthropic/claude-sonnet-4.6", "openai/gpt-5.4"])]
    monkeypatch.setenv("COLUMNS", str(width))
    for argv, names in runs:
        result = tco("runs", *argv, *AS_OF)
        assert result.code == 0, result.err
        assert "…" not in result.out and not set("│┃━┏┡└") & set(result.out), result.out
        for name in names:
            assert name in result.out, (name, result.out)


def test_a_workbook_of_a_calibrated_workload_shows_its_evidence(tco, tmp_path):
    from openpyxl import load_workbook

    workload, book = tmp_path / "measured.yaml", tmp_path / "measured.xlsx"
    assert tco("runs", "calibrate", str(CALLS), "-o", str(workload), "--hourly-cost", "40", "--task-minutes", "10",
               *AS_OF).code == 0
    assert tco("export", str(workload), "--output", str(book), *AS_OF).code == 0
    rows = {r[0]: r[1:4] for r in load_workbook(book)["Assumptions"].iter_rows(values_only=True) if r[0]}
    assert rows["Runs"] == (9, "attempts at a task", "evidence.runs")
    assert rows["Tasks"][0] == 4 and rows["Calls"][0] == 11
    assert rows["Date range"][0] == "2026-11-02 to 2026-11-11"
