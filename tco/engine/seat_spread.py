"""Use spread across seats: the expected overage of per-seat allowances when seats use unequal amounts.

A seat's monthly use X is taken as lognormal with the seats' mean use m and coefficient of variation c
(`seat_usage_cv`). With an allowance a per seat, the expected use past it is the closed form

    σ² = ln(1 + c²),  μ = ln m − σ²/2,  d1 = (μ + σ² − ln a) / σ,  d2 = d1 − σ,
    E[max(X − a, 0)] = m·Φ(d1) − a·Φ(d2)

(the Black–Scholes call on a lognormal). It is computed in Decimal for exact inputs (Φ from the series of erf, at
60 digits), and in floats with `math.erf` for simulated draws.
"""

from __future__ import annotations

import math
from decimal import Decimal, localcontext
from typing import Any

from tco.engine.elementwise import exact

DIGITS = 60
"""Working precision of Φ's series: its terms grow to e^(x²/2) before they shrink, so the sum needs digits to spare."""
TAIL = Decimal(12)
"""|x| past which Φ(x) is taken as 0 or 1: the rest is below 1e-32."""


def normal_cdf(x: Decimal) -> Decimal:
    """Φ(x), the standard normal distribution function, in Decimal: ½(1 + erf(x/√2)), erf from its Taylor series."""
    if x >= TAIL:
        return Decimal(1)
    if x <= -TAIL:
        return Decimal(0)
    with localcontext() as ctx:
        ctx.prec = DIGITS
        z = x / Decimal(2).sqrt()
        term, total, n = z, z, 0  # term_n = (−1)^n z^(2n+1) / n!; erf = 2/√π Σ term_n / (2n + 1)
        limit = Decimal(10) ** -(DIGITS - 5)
        while abs(term) > limit or n < 3:
            n += 1
            term = -term * z * z / n
            total += term / (2 * n + 1)
        pi = Decimal("3.14159265358979323846264338327950288419716939937510582097494459")
        erf = 2 * total / pi.sqrt()
        result = (1 + erf) / 2
    return +result  # back to the caller's precision


def expected_excess(mean: Any, allowance: Any, cv: Any) -> Any:
    """E[max(X − allowance, 0)] for X lognormal with `mean` and coefficient of variation `cv` (exact, or draws)."""
    if exact(mean) and exact(allowance) and exact(cv):
        return _exact(Decimal(mean), Decimal(allowance), Decimal(cv))
    return _draws(mean, allowance, cv)


def _exact(m: Decimal, a: Decimal, c: Decimal) -> Decimal:
    if m <= 0:
        return Decimal(0)
    if a <= 0:
        return m
    if c == 0:
        return max(m - a, Decimal(0))
    s2 = (1 + c * c).ln()
    s = s2.sqrt()
    d1 = (m.ln() + s2 / 2 - a.ln()) / s
    return m * normal_cdf(d1) - a * normal_cdf(d1 - s)


def _draws(mean: Any, allowance: Any, cv: Any) -> Any:
    import numpy as np

    from tco.engine.draws import of

    m, a, c = (np.asarray(v.view(np.ndarray) if hasattr(v, "view") else float(v), dtype=float)
               for v in (mean, allowance, cv))
    m, a, c = np.broadcast_arrays(m, a, c)
    phi = np.vectorize(lambda x: 0.5 * (1 + math.erf(x / math.sqrt(2))), otypes=[float])
    with np.errstate(all="ignore"):
        s2 = np.log1p(c * c)
        s = np.sqrt(s2)
        d1 = (np.log(np.where(m > 0, m, 1)) + s2 / 2 - np.log(np.where(a > 0, a, 1))) / np.where(s > 0, s, 1)
        spread = m * phi(d1) - a * phi(d1 - s)
    result = np.where(m <= 0, 0.0, np.where(a <= 0, m, np.where(c == 0, np.maximum(m - a, 0.0), spread)))
    return of(result)
