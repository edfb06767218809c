"""The comparison as CSV: one row per candidate, for a spreadsheet."""

from __future__ import annotations

import csv
import io
from typing import Any

from tco.engine.compare import FIGURES
from tco.report.text import cell_text

COLUMNS = ("rank", "candidate", "offer", "scheme", "success_rate", "per_task_cost", "success_adjusted_cost",
           "cost_per_completed_task", "human_baseline", "break_even_success_rate", "period_cost", "period_tco",
           "fixed_commitment", "variable_spend", "customer_failure_spend", "failure_bearer", "volume_bearer",
           "pricebook_version", "warnings")
SIMULATED = tuple(f"{m}_{p}" for m in FIGURES for p in ("p5", "p50", "p95")) + ("probability_cheapest", "p95_over_p50")
TEXT = {"candidate", "offer", "warnings"}


def render(doc: dict[str, Any]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    columns = (*COLUMNS, *SIMULATED) if "simulation" in doc else COLUMNS
    writer.writerow(columns)
    for i, r in enumerate(doc["results"], 1):
        row = {**r, **r["risk"], "rank": i, "pricebook_version": f"{r['pricebook']['vendor']} {r['pricebook']['version']}",
               "warnings": "; ".join(r["warnings"])}
        sim = r.get("simulation", {})
        row |= {f"{m}_{p}": v for m, spread in sim.items() if isinstance(spread, dict) for p, v in spread.items()}
        row |= {"probability_cheapest": sim.get("probability_cheapest")}
        writer.writerow(cell_text(str(row[c])) if c in TEXT else ("" if row[c] is None else row[c]) for c in columns)
    return out.getvalue()
