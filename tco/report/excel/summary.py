"""The Summary sheet: the candidates ranked, their figures as formulas over Calc, and bar charts."""

from __future__ import annotations

import math
from typing import Any

from openpyxl.chart import BarChart, Reference
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from tco.engine.compare import CandidateResult
from tco.engine.job import Job
from tco.report.excel.calc import Block
from tco.report.excel.cells import (
    BOLD,
    COUNT,
    KEY_FONT,
    NOT_LIVE,
    NOTE,
    SHARE,
    TITLE,
    USD,
    USD_TASK,
    WRAP,
    Formula,
    fit_columns,
    header,
    page_setup,
    put,
    put_text,
)

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
    ("risk.fixed_commitment", "Fixed commitment", USD),
    ("risk.variable_spend", "Variable spend", USD),
    ("risk.customer_failure_spend", "Failure spend", USD),
    ("risk.failure_bearer", "Failure paid by", None),
    ("risk.volume_bearer", "Volume risk", None),
    ("split.fixed_for_success", "Fixed, for completed work", USD),
    ("split.variable_for_success", "Variable, for completed work", USD),
)
SUMMARY_COL = {key: i for i, (key, _, _) in enumerate(SUMMARY, 1)}


def summary(ws: Worksheet, doc: dict[str, Any], order: list[int], jobs: list[Job], results: list[CandidateResult],
            blocks: dict[int, Block]) -> None:
    w = doc["workload"]
    put_text(ws.cell(1, 1), f"tco: {w['name']}").font = TITLE
    put_text(ws.cell(2, 1), f"{w['tasks']} tasks per {w['period']}; prices as of {doc['as_of']}; {doc['currency']}; "
                            f"tco {doc['tco_version']}; workload {w['file']} (sha256 {w['sha256']})")
    put_text(ws.cell(3, 1), "Verdict (as exported): " + doc["verdict"]["text"]).font = BOLD
    first, last = 8, 7 + len(order)
    col = lambda key: get_column_letter(SUMMARY_COL[key])  # noqa: E731
    put_text(ws.cell(4, 1), "Cheapest per completed task now (live):")
    cand, cpct = col("candidate"), col("cost_per_completed_task")
    put(ws.cell(4, 4), Formula(f"INDEX(${cand}${first}:${cand}${last},MATCH(MIN(${cpct}${first}:${cpct}${last}),"
                               f"${cpct}${first}:${cpct}${last},0))")).font = BOLD
    for i, (key, _, _) in enumerate(SUMMARY, 1):
        put_text(ws.cell(6, i), key).font = KEY_FONT
    header(ws, 7, [label for _, label, _ in SUMMARY])
    for i in range(1, len(SUMMARY) + 1):
        ws.cell(6, i).alignment = ws.cell(7, i).alignment = WRAP
    ws.row_dimensions[6].height, ws.row_dimensions[7].height = 24, 42
    for r, n in enumerate(order, first):
        job, result, refs = jobs[n - 1], results[n - 1], blocks[n].refs
        values: dict[str, Any] = {
            "rank": Formula(f"RANK(${cpct}{r},${cpct}${first}:${cpct}${last},1)"),
            "no": n, "candidate": job.candidate.name, "offer": job.ref.id, "scheme": job.ref.offer.scheme,
            "break_even_success_rate": result.break_even_success_rate
            if result.break_even_success_rate is not None else "never",
            "split.fixed_for_success": Formula(f"Calc!{refs['risk.fixed_commitment']}*Calc!"
                                               f"{refs['breakdown.task_success_rate']}/Calc!"
                                               f"{refs['breakdown.expected_attempts']}"),
            "split.variable_for_success": Formula(f"{col('period_cost')}{r}-{col('risk.customer_failure_spend')}{r}"
                                                  f"-{col('split.fixed_for_success')}{r}"),
        }
        for key, _, fmt in SUMMARY:
            put(ws.cell(r, SUMMARY_COL[key]), values[key] if key in values else Formula(f"Calc!{refs[key]}"), fmt)
    row = last + 2
    notes = [
        "Figures are live formulas over Assumptions and Rates (see Calc); rows stay in the order tco ranked them, "
        "Rank recomputes.",
        f"Break-even success rates and the verdict are {NOT_LIVE}.",
        "Fixed and variable for completed work, plus failure spend, add up to the period cost; fixed fees are split "
        "to failure by the share of attempts that fail, (E − S)/E, as tco does.",
        "Price books:",
        *(f"    {b['vendor']} {b['version']}: {b['file']} (sha256 {b['sha256']})" for b in doc["pricebooks"]),
    ]
    for r_ in doc["results"]:
        notes += [f"Warning: {r_['candidate']}: {text}" for text in r_["warnings"]]
    for text in notes:
        put_text(ws.cell(row, 1), text).font = NOTE
        row += 1
    row += 1
    ws.freeze_panes = ws.cell(first, SUMMARY_COL["candidate"] + 1)
    fit_columns(ws, first, cap=40, max_row=last)
    for i in range(1, len(SUMMARY) + 1):
        dim = ws.column_dimensions[get_column_letter(i)]
        dim.width = max(dim.width or 0, 11)
    last_col = charts(ws, first, last, row)
    page_setup(ws, max(len(SUMMARY), last_col), row + math.ceil(chart_height(len(order)) / CM_PER_ROW) + 1, "6:7")


CHART_WIDTH_CM = 16
CM_PER_ROW = 0.53
CM_PER_CHARACTER = 0.2


def chart_height(candidates: int) -> float:
    """Centimetres: room for a bar per candidate."""
    return max(7.5, 3 + 0.7 * candidates)


def charts(ws: Worksheet, first: int, last: int, row: int) -> int:
    """Bar charts over the Summary cells, side by side, so they move with the figures; the last column used."""
    cats = Reference(ws, min_col=SUMMARY_COL["candidate"], min_row=first, max_row=last)

    def bar(title: str, keys: list[str], stacked: bool = False) -> BarChart:
        chart = BarChart()
        chart.type = "bar"  # horizontal: candidate names read across
        chart.x_axis.scaling.orientation = "maxMin"  # cheapest (first ranked) at the top
        chart.title = title
        chart.y_axis.title = "USD"
        chart.y_axis.numFmt = '"$"#,##0.00'
        chart.x_axis.delete = False
        chart.y_axis.delete = False
        for key in keys:
            chart.add_data(Reference(ws, min_col=SUMMARY_COL[key], min_row=first - 1, max_row=last),
                           titles_from_data=True)
        chart.set_categories(cats)
        if stacked:
            chart.grouping = "stacked"
            chart.overlap = 100
            chart.legend.position = "b"
        else:
            chart.legend = None
        chart.width, chart.height = CHART_WIDTH_CM, chart_height(last - first + 1)
        return chart

    def width(col: int) -> float:
        return (ws.column_dimensions[get_column_letter(col)].width or 8.43) * CM_PER_CHARACTER

    col = 1
    for chart in (
        bar("Vendor spend per task done by AI (success-adjusted)", ["success_adjusted_cost"]),
        bar("Cost per completed task, people included", ["cost_per_completed_task"]),
        bar("Period bill: fixed, variable and failure spend",
            ["split.fixed_for_success", "split.variable_for_success", "risk.customer_failure_spend"], stacked=True),
    ):
        ws.add_chart(chart, f"{get_column_letter(col)}{row}")
        used = 0.0
        while used < CHART_WIDTH_CM + 0.5:
            used += width(col)
            col += 1
    return col - 1
