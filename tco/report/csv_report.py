"""The comparison as CSV: one row per candidate, for a spreadsheet."""

from __future__ import annotations

import csv
import io
from collections.abc import Collection, Iterable, Sequence
from typing import Any

from tco.engine.compare import FIGURES
from tco.report.text import cell_text

COLUMNS = ("rank", "candidate", "offer", "scheme", "success_rate", "per_task_cost", "success_adjusted_cost",
           "cost_per_completed_task", "human_baseline", "break_even_success_rate", "period_cost", "period_tco",
           "fixed_commitment", "variable_spend", "customer_failure_spend", "failure_bearer", "volume_bearer",
           "latency_seconds", "misses_latency", "waiting_cost", "offers", "pricebook_version", "warnings")
SIMULATED = tuple(f"{m}_{p}" for m in FIGURES for p in ("p5", "p50", "p95")) + ("probability_cheapest", "p95_over_p50")
TEXT = {"candidate", "offer", "offers", "scheme", "failure_bearer", "volume_bearer", "pricebook_version", "warnings"}


def table(columns: Sequence[str], rows: Iterable[dict[str, Any]], text: Collection[str]) -> str:
    """Rows as CSV under a header of `columns`: the cells of the `text` columns are text that can never become a
    formula (`cell_text`), None (or no value) is an empty cell, and a cell holding a CR or LF is quoted, so it stays one cell."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")  # the csv module quotes a CR only if it ends lines too
    lines = []
    for row in [dict(zip(columns, columns, strict=True)), *rows]:
        writer.writerow("" if row.get(c) is None else cell_text(str(row[c])) if c in text else row[c] for c in columns)
        lines.append(out.getvalue().removesuffix("\r\n"))
        out.seek(0)
        out.truncate()
    return "".join(line + "\n" for line in lines)


def render(doc: dict[str, Any]) -> str:
    columns = (*COLUMNS, *SIMULATED) if "simulation" in doc else COLUMNS
    if "term_months" in doc["workload"]:
        columns = (*columns, "contract_cost")
    rows = []
    for i, r in enumerate(doc["results"], 1):
        row = {**r, **r["risk"], "rank": i, "pricebook_version": f"{r['pricebook']['vendor']} {r['pricebook']['version']}",
               "warnings": "; ".join(r["warnings"]), "offers": "; ".join(r["offers"]),
               "misses_latency": None if r["misses_latency"] is None else str(r["misses_latency"]).lower()}
        sim = r.get("simulation", {})
        row |= {f"{m}_{p}": v for m, spread in sim.items() if isinstance(spread, dict) for p, v in spread.items()}
        row |= {"probability_cheapest": sim.get("probability_cheapest")}
        rows.append(row)
    return table(columns, rows, TEXT)
