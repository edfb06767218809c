"""`tco sensitivity`: a tornado of the ranges that move one candidate's cost per completed task most."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from rich.console import Group
from rich.table import Table
from rich.text import Text

from tco.engine.compare import Comparison
from tco.engine.sensitivity import Tornado
from tco.files.workloads import WorkloadFile
from tco.report import csv_report
from tco.report.document import heading, plain, range_input
from tco.report.markdown import escape
from tco.report.text import figure, money

BAR = 24
"""Characters on each side of the tornado's centre line."""


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


def _halves(doc: dict[str, Any], bar: dict[str, Any]) -> tuple[int, int, str, str]:
    """Bar lengths below and above the base, and which end of the input reaches each."""
    base = Decimal(doc["base"])
    widest = max((abs(Decimal(b[k]) - base) for b in doc["bars"] for k in ("cost_at_low", "cost_at_high")), default=0)
    scale = BAR / widest if widest else 0
    low, high = Decimal(bar["cost_at_low"]) - base, Decimal(bar["cost_at_high"]) - base
    down, up = min(low, high, 0), max(low, high, 0)
    return round(-down * scale), round(up * scale), "low" if low < high else "high", "high" if low < high else "low"


def render_table(doc: dict[str, Any]) -> Group:
    if not doc["bars"]:
        return Group(Text(title(doc)), Text(no_ranges(doc)))
    table = Table(title=title(doc), title_justify="left", header_style="bold")
    for name, justify in (("Input", "left"), ("Range", "left"), ("Low → high", "right"), ("Cost at low", "right"),
                          ("Cost at high", "right"), ("Swing", "right"), ("Below ← base → above", "center")):
        table.add_column(name, justify=justify, no_wrap=name.startswith("Below"))  # type: ignore[arg-type]
    for bar in doc["bars"]:
        down, up, left_end, right_end = _halves(doc, bar)
        chart = Text(" " * (BAR - down))
        chart.append("█" * down, style="cyan" if left_end == "low" else "magenta")
        chart.append("│")
        chart.append("█" * up, style="cyan" if right_end == "low" else "magenta")
        chart.append(" " * (BAR - up))
        table.add_row(Text(label(bar)), Text(bar["distribution"]), f"{figure(bar['low'])} → {figure(bar['high'])}",
                      money(bar["cost_at_low"]), money(bar["cost_at_high"]), money(bar["swing"]), chart)
    legend = Text("Bars run from the base: ")
    legend.append("█ input at its low end", style="cyan")
    legend.append(", ")
    legend.append("█ at its high end", style="magenta")
    legend.append(". Low and high: a PERT range's own ends, otherwise its 5th and 95th percentiles.")
    return Group(table, legend)


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
