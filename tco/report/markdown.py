"""The comparison as Markdown, fit for a memo or a pull-request comment."""

from __future__ import annotations

from typing import Any

from tco.report.text import money, share

COLUMNS = ("#", "Candidate", "Scheme", "Per task", "Per task done (AI)", "Per completed task", "Period cost",
           "Fixed", "Failure spend", "Failure paid by", "Volume risk", "Break-even success")


def _escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render(doc: dict[str, Any]) -> str:
    w = doc["workload"]
    lines = [
        f"### tco: {_escape(w['name'])}",
        "",
        f"**{_escape(doc['verdict']['text'])}**",
        "",
        f"{w['tasks']} tasks per {w['period']}; prices as of {doc['as_of']}; USD.",
        "",
        "| " + " | ".join(COLUMNS) + " |",
        "|" + "|".join("---:" if c not in ("Candidate", "Scheme", "Failure paid by", "Volume risk") else "---"
                       for c in COLUMNS) + "|",
    ]
    for i, r in enumerate(doc["results"], 1):
        risk = r["risk"]
        cells = [str(i), f"{_escape(r['candidate'])}", r["scheme"], money(r["per_task_cost"]),
                 money(r["success_adjusted_cost"]), money(r["cost_per_completed_task"]), money(r["period_cost"]),
                 money(risk["fixed_commitment"]), money(risk["customer_failure_spend"]), risk["failure_bearer"],
                 risk["volume_bearer"], share(r["break_even_success_rate"])]
        lines.append("| " + " | ".join(cells) + " |")
    baseline = doc["results"][0]["human_baseline"] if doc["results"] else None
    lines += ["", f"A person doing the task by hand costs {money(baseline)} per task.", ""]
    lines.append("Price books: " + ", ".join(f"{b['vendor']} {b['version']}" for b in doc["pricebooks"]) + ".")
    warnings = [f"- {_escape(r['candidate'])}: {_escape(w)}" for r in doc["results"] for w in r["warnings"]]
    if warnings:
        lines += ["", "Warnings:", *warnings]
    return "\n".join(lines) + "\n"
