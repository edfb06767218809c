"""`tco history`: a workload's costs at every price-book change, as JSON, a table with line charts, Markdown and CSV."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from tco import __version__
from tco.engine.architecture import offer_label
from tco.engine.history import Entry, History
from tco.files.workloads import WorkloadFile
from tco.report import csv_report
from tco.report.document import SCHEMA_VERSION, plain
from tco.report.line_chart import line_chart
from tco.report.markdown import escape
from tco.report.text import figure, money

FIGURES = ("per_task_cost", "success_adjusted_cost", "cost_per_completed_task", "period_cost")
CHARTS = (("cost_per_completed_task", "Cost per completed task"), ("success_adjusted_cost", "Cost per task done by AI"))
CHART_WIDTH = 80
CHART_HEIGHT = 15


def _entry(e: Entry) -> dict[str, Any]:
    out: dict[str, Any] = {"candidate": e.candidate, "offer": e.offer, "status": "absent" if e.absent else "priced",
                           "changed": e.changed, "change": plain(e.change), "change_share": plain(e.change_share)}
    if e.absent:
        return out | {"reason": e.absent.reason, "message": e.absent.message}
    return out | {k: plain(e.figures[k]) for k in FIGURES} | {
        "pricebooks": [{"vendor": b.vendor, "version": b.version.isoformat()} for b in e.pricebooks]}


def document(h: History, source: WorkloadFile) -> dict[str, Any]:
    """The history as one JSON-ready object: each point's date, the books that changed then, and every candidate."""
    w = h.workload
    return {
        "schema_version": SCHEMA_VERSION,
        "tco_version": __version__,
        "currency": "USD",
        "workload": {"name": w.workload, "file": source.file, "sha256": source.sha256, "period": w.period,
                     "tasks": plain(w.tasks)},
        "from": h.start.isoformat(),
        "to": h.end.isoformat(),
        "candidates": [{"candidate": c.name, "offer": offer_label(c)} for c in w.candidates],
        "points": [
            {"date": p.date.isoformat(),
             "changed": [{"vendor": b.vendor, "version": b.version.isoformat(), "file": b.file, "sha256": b.sha256}
                         for b in p.changed],
             "results": [_entry(e) for e in p.entries]}
            for p in h.points
        ],
    }


def _changed(point: dict[str, Any]) -> str:
    books = ", ".join(f"{b['vendor']} {b['version']}" for b in point["changed"])
    return f"{point['date']}: {books} in force" if books else point["date"]


def _change(r: dict[str, Any]) -> str:
    """What happened to a candidate at a point: its cost's move, its arrival, or why it is absent."""
    if r["status"] == "absent":
        return r["message"]
    if r["change"] is None:
        return "new"
    moved = Decimal(r["change"])
    if not moved:
        return "no change"
    share = f" ({Decimal(r['change_share']) * 100:+.1f}%)" if r["change_share"] is not None else ""
    return f"{'+' if moved > 0 else '-'}{money(str(abs(moved)))}{share}"


def _moved(point: dict[str, Any]) -> list[dict[str, Any]]:
    """A point's rows for the tables: what changed. A new book that leaves a cost where it was is no row (the
    JSON and CSV keep every candidate at every point)."""
    return [r for r in point["results"] if r["changed"] and _change(r) != "no change"]


def _left_out(doc: dict[str, Any]) -> str | None:
    quiet = sum(not _moved(p) for p in doc["points"])
    if not quiet:
        return None
    dates = "1 date" if quiet == 1 else f"{quiet} dates"
    return f"Left out: {dates} on which a price book changed but no cost moved (--format json lists every point)."


def _money(r: dict[str, Any], key: str) -> str:
    return money(r[key]) if r["status"] == "priced" else "absent"


def charts(doc: dict[str, Any], width: int = CHART_WIDTH) -> list[str]:
    """Both line charts, one after the other, as lines of plain text."""
    labels = [p["date"] for p in doc["points"]]
    lines: list[str] = []
    for key, title in CHARTS:
        series = [(c["candidate"], [None if r["status"] == "absent" else Decimal(r[key])
                                    for r in (p["results"][i] for p in doc["points"])])
                  for i, c in enumerate(doc["candidates"])]
        lines += [*line_chart(title, labels, series, lambda v: money(str(v)), width, CHART_HEIGHT), ""]
    return lines[:-1]


def _heading(doc: dict[str, Any]) -> str:
    w = doc["workload"]
    return (f"{w['name']} — {figure(w['tasks'])} tasks per {w['period']}: costs at each price-book change from "
            f"{doc['from']} to {doc['to']}")


def render_table(doc: dict[str, Any]) -> Any:
    from rich.console import Console, ConsoleOptions, Group, RenderResult
    from rich.text import Text

    class Charts:
        """The charts at the console's width, up to 80 columns."""

        def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
            for line in charts(doc, min(options.max_width, CHART_WIDTH)):
                yield Text(line, no_wrap=True)

    from tco.report.grid import Column, Grid

    columns = [Column("Date / candidate"), Column("Per task completed", right=True),
               Column("Per task done by AI", right=True), Column("Change")]
    rows: list[list[Any]] = []
    for p in doc["points"]:
        if moved := _moved(p):
            rows += [["", "", "", ""]] * bool(rows) + [[Text(_changed(p), style="bold"), "", "", ""]]
            rows += [[r["candidate"], _money(r, "cost_per_completed_task"), _money(r, "success_adjusted_cost"),
                      _change(r)] for r in moved]
    table = Grid(columns, rows, title=_heading(doc))
    if not doc["points"]:
        return Text(f"{_heading(doc)}: no candidate is priced in that time.")
    note = _left_out(doc)
    return Group(table, *([Text(note)] if note else []), Text(""), Charts())


def render_markdown(doc: dict[str, Any]) -> str:
    lines = [f"### tco history: {escape(doc['workload']['name'])}", "",
             f"Costs at each price-book change from {doc['from']} to {doc['to']}; USD.", "",
             "| Date | Candidate | Per task completed | Per task done by AI | Change per completed task |",
             "|---|---|---:|---:|---|"]
    for p in doc["points"]:
        for r in _moved(p):
            lines.append(f"| {p['date']} | {escape(r['candidate'])} | {_money(r, 'cost_per_completed_task')} | "
                         f"{_money(r, 'success_adjusted_cost')} | {escape(_change(r))} |")
    if note := _left_out(doc):
        lines += ["", note]
    if doc["points"]:
        lines += ["", "```", *charts(doc), "```"]
    return "\n".join(lines) + "\n"


def render_csv(doc: dict[str, Any]) -> str:
    columns = ("date", "candidate", "offer", "status", *FIGURES, "change", "change_share", "pricebooks", "reason")
    rows = [{**r, "date": p["date"], "pricebooks": " ".join(f"{b['vendor']}/{b['version']}" for b in r.get("pricebooks", []))}
            for p in doc["points"] for r in p["results"]]
    return csv_report.table(columns, rows, ("candidate", "offer"))
