"""The comparison as a terminal table: what a procurement analyst reads first."""

from __future__ import annotations

from typing import Any

from rich.console import Group
from rich.table import Table
from rich.text import Text

from tco.report.text import money, ranges_note, share, simulated, simulation_note


def render(doc: dict[str, Any]) -> Group:
    w = doc["workload"]
    sim = "simulation" in doc
    table = Table(title=f"{w['name']} — {w['tasks']} tasks per {w['period']}, prices as of {doc['as_of']}",
                  title_justify="left", header_style="bold")
    columns = [("#", "right"), ("Candidate", "left"), ("Scheme", "left"), ("Per task", "right"),
               ("Per task done\nby AI", "right"), ("Per completed\ntask", "right"),
               *([("P5–P95 per\ncompleted task", "right"), ("Cheapest\nin", "right")] if sim else []),
               ("Period cost", "right"), *([("Period\nP95 ÷ P50", "right")] if sim else []),
               ("Fixed", "right"), ("Failure\nspend", "right"),
               ("Failure\npaid by", "left"), ("Volume\nrisk", "left"), ("Break-even\nsuccess", "right")]
    for name, justify in columns:
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for i, r in enumerate(doc["results"], 1):
        risk = r["risk"]
        extra = simulated(r) if sim else {}
        table.add_row(str(i), Text(r["candidate"]), r["scheme"], money(r["per_task_cost"]),
                      money(r["success_adjusted_cost"]), money(r["cost_per_completed_task"]),
                      *([extra["cpct_range"], extra["cheapest"]] if sim else []),
                      money(r["period_cost"]), *([extra["p95_over_p50"]] if sim else []),
                      money(risk["fixed_commitment"]),
                      money(risk["customer_failure_spend"]), risk["failure_bearer"], risk["volume_bearer"],
                      share(r["break_even_success_rate"]))
    baseline = doc["results"][0]["human_baseline"] if doc["results"] else None
    books = ", ".join(f"{b['vendor']} {b['version']}" for b in doc["pricebooks"])
    parts: list[Any] = [
        table,
        Text(f"Human baseline: {money(baseline)} per task done by hand.  Price books: {books}."),
        *([Text(simulation_note(doc))] if sim else []),
        *([Text(ranges_note(doc))] if doc["ranges"] and not sim else []),
        Text(doc["verdict"]["text"], style="bold"),
    ]
    for r in doc["results"]:
        for warning in r["warnings"]:
            parts.append(Text(f"warning: {r['candidate']}: {warning}", style="yellow"))
    return Group(*parts)
