"""Every table for people, rendered at 80 and 120 columns and in a pipe: nothing is cut (no `…`), every money value
and every offer id appears whole, and the default views fit 80 columns. Machine output is raw at any width."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import shutil
from decimal import Decimal

import pytest

from tco.files.pricebooks import bundled_dir
from tco.report.charts import HIGH_END, LOW_END
from tco.report.grid import fit
from tco.report.text import money
from tests.conftest import REPO

EXAMPLES = sorted(str(p.relative_to(REPO)) for p in (REPO / "examples").glob("*.yaml"))
WIDTHS = (80, 120)
LONG_URL_OFFERS = ("mistral/mistral-large-3", "anthropic/claude-sonnet-4.6", "google-vertex/gemini-2.5-flash-gsu")


@pytest.fixture
def at(tco, monkeypatch):
    """Run tco with COLUMNS set to `width` and return its stdout: `at(80, "compare", w)`."""
    monkeypatch.chdir(REPO)

    def run(width: int | None, *argv: str) -> str:
        if width is None:
            monkeypatch.delenv("COLUMNS", raising=False)
        else:
            monkeypatch.setenv("COLUMNS", str(width))
        done = tco(*argv)
        assert done.code == 0, done.err
        return done.out

    return run


def json_doc(at, *argv: str) -> dict:
    return json.loads(at(20, *argv, "--format", "json"))


def assert_whole(out: str, texts, width: int | None = None) -> None:
    """Nothing cut: no ellipsis, each of `texts` on one line, and (given `width`) no line wider than it."""
    assert "…" not in out
    missing = [t for t in texts if t not in out]
    assert not missing, f"cut or wrapped inside: {missing}\n{out}"
    if width is not None:
        assert max(len(line.rstrip()) for line in out.splitlines()) <= width, out


def words(*labels: str) -> list[str]:
    """Candidate labels wrap at spaces, so each word (an offer id, `(3 actions)`) must appear whole."""
    return [w for label in labels for w in label.split()]


@pytest.mark.parametrize("workload", EXAMPLES)
def test_compare_fits_the_width_with_the_deciding_figures(at, workload):
    doc = json_doc(at, "compare", workload)
    figures = [money(r[k]) for r in doc["results"] for k in ("cost_per_completed_task", "success_adjusted_cost", "period_cost")]
    for width in WIDTHS:
        out = at(width, "compare", workload, "--chart")
        assert_whole(out, [*figures, *words(*(r["candidate"] for r in doc["results"]))], width)
        assert "Failure" in out and all(r["risk"]["failure_bearer"] in out for r in doc["results"])


@pytest.mark.parametrize("workload", EXAMPLES)
def test_simulated_compare_and_its_histograms_fit_the_width(at, workload):
    doc = json_doc(at, "compare", workload, "--simulate", "400")
    spreads = [money(r["simulation"]["cost_per_completed_task"][p]) for r in doc["results"] for p in ("p5", "p50", "p95")]
    edges = doc["simulation"]["histogram"]["edges"]
    for width in WIDTHS:
        out = at(width, "compare", workload, "--simulate", "400", "--chart")
        assert_whole(out, [*spreads, money(edges[0]), money(edges[-1]), *words(*(r["candidate"] for r in doc["results"]))], width)


def test_wide_shows_every_figure_whole_even_past_the_width(at):
    doc = json_doc(at, "compare", "examples/support-bot.yaml", "--simulate", "400")
    out = at(80, "compare", "examples/support-bot.yaml", "--simulate", "400", "--wide")
    figures = [money(r[k]) for r in doc["results"] for k in ("per_task_cost", "success_adjusted_cost", "cost_per_completed_task", "period_cost")]
    figures += [money(r["risk"][k]) for r in doc["results"] for k in ("fixed_commitment", "customer_failure_spend")]
    assert_whole(out, [*figures, *(f"{Decimal(r['break_even_success_rate']) * 100:.2f}%" for r in doc["results"])])
    assert "Break-even" in out and "Volume" in out


@pytest.mark.parametrize("workload", EXAMPLES)
def test_sensitivity_tornado_scales_to_the_width(at, workload):
    doc = json_doc(at, "sensitivity", workload)
    swings = [money(b["swing"]) for b in doc["bars"]]
    bars = {}
    for width in WIDTHS:
        out = at(width, "sensitivity", workload)
        assert_whole(out, [*swings, *words(doc["candidate"])], width)
        bars[width] = max(line.count(LOW_END) + line.count(HIGH_END) for line in out.splitlines())
    assert bars[120] > bars[80]
    wide = at(80, "sensitivity", workload, "--wide")
    assert_whole(wide, [money(b[k]) for b in doc["bars"] for k in ("cost_at_low", "cost_at_high")])


def test_tornado_legend_reads_without_colour(at):
    out = at(80, "sensitivity", "examples/support-bot.yaml")
    assert LOW_END != HIGH_END
    assert f"{LOW_END} input at its low end" in out and f"{HIGH_END} at its high end" in out


def test_breakeven_table_keeps_ids_and_money_whole(at):
    argv = ("breakeven", "examples/support-bot.yaml", "intercom/fin", "zendesk/ai-agents", "--vary", "success_rate")
    [crossing] = json_doc(at, *argv)["crossings"]
    for width in WIDTHS:
        assert_whole(at(width, *argv), [money(crossing["a_cost"]), money(crossing["b_cost"]), "intercom/fin", "zendesk/ai-agents"], width)


def test_pricebook_list_keeps_every_offer_id_whole(at):
    listing = json_doc(at, "pricebook", "list")
    ids = [o["id"] for v in listing["vendors"] for o in v["offers"]]
    for width in WIDTHS:
        assert_whole(at(width, "pricebook", "list"), ids, width)
    assert_whole(at(80, "pricebook", "list", "--wide"), [*ids, *words(*(o["name"] for v in listing["vendors"] for o in v["offers"]))])


@pytest.mark.parametrize("offer", LONG_URL_OFFERS)
def test_pricebook_show_never_splits_a_url(at, offer):
    data = json_doc(at, "pricebook", "show", offer)
    for width in WIDTHS:
        out = at(width, "pricebook", "show", offer)
        assert_whole(out, [data["id"], *data["source_urls"]])
        assert out.splitlines()[0].startswith(offer)


@pytest.fixture
def changed_books(tmp_path):
    """Two price-book trees: the bundled one, and the same with a new Anthropic version the day after the newest (a
    dearer Sonnet 4.6 with a new source URL)."""
    before, after = tmp_path / "before", tmp_path / "after"
    shutil.copytree(bundled_dir(), before)
    shutil.copytree(before, after)
    old = sorted((after / "anthropic").glob("*.yaml"))[-1]
    new = dt.date.fromisoformat(old.stem) + dt.timedelta(days=1)
    text = old.read_text().replace(f"version: {old.stem}", f"version: {new}")
    text = text.replace("rates: {input_mtok: 3, ", "rates: {input_mtok: 3.3, ", 1)
    text = text.replace("https://platform.claude.com/docs/en/about-claude/pricing",
                        "https://platform.claude.com/docs/en/about-claude/pricing#a-much-longer-anchor-for-the-new-rates", 1)
    (after / "anthropic" / f"{new}.yaml").write_text(text)
    return before, after


def test_pricebook_diff_keeps_ids_rates_urls_and_money_whole(at, changed_books):
    before, after = changed_books
    argv = ["pricebook", "diff", str(before), str(after), *(a for w in EXAMPLES for a in ("--workload", w))]
    doc = json.loads(at(20, *argv, "--format", "json"))
    assert doc["rates"] and doc["fields"]
    costs = [money(c[side][k]) for w in doc["workloads"] if w["changed"] for c in w["candidates"] if c["change"]
             for side in ("before", "after") for k in ("per_task_cost", "cost_per_completed_task")]
    urls = [str(c[k]) for c in doc["fields"] if c["field"].startswith("source_urls") for k in ("old", "new") if c[k]]
    for width in WIDTHS:
        out = at(width, *argv)
        assert_whole(out, [*costs, *urls, *(c["subject"] for c in doc["rates"]), *(c["field"] for c in doc["rates"])])


def test_in_a_pipe_without_columns_tables_take_their_natural_width(at):
    """The rule for piped output: COLUMNS if set, otherwise no limit (nothing wraps, charts at their natural size)."""
    doc = json_doc(at, "compare", "examples/document-pipeline.yaml")
    out = at(None, "compare", "examples/document-pipeline.yaml", "--wide")
    lines = out.splitlines()
    for r in doc["results"]:
        assert any(r["candidate"] in line and money(r["cost_per_completed_task"]) in line for line in lines), r["candidate"]
    assert max(len(line) for line in lines) > 120
    assert out == at(None, "compare", "examples/document-pipeline.yaml", "--wide")
    assert at(60, "compare", "examples/document-pipeline.yaml", "--wide") != out


@pytest.mark.parametrize("width", (20, None))
def test_machine_output_is_raw_at_any_width(at, width):
    for kind in ("pricebook", "tokenizers", "workload"):
        assert json.loads(at(width, "pricebook", "schema", kind))["$schema"]
    doc = json.loads(at(width, "compare", "examples/support-bot.yaml", "--format", "json"))
    rows = list(csv.reader(io.StringIO(at(width, "compare", "examples/support-bot.yaml", "--format", "csv"))))
    assert len(rows) == len(doc["results"]) + 1 and len({len(r) for r in rows}) == 1
    markdown = at(width, "compare", "examples/support-bot.yaml", "--format", "markdown").splitlines()
    table = [line for line in markdown if line.startswith("|")]
    assert len(table) == len(doc["results"]) + 2 and all(line.endswith("|") for line in table)
    assert "[bold]" not in "\n".join(markdown)
    assert json.loads(at(width, "pricebook", "show", "intercom/fin", "--format", "json"))["id"] == "intercom/fin"


def test_chart_is_for_the_table_only(tco):
    done = tco("compare", str(REPO / "examples" / "support-bot.yaml"), "--chart", "--format", "json")
    assert done.code == 2 and "--chart" in done.err


def test_fit_wraps_headers_first_then_narrows_the_widest_columns_never_below_a_word():
    # a chart (10..40), a figure under a long header (cells 6, header 18, longest header word 9), two text columns
    minimum, cells, natural = [10, 9, 20, 5], [40, 6, 30, 25], [40, 18, 30, 25]
    assert fit(minimum, cells, natural, 200) == natural
    assert fit(minimum, cells, natural, 90) == [28, 9, 28, 25]
    assert fit(minimum, cells, natural, 60) == [15, 9, 20, 16]
    assert fit(minimum, cells, natural, 30) == minimum


def rendered(renderable, width: int) -> list[str]:
    from rich.console import Console

    console = Console(file=io.StringIO(), width=width, highlight=False)
    console.print(renderable, crop=False)
    return console.file.getvalue().splitlines()


def test_an_indented_cell_keeps_its_indent_with_its_first_word():
    from tco.report.grid import Column, Grid

    grid = Grid([Column("Field"), Column("Value")], [["cl100k", ""], ["  source_urls[0]", "word " * 20]])
    lines = rendered(grid, 30)
    assert any(line.startswith("  source_urls[0] word") for line in lines), lines
    assert max(len(line) for line in lines) <= 30


def test_diff_old_and_new_read_text_from_the_left_and_numbers_from_the_right():
    import re

    from tco.report.diff_report import table

    changes = [{"subject": "cl100k", "field": "notes", "old": "was", "new": "a new note " * 8, "change_percent": None},
               {"subject": "cl100k", "field": "ratio.prose", "old": "1234567.125", "new": "1", "change_percent": "-1"}]
    doc = {"base": "a", "head": "b", "compared": "c", "violations": [], "versions": [], "added": [], "removed": [],
           "rates": [], "tokenizers": changes, "fields": [], "workloads": []}
    lines = rendered(table(doc), 80)
    _, old, new, _ = (m.span() for m in re.finditer("─+", next(line for line in lines if line.startswith("─"))))
    note, ratio = (next(line for line in lines if field in line) for field in ("  notes", "  ratio.prose"))
    assert note[slice(*old)].rstrip() == "was" and note[slice(*new)].startswith("a new note")
    assert ratio[slice(*old)] == "1234567.125" and ratio[slice(*new)].lstrip() == "1" and ratio[new[1] - 1] == "1"


def test_breakeven_names_a_and_b_once_and_fits_80_columns(at):
    argv = ("breakeven", "examples/support-bot.yaml", "anthropic/claude-sonnet-5.5", "intercom/fin", "--vary", "success_rate")
    out = at(80, *argv)
    assert_whole(out, ["A is anthropic/claude-sonnet-5.5; B is intercom/fin.", "B cheaper", "A cheaper"], 80)
    header = next(line for line in out.splitlines() if "Below" in line)
    assert header.split() == ["A's", "success_rate", "A", "B", "Below", "Above"]
    assert ") (" not in " ".join(out.split()) and "Searched anthropic/claude-sonnet-5.5's success_rate from 0 to 1." in " ".join(out.split())


@pytest.mark.parametrize("offer", ("intercom/fin", *LONG_URL_OFFERS))
def test_pricebook_show_folds_notes_to_the_width_and_reads_back_as_the_same_yaml(at, offer):
    import yaml

    data = json_doc(at, "pricebook", "show", offer)
    for width in (60, *WIDTHS):
        _, *body = at(width, "pricebook", "show", offer).splitlines()
        too_wide = [line for line in body if len(line) > width]
        assert all(len(line.strip().removeprefix("- ").split()) == 1 for line in too_wide), too_wide  # a URL, alone
        assert yaml.safe_load("\n".join(body)) == data


def test_history_table_lists_only_what_changed(at):
    argv = ("history", "examples/support-bot.yaml", "--from", "2026-01-01", "--to", "2026-12-01")
    doc = json_doc(at, *argv)
    quiet = [p["date"] for p in doc["points"]
             if all(not r["changed"] or r["change"] is not None and Decimal(r["change"]) == 0 for r in p["results"])]
    assert quiet, "the example's history should have price-book changes that move no cost"
    out = at(80, *argv)
    table = out.split("Left out:")[0]
    assert "no change" not in out
    assert not any(f"{day}:" in table for day in quiet)
    assert f"Left out: {len(quiet)} dates on which a price book changed but no cost moved" in " ".join(out.split())
    assert all(p["date"] in table for p in doc["points"] if p["date"] not in quiet)
    markdown = at(80, *argv, "--format", "markdown")
    assert "no change" not in markdown and not any(f"| {day} |" in markdown for day in quiet)
