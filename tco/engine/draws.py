"""Draws: the values one quantity takes across a simulation's joint draws, as a float array."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import numpy as np


def _plain(x: Any) -> Any:
    if isinstance(x, Decimal):
        return float(x)
    return x.view(np.ndarray) if isinstance(x, Draws) else x


class Draws(np.ndarray):
    """A float array that takes exact operands (Decimal prices and rates) as floats.

    So the engine's arithmetic, written for Decimals, runs unchanged on arrays of draws.
    """

    def __array_ufunc__(self, ufunc: Any, method: str, *inputs: Any, **kwargs: Any) -> Any:
        if "out" in kwargs:
            kwargs["out"] = tuple(_plain(o) for o in kwargs["out"])
        result = getattr(ufunc, method)(*(_plain(x) for x in inputs), **kwargs)
        return result.view(Draws) if isinstance(result, np.ndarray) else result


def draws(condition: Any, a: Any, b: Any) -> Draws:
    """numpy's `where` over draws, exact operands taken as floats."""
    return np.where(_plain(condition), _plain(a), _plain(b)).view(Draws)


def of(values: Any) -> Draws:
    return np.asarray(values, dtype=float).view(Draws)
