"""A price-book diff as one JSON-ready object, and its table and Markdown (pull-request comment) renderings."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from tco import __version__
from tco.engine.compare import CandidateResult
from tco.engine.pricebook_diff import CandidateEffect, FieldChange, PricebookDiff
from tco.report.document import number
from tco.report.text import money

SCHEMA_VERSION = 1
LONG_TEXT = ("notes",)
"""Fields shown only as 'changed' in tables: their text is too long for a cell."""
NUMBER = re.compile(r"[-+]?\d+(\.\d+)?")
"""A rate or ratio as the document writes it (a decimal string): right-aligned in tables."""


def _value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return number(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _percent(value: Decimal | None) -> str | None:
    return None if value is None else number(value.quantize(Decimal("0.01")))


def _change(c: FieldChange) -> dict[str, Any]:
    return {"subject": c.subject, "field": c.field, "old": _value(c.old), "new": _value(c.new),
            "change_percent": _percent(c.percent)}


def _costs(r: CandidateResult | None) -> dict[str, str] | None:
    return None if r is None else {"per_task_cost": number(r.per_task_cost),
                                   "cost_per_completed_task": number(r.cost_per_completed_task)}


def _delta(effect: CandidateEffect) -> dict[str, str | None] | None:
    if effect.before is None or effect.after is None:
        return None
    delta: dict[str, str | None] = {}
    for key in ("per_task_cost", "cost_per_completed_task"):
        old, new = getattr(effect.before, key), getattr(effect.after, key)
        delta[key] = number(new - old)
        delta[f"{key}_percent"] = _percent((new - old) / old * 100) if old else None
    return delta


def document(diff: PricebookDiff) -> dict[str, Any]:
    """The diff as the JSON object every rendering is made from. Money and rates are decimal strings."""
    return {
        "schema_version": SCHEMA_VERSION,
        "tco_version": __version__,
        "base": diff.base,
        "head": diff.head,
        "compared": "the newest version of each vendor on each side",
        "ok": not diff.violations,
        "violations": [{"file": v.file, "kind": v.kind, "message": v.message} for v in diff.violations],
        "versions": [{"vendor": v.vendor, "base": _value(v.base), "head": _value(v.head)} for v in diff.versions],
        "added": [{"offer": r.id, "scheme": r.offer.scheme, "name": r.offer.name, "version": r.source.version.isoformat()}
                  for r in diff.added],
        "removed": [{"offer": r.id, "scheme": r.offer.scheme, "name": r.offer.name,
                     "version": r.source.version.isoformat()} for r in diff.removed],
        "rates": [_change(c) for c in diff.rate_changes],
        "fields": [_change(c) for c in diff.other_changes],
        "tokenizers": [_change(c) for c in diff.tokenizer_changes],
        "workloads": [
            {"name": w.name, "file": w.file, "changed": w.changed, "candidates": [
                {"candidate": c.candidate, "offer": c.offer, "changed": c.changed,
                 "before": _costs(c.before), "after": _costs(c.after), "change": _delta(c),
                 "error_before": c.error_before, "error_after": c.error_after}
                for c in w.candidates]}
            for w in diff.workloads
        ],
    }


# --- shared text ---------------------------------------------------------------------------------------------


def _rate(text: str | None) -> str:
    return "–" if text is None else text


def signed_percent(text: str | None) -> str:
    if text is None:
        return ""
    value = Decimal(text)
    return f"{'+' if value > 0 else '−' if value < 0 else '±'}{abs(value):.2f}%"


def rate_change(c: dict[str, Any]) -> str:
    """The Change cell of a rate: a signed percentage, or whether the rate appeared or went."""
    if c["old"] is None:
        return "new"
    if c["new"] is None:
        return "dropped"
    return signed_percent(c["change_percent"])


def _shown(field: str, text: Any) -> str:
    if text is None:
        return "–"
    if field.rsplit(".", 1)[-1] in LONG_TEXT:
        return "(text)"
    return str(text)


def summary(doc: dict[str, Any]) -> str:
    counts = [(len(doc["rates"]), "rate changed", "rates changed"), (len(doc["added"]), "offer added", "offers added"),
              (len(doc["removed"]), "offer removed", "offers removed"),
              (len(doc["tokenizers"]), "tokenizer field changed", "tokenizer fields changed")]
    parts = [f"{n} {one if n == 1 else many}" for n, one, many in counts if n]
    return ", ".join(parts) + "." if parts else "No offer, rate or tokenizer changed."


def _cost_cells(c: dict[str, Any], key: str) -> list[str]:
    before = money(c["before"][key]) if c["before"] else "–"
    after = money(c["after"][key]) if c["after"] else "–"
    change = c["change"]
    if change is None:
        delta = "removed" if c["after"] is None and c["before"] else "new" if c["before"] is None and c["after"] else ""
    elif Decimal(change[key]) == 0:
        delta = ""
    else:
        delta = f"{'+' if Decimal(change[key]) > 0 else '−'}{money(str(abs(Decimal(change[key]))))}"
        if change[f"{key}_percent"] is not None:
            delta += f" ({signed_percent(change[f'{key}_percent'])})"
    return [before, after, delta]


def _errors(c: dict[str, Any]) -> list[str]:
    notes = []
    if c["error_before"] and c["error_before"] != c["error_after"]:
        notes.append(f"before: {c['error_before']}")
    if c["error_after"]:
        notes.append(f"after: {c['error_after']}")
    return notes


# --- Markdown ------------------------------------------------------------------------------------------------


def _md(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def markdown(doc: dict[str, Any]) -> str:
    """The diff as Markdown, fit to post as a pull-request comment."""
    lines = [f"### tco price-book diff: `{_md(doc['base'])}` → `{_md(doc['head'])}`", ""]
    if doc["violations"]:
        lines += ["**Refused: published price-book versions changed.** A price change is a new file "
                  "`pricebooks/<vendor>/<effective-date>.yaml`, never an edit (see CONTRIBUTING.md).", ""]
        lines += [f"- `{_md(v['file'])}` ({v['kind']}): {_md(v['message'])}" for v in doc["violations"]]
        lines.append("")
    lines += [f"{summary(doc)} Comparing {doc['compared']}.", ""]
    if doc["versions"]:
        lines.append("Versions: " + "; ".join(
            f"{v['vendor']} {v['base'] or '(none)'} → {v['head'] or '(none)'}" for v in doc["versions"]) + ".")
        lines.append("")
    for key, title in (("added", "Offers added"), ("removed", "Offers removed")):
        if doc[key]:
            lines += [f"#### {title}", "", "| Offer | Scheme | Name | Version |", "|---|---|---|---|"]
            lines += [f"| `{o['offer']}` | {o['scheme']} | {_md(o['name'])} | {o['version']} |" for o in doc[key]]
            lines.append("")
    for key, title, head in (("rates", "Rates changed", "Offer"), ("tokenizers", "Tokenizer ratios changed", "Tokenizer")):
        if doc[key]:
            lines += [f"#### {title}", "", f"| {head} | Field | Old | New | Change |", "|---|---|---:|---:|---:|"]
            lines += [f"| `{c['subject']}` | `{c['field']}` | {_rate(c['old'])} | {_rate(c['new'])} | "
                      f"{rate_change(c)} |" for c in doc[key]]
            lines.append("")
    if doc["fields"]:
        lines += ["#### Other fields changed", "", "| Offer | Field | Old | New |", "|---|---|---|---|"]
        lines += [f"| `{c['subject']}` | `{c['field']}` | {_md(_shown(c['field'], c['old']))} | "
                  f"{_md(_shown(c['field'], c['new']))} |" for c in doc["fields"]]
        lines.append("")
    if doc["workloads"]:
        lines += ["#### Effect on workloads", ""]
    for w in doc["workloads"]:
        lines.append(f"**{_md(w['name'])}** (`{_md(w['file'])}`)" + ("" if w["changed"] else ": no candidate's cost changed."))
        lines.append("")
        if not w["changed"]:
            continue
        lines += ["| Candidate | Per task, before | after | change | Per completed task, before | after | change |",
                  "|---|---:|---:|---:|---:|---:|---:|"]
        notes = []
        for c in w["candidates"]:
            cells = [f"{_md(c['candidate'])}", *_cost_cells(c, "per_task_cost"), *_cost_cells(c, "cost_per_completed_task")]
            lines.append("| " + " | ".join(cells) + " |")
            notes += [f"- {_md(c['candidate'])}: {_md(n)}" for n in _errors(c)]
        lines += ["", *notes, ""] if notes else [""]
    return "\n".join(lines).rstrip("\n") + "\n"


# --- terminal table ------------------------------------------------------------------------------------------


def _aligned(text: str | None) -> Any:
    """An Old or New cell: a number stays right-aligned with its column, text (notes, a URL, a date) reads from
    the left."""
    from rich.text import Text

    if not isinstance(text, str) or NUMBER.fullmatch(text):
        return _rate(text)
    return Text(text, justify="left")


def _by_subject(changes: list[dict[str, Any]]) -> list[list[Any]]:
    """Rows of rate changes, each subject (offer or tokenizer) on a row of its own above its fields, so a long id
    and a long field share one column."""
    from rich.text import Text

    rows: list[list[Any]] = []
    subject = None
    for c in changes:
        if c["subject"] != subject:
            subject = c["subject"]
            rows.append([Text(subject, style="bold"), "", "", ""])
        rows.append(["  " + c["field"], _aligned(c["old"]), _aligned(c["new"]), rate_change(c)])
    return rows


def _span(c: dict[str, Any], key: str) -> list[str]:
    """A figure before → after, and its change: wraps between the two amounts, never inside one."""
    before, after, delta = _cost_cells(c, key)
    return [f"{before} → {after}" if before != after else after, delta]


def table(doc: dict[str, Any]) -> Any:
    """The diff as rich renderables for the terminal: offer ids, fields, rates and URLs are never cut."""
    from rich.console import Group
    from rich.text import Text

    from tco.report.grid import Column, Grid

    parts: list[Any] = [Text(f"Price-book diff: {doc['base']} → {doc['head']} ({doc['compared']})", style="bold")]
    for v in doc["violations"]:
        parts.append(Text(f"refused: {v['file']}: {v['message']}", style="bold red"))
    parts.append(Text(summary(doc)))
    if doc["versions"]:
        parts.append(Text("Versions: " + "; ".join(
            f"{v['vendor']} {v['base'] or '(none)'} → {v['head'] or '(none)'}" for v in doc["versions"])))
    for key, title in (("added", "Offers added"), ("removed", "Offers removed")):
        if doc[key]:
            parts.append(Grid([Column("Offer"), Column("Scheme"), Column("Name"), Column("Version")],
                              ([o["offer"], o["scheme"], o["name"], o["version"]] for o in doc[key]), title=title))
    for key, title, head in (("rates", "Rates changed", "Offer"), ("tokenizers", "Tokenizer ratios changed", "Tokenizer")):
        if doc[key]:
            parts.append(Grid([Column(f"{head} and field"), Column("Old", right=True), Column("New", right=True),
                               Column("Change", right=True)], _by_subject(doc[key]), title=title))
    if doc["fields"]:
        parts.append(Text("Other fields changed", style="bold"))
        for c in doc["fields"]:
            parts.append(Text(f"{c['subject']}  {c['field']}"))
            for word, key in (("was", "old"), ("now", "new")):  # a long value (a URL) runs past the width, whole
                parts.append(Text(f"  {word}  {_shown(c['field'], c[key])}", no_wrap=True, overflow="ignore"))
    for w in doc["workloads"]:
        if not w["changed"]:
            parts.append(Text(f"{w['name']} ({w['file']}): no candidate's cost changed."))
            continue
        rows = [[c["candidate"], *_span(c, "per_task_cost"), *_span(c, "cost_per_completed_task")] for c in w["candidates"]]
        parts.append(Grid([Column("Candidate"), Column("Per task", right=True), Column("change", right=True),
                           Column("Per completed task", right=True), Column("change", right=True)], rows,
                          title=f"Effect on {w['name']} ({w['file']})"))
        parts += [Text(f"{c['candidate']}: {n}", style="yellow") for c in w["candidates"] for n in _errors(c)]
    return Group(*parts)


# --- tco pricebook import ------------------------------------------------------------------------------------


def import_document(result: Any, pricebooks: str, drafts: dict[str, str]) -> dict[str, Any]:
    """An import run (tco.files.genai_prices_import.ImportResult) as JSON-ready data; `drafts` is vendor → file."""
    return {
        "source": result.source,
        "pricebooks": pricebooks,
        "as_of": result.as_of.isoformat(),
        "version": result.version.isoformat(),
        "matched": sum(m.model is not None for m in result.matches),
        "offers": len(result.matches),
        "matches": [{"offer": m.offer, "model": m.model, "matched_by": m.matched_by, "time_of_day": m.time_of_day,
                     "since": _value(m.since)} for m in result.matches],
        "differences": [{"offer": d.offer, "field": d.field, "ours": _value(d.ours), "theirs": _value(d.theirs),
                         "model": d.model, "drafted": d.drafted, "note": d.note} for d in result.differences],
        "new_offers": [{"offer": n.offer, "model": n.model, "drafted": n.drafted, "note": n.note} for n in result.new_offers],
        "drafts": [{"vendor": v, "file": f, "based_on": result.based_on[v].version.isoformat()} for v, f in drafts.items()],
        "written": [str(p) for p in result.written],
    }


def import_table(doc: dict[str, Any]) -> Any:
    """An import run for the terminal: every rate that differs, and what was drafted."""
    from rich.console import Group
    from rich.text import Text

    from tco.report.grid import Column, Grid

    parts: list[Any] = [Text(f"{doc['source']} compared with {doc['pricebooks']} (prices as of {doc['as_of']}): "
                             f"{doc['matched']} of {doc['offers']} per-token offers matched a model.", style="bold")]
    since = {m["offer"]: m for m in doc["matches"]}
    if doc["differences"]:
        rows = []
        for d in doc["differences"]:
            m = since[d["offer"]]
            model = d["model"] + (f" ({m['since']})" if m["since"] else "") + (" peak" if m["time_of_day"] else "")
            rows.append([d["offer"], d["field"], _rate(d["ours"]), _rate(d["theirs"]), model,
                         ("yes" if d["drafted"] else "no") + (f": {d['note']}" if d["note"] else "")])
        parts.append(Grid([Column("Offer"), Column("Field"), Column("Ours", right=True), Column(SOURCE_LABEL, right=True),
                           Column("Model (since)"), Column("Drafted")], rows))
    else:
        parts.append(Text("No rate differs."))
    new = [n for n in doc.get("new_offers", []) if n["drafted"]]
    if new:
        parts.append(Text(f"New offers drafted ({len(new)}): " + ", ".join(f"{n['offer']} ({n['note']})" for n in new)))
    skipped = [n for n in doc.get("new_offers", []) if not n["drafted"]]
    if skipped:
        parts.append(Text(f"Models not drafted ({len(skipped)}): " + "; ".join(f"{n['model']}: {n['note']}" for n in skipped),
                          style="yellow"))
    missing = [m["offer"] for m in doc["matches"] if m["model"] is None]
    if missing:
        parts.append(Text("No genai-prices model for: " + ", ".join(missing), style="yellow"))
    for m in doc["matches"]:
        if m["time_of_day"]:
            parts.append(Text(f"{m['offer']}: genai-prices prices {m['model']} by time of day; its peak rates were compared."))
    for path in doc["written"]:
        parts.append(Text(f"wrote {path}"))
    if doc["drafts"] and not doc["written"]:
        parts.append(Text("dry run: would write " + ", ".join(d["file"] for d in doc["drafts"])))
    return Group(*parts)


SOURCE_LABEL = "genai-prices"
