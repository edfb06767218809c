"""The comparison as a terminal table: what a procurement analyst reads first.

By default the figures that decide (rank, cost per completed task, per task done by AI, the period's bill, who
pays for failure) fit 80 columns; `wide` shows every figure. A chart adds bars of cost per completed task and,
for a simulation, each candidate's distribution as a small histogram.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from rich.console import Group
from rich.text import Text

from tco.report.charts import Axis, Bar, Histogram
from tco.report.grid import Column, Grid
from tco.report.text import (
    architecture_lines,
    break_even,
    figure,
    latency_note,
    money,
    ranges_note,
    seconds,
    simulated,
    simulation_note,
)

Cell = Callable[[int, dict[str, Any]], Any]
FIGURES: dict[str, tuple[Column, Cell]] = {
    "rank": (Column("#", right=True), lambda i, r: str(i)),
    "candidate": (Column("Candidate"), lambda i, r: r["candidate"]),
    "scheme": (Column("Scheme"), lambda i, r: r["scheme"]),
    "per_task": (Column("Per task", right=True), lambda i, r: money(r["per_task_cost"])),
    "by_ai": (Column("Per task done by AI", right=True), lambda i, r: money(r["success_adjusted_cost"])),
    "completed": (Column("Per completed task", right=True), lambda i, r: money(r["cost_per_completed_task"])),
    "range": (Column("P5–P95 per completed task", right=True), lambda i, r: simulated(r)["cpct_range"]),
    "cheapest": (Column("Cheapest in", right=True), lambda i, r: simulated(r)["cheapest"]),
    "period": (Column("Period cost", right=True), lambda i, r: money(r["period_cost"])),
    "spread": (Column("Period P95 ÷ P50", right=True), lambda i, r: simulated(r)["p95_over_p50"]),
    "fixed": (Column("Fixed", right=True), lambda i, r: money(r["risk"]["fixed_commitment"])),
    "failure_spend": (Column("Failure spend", right=True), lambda i, r: money(r["risk"]["customer_failure_spend"])),
    "failure_bearer": (Column("Failure paid by"), lambda i, r: r["risk"]["failure_bearer"]),
    "volume_bearer": (Column("Volume risk"), lambda i, r: r["risk"]["volume_bearer"]),
    "break_even": (Column("Break-even success", right=True), lambda i, r: break_even(r)),
    "contract": (Column("Contract cost", right=True), lambda i, r: money(r.get("contract_cost"))),
    "latency": (Column("Latency", right=True), lambda i, r: seconds(r["latency_seconds"]) + ("!" if r["misses_latency"] else "")),
    "p5": (Column("P5", right=True), lambda i, r: money(r["simulation"]["cost_per_completed_task"]["p5"])),
    "p50": (Column("P50", right=True), lambda i, r: money(r["simulation"]["cost_per_completed_task"]["p50"])),
    "p95": (Column("P95", right=True), lambda i, r: money(r["simulation"]["cost_per_completed_task"]["p95"])),
}
DECIDING = ("rank", "candidate", "completed", "by_ai", "period", "failure_bearer")
SIMULATED = ("rank", "candidate", "p5", "p50", "p95", "cheapest", "spread")
WIDE = ("rank", "candidate", "scheme", "per_task", "by_ai", "completed", "period", "fixed", "failure_spend",
        "failure_bearer", "volume_bearer", "break_even")
WIDE_SIMULATED = ("rank", "candidate", "scheme", "per_task", "by_ai", "completed", "range", "cheapest", "period",
                  "spread", "fixed", "failure_spend", "failure_bearer", "volume_bearer", "break_even")


def grid(results: list[dict[str, Any]], keys: tuple[str, ...], title: str | None = None) -> Grid:
    """The results as a table of the named FIGURES, ranked as given."""
    return Grid([FIGURES[k][0] for k in keys], ([FIGURES[k][1](i, r) for k in keys] for i, r in enumerate(results, 1)),
                title=title)


def bars(doc: dict[str, Any]) -> Grid:
    """Cost per completed task as bars from zero, with a person doing the task by hand as the last, hatched, bar."""
    results = doc["results"]
    baseline = results[0]["human_baseline"]
    costs = [Decimal(r["cost_per_completed_task"]) for r in results]
    top = max([*costs, *([Decimal(baseline)] if baseline is not None else [])]) or Decimal(1)
    rows = [[str(i), r["candidate"], Bar(c / top), money(r["cost_per_completed_task"])]
            for i, (r, c) in enumerate(zip(results, costs, strict=True), 1)]
    if baseline is not None:
        rows.append(["", "a person, by hand", Bar(Decimal(baseline) / top, glyph="░"), money(baseline)])
    return Grid([Column("#", right=True), Column("Candidate"), Column("Cost per completed task"),
                 Column("", right=True)], rows)


def histograms(doc: dict[str, Any]) -> Grid:
    """Each candidate's simulated cost per completed task over the same bins (each row scaled to its tallest bin)."""
    hist = doc["simulation"]["histogram"]
    edges = hist["edges"]
    rows: list[list[Any]] = [[str(i), r["candidate"], Histogram(hist["counts"][r["candidate"]]), simulated(r)["cpct_range"]]
                             for i, r in enumerate(doc["results"], 1)]
    rows.append(["", "", Axis(money(edges[0]), money(edges[-1]), len(edges) - 1), ""])
    return Grid([Column("#", right=True), Column("Candidate"), Column("Distribution"),
                 Column("P5–P95", right=True)], rows,
                title=f"Cost per completed task in {doc['simulation']['draws']:,} draws (each row to its tallest bin)")


def contract_note(doc: dict[str, Any]) -> str:
    """The first-ranked candidate's bill over the workload's contract term."""
    best = doc["results"][0]
    return (f"Over the {doc['workload']['term_months']}-month term (one-off costs once): {best['candidate']} "
            f"{money(best['contract_cost'])}.")


def render(doc: dict[str, Any], wide: bool = False, chart: bool = False) -> Group:
    w = doc["workload"]
    sim = "simulation" in doc
    title = f"{w['name']} — {figure(w['tasks'])} tasks per {w['period']}, prices as of {doc['as_of']}"
    keys = (WIDE_SIMULATED if sim else WIDE) if wide else DECIDING
    term = w.get("term_months")
    if term is not None and wide:
        keys = (*keys, "contract")
    if wide and any(r["latency_seconds"] is not None for r in doc["results"]):
        keys = (*keys, "latency")
    parts: list[Any] = [grid(doc["results"], keys, title)]
    if sim and not wide:
        parts += [Text(), grid(doc["results"], SIMULATED, "Simulated cost per completed task")]
    if chart and doc["results"]:
        parts += [Text(), bars(doc), *([Text(), histograms(doc)] if sim else [])]
    baseline = doc["results"][0]["human_baseline"] if doc["results"] else None
    books = ", ".join(f"{b['vendor']} {b['version']}" for b in doc["pricebooks"])
    people = (f"Human baseline: {money(baseline)} per task done by hand." if doc["verdict"]["beats_human_baseline"] is not None
              else "No people's costs given: vendors only.")
    parts += [
        Text(f"{people}  Price books: {books}."),
        *([Text(simulation_note(doc))] if sim else []),
        *([Text(ranges_note(doc))] if doc["ranges"] and not sim else []),
        *([Text(contract_note(doc))] if term is not None and doc["results"] else []),
        *(Text(line) for line in architecture_lines(doc)),
        *([Text(note)] if (note := latency_note(doc)) else []),
        *([] if wide else [Text("More with --wide: scheme, per task started, fixed and failure spend, volume risk, "
                               "break-even success rate" + (", contract cost." if term is not None else "."))]),
        Text(doc["verdict"]["text"], style="bold"),
    ]
    for r in doc["results"]:
        for warning in r["warnings"]:
            parts.append(Text(f"warning: {r['candidate']}: {warning}", style="yellow"))
    return Group(*parts)
