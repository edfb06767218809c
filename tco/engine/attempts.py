"""Attempts until success or hand-off: expected attempts E and task success S (DESIGN.md step 3)."""

from __future__ import annotations

from decimal import Decimal


def task_success(s: Decimal, max_attempts: int) -> Decimal:
    """S = 1 − (1−s)^T: the chance the AI completes the task within T attempts."""
    return 1 - (1 - s) ** max_attempts


def expected_attempts(s: Decimal, max_attempts: int) -> Decimal:
    """E = (1 − (1−s)^T) / s: attempts made on average, stopping at the first success or after T."""
    return task_success(s, max_attempts) / s
