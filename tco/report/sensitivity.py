"""`tco sensitivity`: a tornado of the ranges that move one candidate's cost per completed task most."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from rich.console import Group
from rich.text import Text

from tco.engine.compare import Comparison
from tco.engine.sensitivity import Tornado
from tco.files.workloads import WorkloadFile
from tco.report import charts, csv_report
from tco.report.charts import TornadoBar
from tco.report.document import heading, plain, range_input
from tco.report.grid import Column, Grid
from tco.report.markdown import escape
from tco.report.text import figure, money


def document(comparison: Comparison, source: WorkloadFile, t: Tornado) -> dict[str, Any]:
    return {
        **heading(comparison, source),
        "candidate": t.candidate.candidate,
        "metric": "cost_per_completed_task",
        "base": plain(t.base),
        "bars": [{**range_input(b.input, comparison, (b.low, b.high)), "cost_at_low": plain(b.at_low), "cost_at_high": plain(b.at_high),
                  "swing": plain(b.swing)} for b in t.bars],
    }


def label(bar: dict[str, Any]) -> str:
    """`task.input_tokens`, or `success_rate (intercom/fin)` for a candidate's own input."""
    if bar["candidate"] is None:
        return bar["input"]
    return f"{bar['input'].split('.', 1)[1]} ({bar['candidate']})"


def title(doc: dict[str, Any]) -> str:
    return (f"Sensitivity of cost per completed task: {doc['candidate']}, {money(doc['base'])} with every range at its "
            f"likely value")


def _halves(doc: dict[str, Any], bar: dict[str, Any]) -> TornadoBar:
    """The bar below and above the base as shares of the widest swing, and which end of the input reaches each."""
    base = Decimal(doc["base"])
    widest = max((abs(Decimal(b[k]) - base) for b in doc["bars"] for k in ("cost_at_low", "cost_at_high")), default=0)
    low, high = Decimal(bar["cost_at_low"]) - base, Decimal(bar["cost_at_high"]) - base
    down, up = -min(low, high, 0), max(low, high, 0)
    return TornadoBar(down / widest if widest else Decimal(0), up / widest if widest else Decimal(0), low < high)


CELLS: dict[str, tuple[Column, Callable[[dict[str, Any], dict[str, Any]], Any]]] = {
    "input": (Column("Input"), lambda doc, bar: label(bar)),
    "range": (Column("Range"), lambda doc, bar: bar["distribution"]),
    "ends": (Column("Low → high", right=True), lambda doc, bar: f"{figure(bar['low'])} → {figure(bar['high'])}"),
    "at_low": (Column("Cost at low", right=True), lambda doc, bar: money(bar["cost_at_low"])),
    "at_high": (Column("Cost at high", right=True), lambda doc, bar: money(bar["cost_at_high"])),
    "swing": (Column("Swing", right=True), lambda doc, bar: money(bar["swing"])),
    "tornado": (Column("Below ← base → above"), _halves),
}
NARROW = ("input", "ends", "swing", "tornado")
WIDE = ("input", "range", "ends", "at_low", "at_high", "swing", "tornado")


def render_table(doc: dict[str, Any], wide: bool = False) -> Group:
    if not doc["bars"]:
        return Group(Text(title(doc)), Text(no_ranges(doc)))
    keys = WIDE if wide else NARROW
    table = Grid([CELLS[k][0] for k in keys], ([CELLS[k][1](doc, bar) for k in keys] for bar in doc["bars"]), title=title(doc))
    legend = charts.legend()
    legend.append(". Low and high: a PERT range's own ends, otherwise its 5th and 95th percentiles.")
    return Group(table, legend, *([] if wide else [Text("Each range's distribution and the costs at its ends with --wide.")]))


def no_ranges(doc: dict[str, Any]) -> str:
    return (f"No ranges in {doc['workload']['file']} apply to {doc['candidate']}: nothing to vary. Give an input you are "
            "unsure of as {low, likely, high}, {mean, sd}, {successes, trials} or a list of observed values.")


def render_markdown(doc: dict[str, Any]) -> str:
    lines = [f"### {title(doc)}", ""]
    if not doc["bars"]:
        return "\n".join([*lines, no_ranges(doc)]) + "\n"
    lines += ["| Input | Range | Low → high | Cost at low | Cost at high | Swing |", "|---|---|---:|---:|---:|---:|"]
    for bar in doc["bars"]:
        cells = [label(bar), bar["distribution"], f"{figure(bar['low'])} → {figure(bar['high'])}",
                 money(bar["cost_at_low"]), money(bar["cost_at_high"]), money(bar["swing"])]
        lines.append("| " + " | ".join(escape(c) for c in cells) + " |")
    lines += ["", "Low and high: a PERT range's own ends, otherwise its 5th and 95th percentiles; the other inputs at "
                  "their likely values."]
    return "\n".join(lines) + "\n"


COLUMNS = ("input", "candidate", "distribution", "likely", "low", "high", "cost_at_low", "cost_at_high", "swing")


def render_csv(doc: dict[str, Any]) -> str:
    return csv_report.table(COLUMNS, doc["bars"], ("input", "candidate", "distribution"))
