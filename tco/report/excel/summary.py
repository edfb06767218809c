"""The Summary sheet: the candidates ranked, their figures as formulas over Calc, and bar charts."""

from __future__ import annotations

from bisect import bisect_left
from typing import Any

from openpyxl.chart import BarChart, Reference
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from tco.engine.compare import CandidateResult
from tco.engine.job import Job
from tco.report.excel.calc import Block, figure
from tco.report.excel.cells import (
    BOLD,
    COUNT,
    EDITS,
    KEY_FONT,
    NOT_LIVE,
    NOTE,
    SHARE,
    STALE_FILL,
    STALE_FONT,
    TITLE,
    USD,
    USD_TASK,
    Formula,
    clean,
    fit_columns,
    header,
    mark_when_stale,
    page_setup,
    put,
    put_text,
    tall,
)
from tco.report.excel.charts import GAP_CM, columns_width_cm, labelled, place
from tco.report.text import cell_text

SUMMARY = (  # (JSON field, header, format)
    ("rank", "Rank (live)", COUNT),
    ("no", "No.", COUNT),
    ("candidate", "Candidate", None),
    ("offer", "Offer", None),
    ("scheme", "Scheme", None),
    ("success_rate", "Success rate per attempt", SHARE),
    ("per_task_cost", "Per task", USD_TASK),
    ("success_adjusted_cost", "Per task done by AI", USD_TASK),
    ("cost_per_completed_task", "Per completed task", USD_TASK),
    ("human_baseline", "Human baseline", USD_TASK),
    ("break_even_success_rate", "Break-even success (not live)", SHARE),
    ("period_cost", "Period cost", USD),
    ("period_tco", "Period TCO", USD),
    ("contract_cost", "Contract cost (term)", USD),
    ("risk.fixed_commitment", "Fixed commitment", USD),
    ("risk.variable_spend", "Variable spend", USD),
    ("risk.customer_failure_spend", "Failure spend", USD),
    ("risk.failure_bearer", "Failure paid by", None),
    ("risk.volume_bearer", "Volume risk", None),
    ("split.fixed_for_success", "Fixed, for completed work", USD),
    ("split.variable_for_success", "Variable, for completed work", USD),
)


def columns(term: bool) -> tuple[tuple[str, str, str | None], ...]:
    """The Summary's columns; the contract cost only when the workload has a term."""
    return tuple(c for c in SUMMARY if term or c[0] != "contract_cost")


def column_numbers(cols: tuple[tuple[str, str, str | None], ...]) -> dict[str, int]:
    return {key: i for i, (key, _, _) in enumerate(cols, 1)}


LAST_PRINTED = "risk.volume_bearer"
"""The columns printed end here: the split of the period bill past them is the stacked chart's data, and the chart prints."""


CURRENT = "Inputs and rates are as exported: every figure is current."
STALE = (" input(s) or rate(s) differ from those exported: figures marked not live are stale (the verdict, "
         "break-even success, any simulation); run tco export again.")
"""The flag's text after the count of edits."""


def summary(ws: Worksheet, doc: dict[str, Any], order: list[int], jobs: list[Job], results: list[CandidateResult],
            blocks: dict[int, Block], books: list[str]) -> None:
    w = doc["workload"]
    put_text(ws.cell(1, 1), f"tco: {w['name']}").font = TITLE
    put_text(ws.cell(2, 1), f"{w['tasks']} tasks per {w['period']}; prices as of {doc['as_of']}; {doc['currency']}; "
                            f"tco {doc['tco_version']}; workload {w['file']} (sha256 {w['sha256']})")
    put_text(ws.cell(3, 1), "Verdict (as exported): " + doc["verdict"]["text"]).font = BOLD
    first, last = 8, 7 + len(order)
    cols = columns(w.get("term_months") is not None)
    number = column_numbers(cols)
    printed = number[LAST_PRINTED]
    col = lambda key: get_column_letter(number[key])  # noqa: E731
    put_text(ws.cell(4, 1), "Cheapest per completed task now (live):")
    cand, cpct = col("candidate"), col("cost_per_completed_task")
    best = ws.cell(4, number["candidate"] + 1)
    put(best, Formula(f"INDEX(${cand}${first}:${cand}${last},MATCH(MIN(${cpct}${first}:${cpct}${last}),"
                      f"${cpct}${first}:${cpct}${last},0))", clean(cell_text(doc["verdict"]["best"])))).font = BOLD
    flag = put(ws.cell(5, 1), Formula(f'IF({EDITS}=0,"{CURRENT}",{EDITS}&"{STALE}")', CURRENT))
    ws.conditional_formatting.add("A5", FormulaRule(formula=[f"{EDITS}>0"], font=STALE_FONT, fill=STALE_FILL))
    flag.font = NOTE
    numeric = [i for i, (_, _, fmt) in enumerate(cols, 1) if fmt]
    for i, (key, _, _) in enumerate(cols, 1):
        put_text(ws.cell(6, i), key).font = KEY_FONT
        ws.cell(6, i).alignment = Alignment(horizontal="right" if i in numeric else "left", vertical="bottom",
                                            wrap_text=True)
    header(ws, 7, [label for _, label, _ in cols], numeric)
    ws.row_dimensions[6].height, ws.row_dimensions[7].height = 24, 42
    cheapest = sorted(r.cost_per_completed_task for r in results)
    for r, n in enumerate(order, first):
        result, refs = results[n - 1], blocks[n].refs
        fixed_for_success = result.risk.fixed_commitment * result.task_success_rate / result.expected_attempts
        values: dict[str, Any] = {
            "rank": Formula(f"RANK(${cpct}{r},${cpct}${first}:${cpct}${last},1)",
                            1 + bisect_left(cheapest, result.cost_per_completed_task)),
            "no": n, "candidate": result.candidate, "offer": result.offer, "scheme": result.scheme,
            "break_even_success_rate": result.break_even_success_rate
            if result.break_even_success_rate is not None else "never",
            "split.fixed_for_success": Formula(f"Calc!{refs['risk.fixed_commitment']}*Calc!"
                                               f"{refs['breakdown.task_success_rate']}/Calc!"
                                               f"{refs['breakdown.expected_attempts']}", fixed_for_success),
            "split.variable_for_success": Formula(f"{col('period_cost')}{r}-{col('risk.customer_failure_spend')}{r}"
                                                  f"-{col('split.fixed_for_success')}{r}",
                                                  result.period_cost - result.risk.customer_failure_spend
                                                  - fixed_for_success),
        }
        for key, _, fmt in cols:
            value = values[key] if key in values else Formula(f"Calc!{refs[key]}", figure(result, key))
            cell = put(ws.cell(r, number[key]), value, fmt)
            cell.alignment = Alignment(wrap_text=key in WRAPPED, vertical="top")
    be = col("break_even_success_rate")
    mark_when_stale(ws, [f"{be}{first}:{be}{last}", "A3"])
    row = last + 2
    notes = [
        "Figures are live formulas over Assumptions and Rates (see Calc); rows stay in the order tco ranked them, "
        "Rank recomputes.",
        f"Break-even success rates and the verdict are {NOT_LIVE}.",
        "Fixed and variable for completed work, plus failure spend, add up to the period cost;",
        "    fixed fees are split to failure by the share of attempts that fail, (E − S)/E, as tco does.",
        "Files read (vendor and version: file, sha256):",
        *(f"    {line}" for line in books),
    ]
    for r_ in doc["results"]:
        notes += [f"Warning: {r_['candidate']}: {text}" for text in r_["warnings"]]
    for text in notes:
        put_text(ws.cell(row, 1), text).font = NOTE
        row += 1
    row += 1
    ws.freeze_panes = ws.cell(first, number["candidate"] + 1)
    fit_columns(ws, first - 1, cap=NAME_WIDTH, max_row=last)
    for i, (_, _, fmt) in enumerate(cols, 1):
        dim = ws.column_dimensions[get_column_letter(i)]
        dim.width = max(dim.width or 0, 6 if fmt == COUNT else 10 if fmt else 8)
    for key, cap in WRAPPED.items():  # wrapped, so not fitted above
        longest = max(len(str(ws.cell(r, number[key]).value)) for r in range(first, last + 1))
        ws.column_dimensions[col(key)].width = min(longest + 2, cap)
    for r in range(first, last + 1):
        tall(ws, r, [number[key] for key in WRAPPED])
    width_cm = min(CHART_WIDTH_CM, (columns_width_cm(ws, printed) - 2 * GAP_CM) / 3)  # three side by side
    end = place(ws, charts(ws, number, first, last, width_cm), row, printed)
    page_setup(ws, printed, end, "6:7")


NAME_WIDTH = 23
"""Candidate and offer names wrap past this many characters."""
WRAPPED = {"candidate": NAME_WIDTH, "offer": NAME_WIDTH, "scheme": 18}
"""Columns that wrap, and past how many characters (a route's schemes join: per_resolution+per_token)."""
CHART_WIDTH_CM = 16


def chart_height(candidates: int) -> float:
    """Centimetres: room for a bar, and its label, per candidate."""
    return max(7.5, 3.5 + 0.8 * candidates)


def charts(ws: Worksheet, number: dict[str, int], first: int, last: int, width_cm: float) -> list[BarChart]:
    """Bar charts over the Summary cells, so they move with the figures; every candidate labelled."""
    cats = Reference(ws, min_col=number["candidate"], min_row=first, max_row=last)

    def bar(title: str, keys: list[str], stacked: bool = False) -> BarChart:
        chart = BarChart()
        chart.type = "bar"  # horizontal: candidate names read across
        chart.x_axis.scaling.orientation = "maxMin"  # cheapest (first ranked) at the top
        chart.title = title
        chart.y_axis.title = "USD"
        chart.y_axis.numFmt = '"$"#,##0.00'
        labelled(chart.x_axis)
        labelled(chart.y_axis)
        for key in keys:
            chart.add_data(Reference(ws, min_col=number[key], min_row=first - 1, max_row=last),
                           titles_from_data=True)
        chart.set_categories(cats)
        if stacked:
            chart.grouping = "stacked"
            chart.overlap = 100
            chart.legend.position = "b"
        else:
            chart.legend = None
        chart.width, chart.height = width_cm, chart_height(last - first + 1)
        return chart

    return [
        bar("Vendor spend per task done by AI (success-adjusted)", ["success_adjusted_cost"]),
        bar("Cost per completed task, people included", ["cost_per_completed_task"]),
        bar("Period bill: fixed, variable and failure spend",
            ["split.fixed_for_success", "split.variable_for_success", "risk.customer_failure_spend"], stacked=True),
    ]
