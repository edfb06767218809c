"""The comparison as Markdown, fit for a memo or a pull-request comment."""

from __future__ import annotations

from typing import Any

from tco.files.output import printable
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

COLUMNS = ("#", "Candidate", "Scheme", "Per task", "Per task done by AI", "Per completed task", "Period cost",
           "Fixed", "Failure spend", "Failure paid by", "Volume risk", "Break-even success")
SIMULATED = ("P5–P95 per completed task", "Cheapest in", "Period P95 ÷ P50")
TEXT = ("Candidate", "Scheme", "Failure paid by", "Volume risk")


def escape(text: str) -> str:
    """Text for one line of Markdown (a table cell): pipes escaped, line breaks made spaces, controls escaped."""
    return printable(text.replace("|", "\\|").replace("\r\n", " ").replace("\r", " ").replace("\n", " "))


def render(doc: dict[str, Any]) -> str:
    w = doc["workload"]
    sim = "simulation" in doc
    columns = (*COLUMNS, *SIMULATED) if sim else COLUMNS
    term = w.get("term_months")
    if term is not None:
        columns = (*columns, f"Contract cost ({term} months)")
    timed = any(r["latency_seconds"] is not None for r in doc["results"])
    if timed:
        columns = (*columns, "Latency")
    lines = [
        f"### tco: {escape(w['name'])}",
        "",
        f"**{escape(doc['verdict']['text'])}**",
        "",
        f"{figure(w['tasks'])} tasks per {w['period']}; prices as of {doc['as_of']}; USD.",
        "",
        "| " + " | ".join(columns) + " |",
        "|" + "|".join("---" if c in TEXT else "---:" for c in columns) + "|",
    ]
    for i, r in enumerate(doc["results"], 1):
        risk = r["risk"]
        cells = [str(i), f"{escape(r['candidate'])}", r["scheme"], money(r["per_task_cost"]),
                 money(r["success_adjusted_cost"]), money(r["cost_per_completed_task"]), money(r["period_cost"]),
                 money(risk["fixed_commitment"]), money(risk["customer_failure_spend"]), risk["failure_bearer"],
                 risk["volume_bearer"], break_even(r)]
        if sim:
            cells += simulated(r).values()
        if term is not None:
            cells.append(money(r.get("contract_cost")))
        if timed:
            cells.append(seconds(r["latency_seconds"]) + (" (over the limit)" if r["misses_latency"] else ""))
        lines.append("| " + " | ".join(cells) + " |")
    baseline = doc["results"][0]["human_baseline"] if doc["results"] else None
    people = doc["verdict"]["beats_human_baseline"] is not None
    lines += ["", f"A person doing the task by hand costs {money(baseline)} per task." if people
              else "No people's costs were given: the figures compare vendors only.", ""]
    arch = architecture_lines(doc)
    if arch:
        lines += ["Architectures (cost per task of the workload):", *(f"- {escape(a)}" for a in arch), ""]
    note = latency_note(doc)
    if note:
        lines += [escape(note), ""]
    if sim or doc["ranges"]:
        lines += [simulation_note(doc) if sim else ranges_note(doc), ""]
    lines.append("Price books: " + ", ".join(f"{b['vendor']} {b['version']}" for b in doc["pricebooks"]) + ".")
    warnings = [f"- {escape(r['candidate'])}: {escape(w)}" for r in doc["results"] for w in r["warnings"]]
    if warnings:
        lines += ["", "Warnings:", *warnings]
    return "\n".join(lines) + "\n"
