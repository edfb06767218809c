"""Numbers as people read them in tables and memos."""

from __future__ import annotations

from decimal import MAX_EMAX, MAX_PREC, MIN_EMIN, ROUND_HALF_UP, Context, Decimal
from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
WIDE = Context(prec=MAX_PREC, Emax=MAX_EMAX, Emin=MIN_EMIN)
"""For rounding a figure of any size to a number of places: the result needs as many digits as the figure has."""


def money(text: str | None) -> str:
    """'0.0765' → '$0.0765'; '1234.5' → '$1,234.50'. Sub-dollar amounts keep four significant places."""
    if text is None:
        return "–"
    value = Decimal(text)
    if value and abs(value) < 1:
        rounded = value.quantize(Decimal(1).scaleb(value.adjusted() - 3), ROUND_HALF_UP).normalize()
        return f"${rounded.quantize(Decimal('0.01')) if rounded.as_tuple().exponent > -2 else rounded:f}"
    return f"${value.quantize(Decimal('0.01'), ROUND_HALF_UP, WIDE):,}"


def share(text: str | None) -> str:
    return "never" if text is None else f"{Decimal(text) * 100:.2f}%"


def break_even(r: dict[str, Any]) -> str:
    """A result's break-even success rate against a person: '–' where no people's costs were given."""
    return "–" if r["human_baseline"] is None else share(r["break_even_success_rate"])


def cell_text(text: str) -> str:
    """Text for a spreadsheet cell that can never be read as a formula."""
    return "'" + text if text.startswith(FORMULA_START) else text


def figure(text: str | None) -> str:
    """An input's value for reading: grouped thousands, small numbers to four significant places."""
    if text is None:
        return "–"
    value = Decimal(text)
    if value and abs(value) < 1000:
        value = value.quantize(Decimal(1).scaleb(min(value.adjusted() - 3, 0)), ROUND_HALF_UP).normalize()
        return f"{value:,f}"
    return f"{value.quantize(Decimal('0.01'), ROUND_HALF_UP, WIDE).normalize(context=WIDE):,f}"


def simulated(r: dict[str, Any]) -> dict[str, str]:
    """A result's simulated figures as table cells."""
    sim = r["simulation"]
    cpct = sim["cost_per_completed_task"]
    ratio = r["risk"]["p95_over_p50"]
    return {"cpct_range": f"{money(cpct['p5'])}–{money(cpct['p95'])}", "cheapest": share(sim["probability_cheapest"]),
            "p95_over_p50": "–" if ratio is None else f"{Decimal(ratio):.2f}×"}


def simulation_note(doc: dict[str, Any]) -> str:
    sim = doc["simulation"]
    return (f"Simulated: {sim['draws']:,} draws of {len(doc['ranges'])} range(s), seed {sim['seed']}. P5–P95: the 5th "
            "to 95th percentile of cost per completed task; cheapest in: share of draws in which it is cheapest per "
            "completed task; P95 ÷ P50: a bad period's bill over a typical one.")


def ranges_note(doc: dict[str, Any]) -> str:
    return (f"{len(doc['ranges'])} input(s) are ranges, each taken at its likely value; run with --simulate N to see "
            "how far the figures can move, or `tco sensitivity` for which input matters most.")


def seconds(text: str | None) -> str:
    """'12.345' → '12.3 s'; None → '–'."""
    return "–" if text is None else f"{Decimal(text).quantize(Decimal('0.1'), ROUND_HALF_UP, WIDE):,} s"


def latency_note(doc: dict[str, Any]) -> str | None:
    """Each candidate's expected latency per task where a speed is known, and those over max_latency_seconds."""
    known = [r for r in doc["results"] if r.get("latency_seconds") is not None]
    if not known:
        return None
    text = "Latency per task: " + ", ".join(f"{r['candidate']} {seconds(r['latency_seconds'])}" for r in known) + "."
    slow = [r["candidate"] for r in known if r.get("misses_latency")]
    limit = doc["workload"].get("max_latency_seconds")
    if slow:
        text += f" Over the {figure(limit)} s limit: {', '.join(slow)}."
    elif limit is not None:
        text += f" All within the {figure(limit)} s limit."
    return text


def architecture_lines(doc: dict[str, Any]) -> list[str]:
    """One line per route or chain: its stages (with the share of tasks reaching each) or steps, and what each costs
    per task of the workload."""
    lines = []
    for r in doc["results"]:
        for kind, join in (("route", " → "), ("chain", " + ")):
            legs = r["breakdown"].get(kind)
            if legs:
                parts = [f"{leg['offer']} ({share(leg['reach_share'])} reach, {money(leg['per_task_cost'])})"
                         if kind == "route" else f"{leg['offer']} ({money(leg['per_task_cost'])})" for leg in legs]
                lines.append(f"{r['candidate']}: {kind} {join.join(parts)}")
    return lines
