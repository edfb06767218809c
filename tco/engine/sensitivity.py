"""Sensitivity: how far each range moves one candidate's cost per completed task (a tornado)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from tco.engine.architecture import plan
from tco.engine.compare import CandidateResult, Comparison, figures
from tco.engine.inputs import Input, with_values


@dataclass(frozen=True)
class Bar:
    """One input from its low to its high end, the others at their likely values."""

    input: Input
    low: Any
    high: Any
    at_low: Decimal
    at_high: Decimal

    @property
    def swing(self) -> Decimal:
        return abs(self.at_high - self.at_low)


@dataclass(frozen=True)
class Tornado:
    candidate: CandidateResult
    bars: list[Bar]
    """Widest swing first."""

    @property
    def base(self) -> Decimal:
        """Cost per completed task with every input at its likely value."""
        return self.candidate.cost_per_completed_task


def cost_at(comparison: Comparison, index: int, values: dict) -> Decimal:
    """One candidate's cost per completed task with some inputs set to other values."""
    workload = with_values(comparison.workload, values)
    return figures(plan(workload, index, comparison.selection))["cost_per_completed_task"]


def tornado(comparison: Comparison, candidate: CandidateResult) -> Tornado:
    """Each of the workload's ranges that applies to `candidate`, from low to high, widest swing first."""
    bars = []
    for i in comparison.inputs:
        if i.applies_to(candidate.index):
            low, high = i.range.low_high()
            bars.append(Bar(i, low, high, cost_at(comparison, candidate.index, {i.path: low}),
                            cost_at(comparison, candidate.index, {i.path: high})))
    return Tornado(candidate, sorted(bars, key=lambda b: -b.swing))
