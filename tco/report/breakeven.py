"""`tco breakeven`: the value of one input at which two candidates cost the same per completed task."""

from __future__ import annotations

from typing import Any

from rich.console import Group
from rich.text import Text

from tco.engine.breakeven import Breakeven
from tco.engine.compare import Comparison
from tco.errors import dotted
from tco.files.workloads import WorkloadFile
from tco.report import csv_report
from tco.report.document import heading, plain
from tco.report.grid import Column, Grid
from tco.report.markdown import escape
from tco.report.text import figure, money


def document(comparison: Comparison, source: WorkloadFile, found: Breakeven) -> dict[str, Any]:
    doc = {
        **heading(comparison, source),
        "a": found.a.candidate,
        "b": found.b.candidate,
        "input": found.key,
        "likely": plain(found.likely),
        "at_likely": {"a": plain(found.a.cost_per_completed_task), "b": plain(found.b.cost_per_completed_task)},
        "searched": {"from": plain(found.low), "to": plain(found.high)},
        "crossings": [{"value": plain(c.value), "a_cost": plain(c.a_cost), "b_cost": plain(c.b_cost),
                       "cheaper_below": c.cheaper_below, "cheaper_above": c.cheaper_above} for c in found.crossings],
        "cheaper_throughout": found.cheaper_throughout,
    }
    doc["label"] = label(found.path, comparison)
    return doc | {"text": statement(doc)}


def label(path: tuple, comparison: Comparison) -> str:
    """The varied input for reading: `tasks`, or `intercom/fin's success_rate` for a candidate's own."""
    if path[0] == "candidates":
        return f"{comparison.workload.candidates[path[1]].name}'s {dotted(path[2:])}"
    return dotted(path)


def _order(cheaper: str | None) -> str:
    return "the same" if cheaper is None else f"{cheaper} cheaper"


def _change(c: dict[str, Any], key: str) -> str:
    """One crossing in words."""
    above, below = c["cheaper_above"], c["cheaper_below"]
    at = f"{key} = {figure(c['value'])} (about {money(c['a_cost'])} per completed task each)"
    if above and below:
        return f"{above} becomes cheaper than {below} at {at}"
    if above:
        return f"{above} becomes cheaper at {at}; below it they cost the same"
    return f"from {at} they cost the same; below it {below} is cheaper"


def statement(doc: dict[str, Any]) -> str:
    """The answer in one paragraph."""
    a, b, key = doc["a"], doc["b"], doc["label"]
    costs = doc["at_likely"]
    span = f"{key} from {figure(doc['searched']['from'])} to {figure(doc['searched']['to'])}"
    now = f"At the workload's {figure(doc['likely'])}: {a} {money(costs['a'])}, {b} {money(costs['b'])}."
    if doc["crossings"]:
        return "; then ".join(_change(c, key) for c in doc["crossings"]) + f". Searched {span}. {now}"
    if doc["cheaper_throughout"] is None:
        return f"{a} and {b} cost the same per completed task for {span}. {now}"
    return f"{a} and {b} never cost the same per completed task for {span}: {doc['cheaper_throughout']} is cheaper throughout. {now}"


def _short(text: str | None, doc: dict[str, Any]) -> str | None:
    """A candidate's name as the table's column letter: A or B (offer ids are too long for a column each)."""
    return {doc["a"]: "A", doc["b"]: "B"}.get(text, text) if text else text


def _short_label(doc: dict[str, Any]) -> str:
    """The varied input with A or B for the candidate that owns it: `A's success_rate`."""
    for name, letter in ((doc["a"], "A"), (doc["b"], "B")):
        if doc["label"].startswith(f"{name}'s "):
            return letter + doc["label"][len(name):]
    return doc["label"]


def render_table(doc: dict[str, Any]) -> Group:
    """The crossings under A and B, a legend naming them, and the answer in words."""
    parts: list[Any] = []
    if doc["crossings"]:
        columns = [Column(_short_label(doc), right=True), Column("A", right=True), Column("B", right=True),
                   Column("Below"), Column("Above")]
        rows = [[figure(c["value"]), money(c["a_cost"]), money(c["b_cost"]), _order(_short(c["cheaper_below"], doc)),
                 _order(_short(c["cheaper_above"], doc))] for c in doc["crossings"]]
        parts += [Text(f"Break-even as {doc['label']} varies", style="bold"),
                  Text(f"A is {doc['a']}; B is {doc['b']}."), Grid(columns, rows)]
    return Group(*parts, Text(doc["text"]))


def render_markdown(doc: dict[str, Any]) -> str:
    lines = [f"### Break-even: {escape(doc['a'])} vs {escape(doc['b'])} as {escape(doc['label'])} varies", "", escape(doc["text"])]
    if doc["crossings"]:
        lines += ["", f"| {escape(doc['label'])} | {escape(doc['a'])} | {escape(doc['b'])} | Below | Above |",
                  "|---:|---:|---:|---|---|"]
        lines += [f"| {figure(c['value'])} | {money(c['a_cost'])} | {money(c['b_cost'])} | {escape(_order(c['cheaper_below']))} | "
                  f"{escape(_order(c['cheaper_above']))} |" for c in doc["crossings"]]
    return "\n".join(lines) + "\n"


COLUMNS = ("input", "value", "a", "a_cost", "b", "b_cost", "cheaper_below", "cheaper_above")


def render_csv(doc: dict[str, Any]) -> str:
    rows = [{**c, "input": doc["input"], "a": doc["a"], "b": doc["b"]} for c in doc["crossings"]]
    return csv_report.table(COLUMNS, rows, ("input", "a", "b", "cheaper_below", "cheaper_above"))
