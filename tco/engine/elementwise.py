"""Arithmetic that works alike on one exact value and on an array of simulated draws.

The engine is written once: every caller hands it Decimals, except the simulation, which hands it
`Draws` (tco.engine.draws) wherever a workload has a range. Plain operators work on both; the few
steps that branch or round go through these helpers, so a branch is taken per draw, not once.
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any


def exact(x: Any) -> bool:
    """True for one exact value, False for an array of draws."""
    return isinstance(x, (Decimal, int))


def possibly(condition: Any) -> bool:
    """Whether `condition` holds: for draws, whether it holds in any of them."""
    return condition if isinstance(condition, bool) else bool(condition.any())


def most(x: Any) -> Any:
    """The value, or the largest of the draws (for a message)."""
    return x if exact(x) else float(x.max())


def maximum(a: Any, b: Any) -> Any:
    if exact(a) and exact(b):
        return max(a, b)
    import numpy as np

    return np.maximum(a, b)


def minimum(a: Any, b: Any) -> Any:
    if exact(a) and exact(b):
        return min(a, b)
    import numpy as np

    return np.minimum(a, b)


FLOAT_SLACK = 1e-9
"""Relative slack of `ceil` on draws: a float that lands a hair above a whole number its exact Decimal value equals
(3.0000000000004 for 3) is not rounded up a whole unit, a seat or a provisioned unit more than the exact model bills."""


def ceil(x: Any) -> Any:
    """The next whole number up: an int for an exact value."""
    if exact(x):
        return math.ceil(x)
    import numpy as np

    return np.ceil(x - np.abs(x) * FLOAT_SLACK)


def where(condition: Any, a: Any, b: Any) -> Any:
    """`a` where `condition` holds, else `b`."""
    if isinstance(condition, bool):
        return a if condition else b
    from tco.engine.draws import draws

    return draws(condition, a, b)


def ratio(a: Any, b: Any) -> Any:
    """a / b, and 0 where b is 0."""
    if exact(b):
        return a / b if b else a * 0
    return where(b != 0, a / where(b != 0, b, Decimal(1)), Decimal(0))
