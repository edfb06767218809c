"""The Simulation sheet: a simulation's figures as tco computed them, with a histogram and its chart."""

from __future__ import annotations

from decimal import Decimal
from itertools import pairwise
from typing import TYPE_CHECKING, Any

from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from tco.engine.compare import CandidateResult
from tco.report.excel.assumptions import MONEY_KEYS
from tco.report.excel.cells import (
    BOLD,
    COUNT,
    KEY_FONT,
    NOT_LIVE,
    NOTE,
    NUMBER,
    RATIO,
    SHARE,
    TITLE,
    USD,
    USD_FINE,
    USD_TASK,
    clean,
    fit_columns,
    header,
    page_setup,
    put,
    put_text,
    tall,
)
from tco.report.excel.charts import labelled, place, title

if TYPE_CHECKING:
    from tco.engine.simulate import CandidateSpread, Simulation

SPREADS = (("success_adjusted_cost", "Per task done by AI", USD_TASK),
           ("cost_per_completed_task", "Per completed task", USD_TASK), ("period_cost", "Period cost", USD))
SIMULATED = (  # (JSON field of a result, header, format)
    *((f"simulation.{metric}.{p}", f"{label}, {p.upper()}", fmt) for metric, label, fmt in SPREADS
      for p in ("p5", "p50", "p95")),
    ("simulation.probability_cheapest", "Cheapest in (share of draws)", SHARE),
    ("risk.p95_over_p50", "Period cost P95 ÷ P50", RATIO),
)
RANGES = ["Input", "Candidate", "Distribution", "Likely", "Low", "High"]


def simulated(spread: CandidateSpread, key: str) -> Any:
    """One simulated figure of a candidate, by its JSON field."""
    if key == "risk.p95_over_p50":
        return "–" if spread.p95_over_p50 is None else spread.p95_over_p50
    value: Any = spread
    for part in key.removeprefix("simulation.").split("."):
        value = getattr(value, part)
    return value


def simulation(ws: Worksheet, doc: dict[str, Any], sim: Simulation, ranked: list[CandidateResult]) -> None:
    """The simulation as tco computed it: percentiles per candidate, the ranges drawn, a histogram per candidate
    and its chart."""
    put_text(ws.cell(1, 1), f"Simulation: {doc['workload']['name']}").font = TITLE
    for row, text in enumerate((
        f"Values {NOT_LIVE}: {sim.draws:,} draws of the workload's {len(doc['ranges'])} range(s), seed {sim.seed}.",
        f"Edits on Assumptions or Rates do not change them: run tco export --simulate {sim.draws} --seed {sim.seed} "
        "again.",
        "P5, P50, P95: the 5th, 50th and 95th percentiles across the draws. Cheapest in: the share of draws in which "
        "the candidate is cheapest per completed task.",
        "P95 ÷ P50: a bad period's bill over a typical one. Candidates in the order tco ranked them.",
    ), 2):
        put_text(ws.cell(row, 1), text).font = NOTE
    first = 9
    row = spread_rows(ws, sim, ranked, first)
    row = range_rows(ws, doc["ranges"], row + 1)
    bins_first, bins_last = histogram_rows(ws, sim, ranked, row + 1)
    last_col = max(len(SIMULATED), len(ranked)) + 2
    fit_columns(ws, first - 1, cap=40)
    for col in range(1, last_col + 1):
        dim = ws.column_dimensions[get_column_letter(col)]
        dim.width = max(dim.width or 0, 11)
    tall(ws, first - 1)
    tall(ws, bins_first - 1)
    charts = histogram_charts(ws, sim, ranked, bins_first - 1, bins_last)
    end = place(ws, charts, bins_last + 2, last_col, new_page=True)
    ws.freeze_panes = "A3"
    page_setup(ws, last_col, end, "1:2")


def spread_rows(ws: Worksheet, sim: Simulation, ranked: list[CandidateResult], first: int) -> int:
    """A row per candidate, under its JSON field names and headers; the row after."""
    numeric = [1, *range(3, len(SIMULATED) + 3)]
    for col, (key, _, _) in enumerate(SIMULATED, 3):
        put_text(ws.cell(first - 2, col), key).font = KEY_FONT
        ws.cell(first - 2, col).alignment = Alignment(horizontal="right", vertical="bottom", wrap_text=True)
    header(ws, first - 1, ["No.", "Candidate", *(label for _, label, _ in SIMULATED)], numeric)
    ws.row_dimensions[first - 2].height = 24
    for r, result in enumerate(ranked, first):
        spread = sim.candidates[result.candidate]
        put(ws.cell(r, 1), result.index + 1, COUNT)
        put_text(ws.cell(r, 2), result.candidate)
        for col, (key, _, fmt) in enumerate(SIMULATED, 3):
            put(ws.cell(r, col), simulated(spread, key), fmt)
    return first + len(ranked)


def range_rows(ws: Worksheet, ranges: list[dict[str, Any]], row: int) -> int:
    """The workload's ranges as the document lists them; the row after."""
    put_text(ws.cell(row, 1), "Ranges").font = BOLD
    header(ws, row + 1, RANGES, numeric=[4, 5, 6])
    row += 2
    for item in ranges:
        fmt = USD if item["input"].rsplit(".", 1)[-1] in MONEY_KEYS else NUMBER
        put_text(ws.cell(row, 1), item["input"])
        put_text(ws.cell(row, 2), "all candidates" if item["candidate"] is None else item["candidate"])
        put_text(ws.cell(row, 3), item["distribution"])
        for col, key in enumerate(("likely", "low", "high"), 4):
            put(ws.cell(row, col), Decimal(item[key]), fmt)
        row += 1
    if not ranges:
        put_text(ws.cell(row, 1), "The workload gives no ranges: every draw is the same.").font = NOTE
        row += 1
    return row


def histogram_rows(ws: Worksheet, sim: Simulation, ranked: list[CandidateResult], row: int) -> tuple[int, int]:
    """A row per bin, a column of counts per candidate; the first and last bin rows."""
    hist = sim.histogram
    put_text(ws.cell(row, 1), "Histogram").font = BOLD
    put_text(ws.cell(row + 1, 1), "The draws of cost per completed task in each bin, from (inclusive) to (exclusive); "
                                  "the first and last bins also hold the draws beyond them.").font = NOTE
    header(ws, row + 2, ["From", "To", *(r.candidate for r in ranked)], numeric=range(1, len(ranked) + 3))
    first = row + 3
    for r, (low, high) in enumerate(pairwise(hist.edges), first):
        put(ws.cell(r, 1), low, USD_FINE)
        put(ws.cell(r, 2), high, USD_FINE)
        for col, result in enumerate(ranked, 3):
            put(ws.cell(r, col), hist.counts[result.candidate][r - first], COUNT)
    return first, first + len(hist.edges) - 2


SMALL_CHART_CM = (11.0, 8.0)


def histogram_charts(ws: Worksheet, sim: Simulation, ranked: list[CandidateResult], header_row: int,
                     last: int) -> list[BarChart]:
    """A small histogram per candidate over its column of counts, every bin labelled, all on one scale of draws
    so they compare at a glance."""
    most = max((max(counts) for counts in sim.histogram.counts.values()), default=0)
    charts = []
    for col, result in enumerate(ranked, 3):
        chart = BarChart()
        chart.type = "col"
        chart.gapWidth = 15
        chart.title = title(clean(result.candidate), 10)
        chart.x_axis.title = "Per completed task, bin from (USD)"
        chart.y_axis.title = "Draws"
        labelled(chart.x_axis, 8, vertical=True)
        labelled(chart.y_axis, 8)
        chart.y_axis.scaling.min = 0
        chart.y_axis.scaling.max = max(most, 1)
        chart.add_data(Reference(ws, min_col=col, min_row=header_row, max_row=last), titles_from_data=True)
        chart.set_categories(Reference(ws, min_col=1, min_row=header_row + 1, max_row=last))
        chart.legend = None
        chart.width, chart.height = SMALL_CHART_CM
        charts.append(chart)
    return charts
