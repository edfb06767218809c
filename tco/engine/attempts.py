"""Attempts until success or hand-off: expected attempts E and task success S (DESIGN.md step 3)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal


def task_success(s: Decimal, max_attempts: int) -> Decimal:
    """S = 1 − (1−s)^T: the chance the AI completes the task within T attempts."""
    return 1 - (1 - s) ** max_attempts


def expected_attempts(s: Decimal, max_attempts: int) -> Decimal:
    """E = (1 − (1−s)^T) / s: attempts made on average, stopping at the first success or after T."""
    return task_success(s, max_attempts) / s


def reach(rates: Sequence[Decimal]) -> list[Decimal]:
    """P(attempt k is made) for attempts with success rates `rates` given the earlier failed: Π_{j<k}(1 − s_j).
    Their sum is the expected attempts E; one more entry (after a rate of 0) is the chance all fail, 1 − S."""
    out, p = [], Decimal(1)
    for s in rates:
        out.append(p)
        p = p * (1 - s)
    return out
