"""Measured runs as tables, Markdown and CSV (renderings of the JSON documents), and a calibrated workload as YAML."""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from tco.engine.runs import Calibration, Entry
from tco.report.markdown import escape
from tco.report.text import cell_text, money, share

TOKEN_NAMES = {"input_tokens": "Input", "cached_input_tokens": "Cached", "cache_write_tokens": "Cache write",
               "output_tokens": "Output", "reasoning_tokens": "Reasoning"}


@dataclass(frozen=True)
class View:
    """One table of a document: a title, column names (right-aligned unless in `text`), and rows of cells."""

    title: str
    columns: tuple[str, ...]
    rows: list[list[str]]
    text: tuple[str, ...] = ()


def _n(value: Any) -> str:
    return "–" if value is None else f"{value:,}" if isinstance(value, int) else f"{Decimal(value).normalize():,f}"


def _spread(stats: dict[str, Any]) -> str:
    """The mean, and under it P50 / P95."""
    return f"{_n(stats['mean'])}\n{_n(stats['p50'])} / {_n(stats['p95'])}"


def _rate(g: dict[str, Any]) -> str:
    if g["success_rate"] is None:
        return "–"
    low, high = g["success_rate_95"]
    return f"{share(g['success_rate'])}\n{share(low)} to {share(high)}"


def _cost(c: dict[str, Any] | None, key: str) -> str:
    return "–" if c is None else money(c[key])


def summary_views(doc: dict[str, Any]) -> list[View]:
    by = doc["by"].capitalize()
    groups = doc["groups"]
    main = View(f"Runs by {doc['by']}: {doc['calls']:,} calls from {', '.join(doc['files']) or doc.get('aggregated', '')}",
                (by, "Runs", "Tasks", "Success\n95% interval", "Calls per run\nP50 / P95", "Cache\nshare", "Retry\nshare"),
                [[g["group"], _n(g["runs"]), _n(g["tasks"]), _rate(g), _spread(g["calls_per_run"]),
                  share(g["cache_share"]) if g["cache_share"] else "–", share(g["retry_share"]) if g["retry_share"] else "–"]
                 for g in groups], (by,))
    costs = View("Cost (USD): billed in the records, and at list price from the price books",
                 (by, "Billed\nper run", "Billed per\nsuccessful\ntask", "List\nper run", "List per\nsuccessful\ntask",
                  "Per task\nP50\nP95"),
                 [[g["group"], _cost(g["billed"], "per_run"), _cost(g["billed"], "per_successful_task"),
                   _cost(g["list_price"], "per_run"), _cost(g["list_price"], "per_successful_task"),
                   _p50_p95(g["billed"] or g["list_price"])] for g in groups], (by,))
    tokens = View("Tokens per call: mean, and under it P50 / P95", (by, *(TOKEN_NAMES[k] for k in TOKEN_NAMES)),
                  [[g["group"], *(_spread(g["tokens_per_call"][k]) for k in TOKEN_NAMES)] for g in groups], (by,))
    return [main, costs, tokens]


def _p50_p95(c: dict[str, Any] | None) -> str:
    return "–" if c is None else f"{money(c['per_task_p50'])}\n{money(c['per_task_p95'])}"


def summary_notes(doc: dict[str, Any]) -> list[str]:
    notes = []
    if doc.get("since"):
        notes.append(f"Calls from {doc['since']} on.")
    if doc.get("as_of"):
        notes.append(f"List prices as of {doc['as_of']}; billed figures are the records' own `cost`.")
    return notes + _common_notes(doc)


def _common_notes(doc: dict[str, Any]) -> list[str]:
    notes = []
    for bad in doc.get("bad_rows", []):
        notes.append(f"{bad['file']}: {bad['count']:,} bad row(s) left out (--skip-bad), e.g. {bad['examples'][0]}")
    if doc.get("unpriced_models"):
        notes.append("No per-token offer in the price books for: " + ", ".join(doc["unpriced_models"]))
    return notes


def reprice_views(doc: dict[str, Any]) -> list[View]:
    return [View(f"{doc['runs']:,} runs of {doc['tasks']:,} tasks ({doc['successful_tasks']:,} successful), repriced",
                 ("Offer", "Per run", "Per\nsuccessful\ntask", "Per task\nP50\nP95", "Total"),
                 [[o["offer"], money(o["per_run"]), money(o["per_successful_task"]), _p50_p95(o), money(o["total"])]
                  for o in doc["offers"]], ("Offer",))]


def reprice_notes(doc: dict[str, Any]) -> list[str]:
    notes = [f"Prices as of {doc['as_of']}, standard rates; token counts converted by the tokenizer ratios "
             f"({doc['content']})."]
    if doc["unpriced_models"]:
        notes.append("Models not in the price books count in o200k: " + ", ".join(doc["unpriced_models"]) + ".")
    return notes + [n for n in _common_notes(doc) if not n.startswith("No per-token offer")]


def _interval(iv: list[float] | None, fmt: Any) -> str:
    return "–" if iv is None else f"{fmt(iv[0])} to {fmt(iv[1])}"


def _markdown_cell(text: str) -> str:
    return escape(text.replace("\n", "; ") if "\n" in text else text)


def _signed_money(x: Any) -> str:
    value = Decimal(str(x))
    return ("−" if value < 0 else "+") + money(str(abs(value)))


def _signed_share(x: Any) -> str:
    value = Decimal(str(x))
    return ("−" if value < 0 else "+") + share(str(abs(value)))


def compare_views(doc: dict[str, Any]) -> list[View]:
    """One table per candidate against the baseline."""
    views = []
    for p in doc["pairs"]:
        cost, rate = p["cost_per_successful_task"], p["success_rate"]
        rows = [[f"baseline: {p['baseline']}", money(cost[0]), share(rate[0])],
                [f"candidate: {p['candidate']}", money(cost[1]), share(rate[1])],
                ["difference", "–" if p["cost_difference"] is None else _signed_money(p["cost_difference"]),
                 _signed_share(p["success_difference"])],
                ["95% paired bootstrap interval", _interval(p["cost_difference_95"], _signed_money),
                 _interval(p["success_difference_95"], _signed_share)]]
        views.append(View(f"{p['candidate']} against {p['baseline']} on {p['shared_tasks']:,} shared tasks",
                          ("", "Per successful task", "Success rate"), rows, ("",)))
    return views


def compare_notes(doc: dict[str, Any]) -> list[str]:
    return [f"{doc['resamples']:,} resamples of the shared tasks (seed {doc['seed']}); cost is as billed where every "
            "call of a task carries one, else at list price."] + _common_notes(doc)


# -- renderings -------------------------------------------------------------------------------------------------

def table(views: list[View], notes: list[str]) -> Any:
    """Each view as a Grid (text left, figures right; cells wrap at spaces and line breaks, never inside a word),
    then the notes."""
    from rich.console import Group
    from rich.text import Text

    from tco.report.grid import Column, Grid

    parts: list[Any] = [Grid([Column(c, right=c not in v.text) for c in v.columns], v.rows, title=v.title)
                        for v in views]
    parts += [Text(n) for n in notes]
    return Group(*parts)


def markdown(views: list[View], notes: list[str]) -> str:
    lines = []
    for v in views:
        lines += [f"### {escape(v.title)}", "", "| " + " | ".join(c.replace("\n", " ") for c in v.columns) + " |",
                  "|" + "|".join("---" if c in v.text else "---:" for c in v.columns) + "|"]
        lines += ["| " + " | ".join(_markdown_cell(cell) for cell in row) + " |" for row in v.rows]
        lines.append("")
    return "\n".join(lines + [escape(n) for n in notes]) + "\n"


def flat(item: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested keys joined with dots; lists joined with semicolons."""
    out: dict[str, Any] = {}
    for k, v in item.items():
        if isinstance(v, dict):
            out |= flat(v, f"{prefix}{k}.")
        else:
            out[f"{prefix}{k}"] = ";".join(str(x) for x in v) if isinstance(v, list) else v
    return out


def csv_rows(items: list[dict[str, Any]]) -> str:
    """One row per item, every field (money unrounded); text cells can never become formulas."""
    from tco.report import csv_report  # here, not at import: it loads the compare engine

    rows = [{k: cell_text(v) if isinstance(v, str) else v for k, v in flat(i).items()} for i in items]
    columns = list(dict.fromkeys(k for r in rows for k in r))
    return csv_report.table(columns, rows, ())


# -- the calibrated workload ------------------------------------------------------------------------------------

def _yaml(value: Any) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_yaml(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_yaml(v) for v in value) + "]"
    if isinstance(value, Decimal):
        return f"{value:f}"
    if isinstance(value, int):
        return str(value)
    return json.dumps(str(value), ensure_ascii=False)


def _line(indent: str, e: Entry) -> str:
    return f"{indent}{e.key}: {_yaml(e.value)}  # {e.comment}"


def calibrated_yaml(cal: Calibration, name: str, human: dict[str, Decimal]) -> str:
    """A workload file: every measured number with a comment naming its evidence."""
    ev = cal.evidence
    span = f", {ev['first_day']} to {ev['last_day']}" if ev["first_day"] else ""
    lines = [
        f"# Calibrated by `tco runs calibrate` from {ev['calls']:,} calls in {ev['runs']:,} runs of {ev['tasks']:,} tasks{span}.",
        f"workload: {_yaml(name)}",
        "period: month",
        _line("", cal.tasks),
        _line("", cal.tokenizer),
        "evidence:  # what these numbers were measured on",
        f"  files: {_yaml(ev['files'])}",
        *(f"  {k}: {ev[k]}" for k in ("calls", "runs", "tasks")),
        *(f"  {k}: {ev[k]}" for k in ("first_day", "last_day") if ev[k]),
        "task:  # one attempt at one task: one run",
        *(_line("  ", e) for e in cal.task),
        "human:  # not in the records: given on the command line",
        *(f"  {k}: {_yaml(v)}" for k, v in human.items()),
        "candidates:",
    ]
    for offer, rate, overrides in cal.candidates:
        lines += [f"  - offer: {offer}", _line("    ", rate)]
        if overrides:
            lines.append("    task:")
            lines += [_line("      ", e) for e in overrides]
    return "\n".join(lines) + "\n"
