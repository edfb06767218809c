"""The output contract: one JSON-ready object per comparison (DESIGN.md, Output contract)."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from tco import __version__
from tco.engine.compare import FIGURES, CandidateResult, Comparison, verdict
from tco.engine.inputs import Input
from tco.files.workloads import WorkloadFile
from tco.report.text import WIDE, money

if TYPE_CHECKING:
    from tco.engine.simulate import CandidateSpread, Simulation

SCHEMA_VERSION = 1
PLACES = Decimal("1e-10")


def number(value: Decimal) -> str:
    """A decimal as an exact string, rounded to 10 places, without trailing zeros, however large it is."""
    text = format(value.quantize(PLACES, context=WIDE).normalize(context=WIDE), "f")
    return "0" if text in ("-0", "") else text


def plain(value: Any) -> Any:
    """Decimals to strings, dataclasses and dicts to JSON-ready values."""
    if isinstance(value, Decimal):
        return number(value)
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if dataclasses.is_dataclass(value):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    return value


def result(r: CandidateResult, spread: CandidateSpread | None = None, break_even: bool = True) -> dict[str, Any]:
    """One candidate's figures; without `break_even`, the break-even success rate is left out (not solved)."""
    out = {
        "candidate": r.candidate,
        "offer": r.offer,
        "offers": list(r.offers),
        "scheme": r.scheme,
        "success_rate": plain(r.success_rate),
        "per_task_cost": plain(r.per_task_cost),
        "success_adjusted_cost": plain(r.success_adjusted_cost),
        "cost_per_completed_task": plain(r.cost_per_completed_task),
        "human_baseline": plain(r.human_baseline) if r.people else None,
        **({"break_even_success_rate": plain(r.break_even_success_rate)} if break_even else {}),
        "period_cost": plain(r.period_cost),
        "period_tco": plain(r.period_tco),
        "latency_seconds": plain(r.latency_seconds),
        "misses_latency": r.misses_latency,
        "waiting_cost": plain(r.waiting_cost),
        "risk": plain(r.risk),
        "breakdown": plain(r.breakdown),
        "pricebook": {"vendor": r.pricebook.vendor, "version": r.pricebook.version.isoformat()},
        "warnings": list(r.warnings),
    }
    if r.contract_cost is not None:
        out["contract_cost"] = plain(r.contract_cost)
    if spread is not None:
        out["simulation"] = {
            **{k: plain(getattr(spread, k)) for k in FIGURES},
            "probability_cheapest": plain(spread.probability_cheapest),
        }
        out["risk"] |= {"period_cost_p50": plain(spread.period_cost.p50), "period_cost_p95": plain(spread.period_cost.p95),
                        "p95_over_p50": plain(spread.p95_over_p50)}
    return out


def range_input(i: Input, comparison: Comparison, ends: tuple[Any, Any] | None = None) -> dict[str, Any]:
    """One range of the workload: where it is, what it is, and the values tco uses for it (`ends`: its low and high, if known)."""
    low, high = ends or i.range.low_high()
    return {
        "input": i.key,
        "candidate": None if i.candidate is None else comparison.workload.candidates[i.candidate].name,
        "distribution": i.range.describe(),
        "likely": plain(i.range.point()),
        "low": plain(low),
        "high": plain(high),
    }


def simulation(sim: Simulation) -> dict[str, Any]:
    return {
        "draws": sim.draws,
        "seed": sim.seed,
        "histogram": {"metric": "cost_per_completed_task", "edges": plain(sim.histogram.edges),
                      "counts": sim.histogram.counts},
    }


def verdict_text(comparison: Comparison) -> str:
    v = verdict(comparison)
    usd = lambda amount: money(str(amount))  # noqa: E731 - sub-dollar amounts keep four significant places
    best = v.best
    text = f"{best.candidate} is cheapest per completed task at {usd(best.cost_per_completed_task)}"
    if v.runner_up is not None and not v.margin:
        text = f"{best.candidate} and {v.runner_up.candidate} tie as cheapest per completed task at {usd(best.cost_per_completed_task)}"
    elif v.runner_up is not None:
        share = v.margin / v.runner_up.cost_per_completed_task * 100 if v.runner_up.cost_per_completed_task else 0
        text += f", {usd(v.margin)} ({share:.1f}%) below {v.runner_up.candidate}"
    if v.beats_human is None:
        text += "; no people's costs were given, so this compares vendors only."
    elif v.beats_human:
        saving = best.human_baseline - best.cost_per_completed_task
        text += f"; {usd(saving)} below a person doing the task by hand ({usd(best.human_baseline)})."
    else:
        text += f"; no candidate beats a person doing the task by hand ({usd(best.human_baseline)})."
    return text


def heading(comparison: Comparison, source: WorkloadFile) -> dict[str, Any]:
    """What every document starts with: versions, the date prices are taken at, and the workload."""
    w = comparison.workload
    return {
        "schema_version": SCHEMA_VERSION,
        "tco_version": __version__,
        "as_of": comparison.selection.as_of.isoformat(),
        "currency": "USD",
        "workload": {"name": w.workload, "file": source.file, "sha256": source.sha256,
                     "period": w.period, "tasks": plain(w.tasks),
                     **({"term_months": w.term_months} if w.term_months is not None else {}),
                     **({"max_latency_seconds": plain(w.max_latency_seconds)} if w.max_latency_seconds is not None else {})},
    }


def document(comparison: Comparison, source: WorkloadFile, sim: Simulation | None = None,
             break_even: bool = True) -> dict[str, Any]:
    """The comparison (and its simulation, if run) as the JSON object every output renders; without `break_even`,
    for a view that does not show it, the results leave the break-even success rate out."""
    v = verdict(comparison)
    return {
        **heading(comparison, source),
        "pricebooks": [
            {"vendor": b.vendor, "version": b.version.isoformat(), "file": b.file, "sha256": b.sha256}
            for b in comparison.pricebooks
        ],
        "verdict": {
            "text": verdict_text(comparison),
            "best": v.best.candidate,
            "runner_up": v.runner_up.candidate if v.runner_up else None,
            "margin_per_completed_task": plain(v.margin),
            "beats_human_baseline": v.beats_human,
        },
        "ranges": [range_input(i, comparison) for i in comparison.inputs],
        **({"simulation": simulation(sim)} if sim else {}),
        "results": [result(r, sim.candidates[r.candidate] if sim else None, break_even) for r in comparison.results],
    }
