"""Ranges: any number in a workload may be given as what is known about it instead of one figure.

- `{low, likely, high}`: a three-point estimate, drawn from a PERT distribution;
- `{mean, sd}`: a normal distribution, truncated to the field's valid values;
- `{successes, trials}` (shares and rates only): a pilot's result, drawn from the Beta posterior
  under a uniform prior, Beta(successes + 1, failures + 1);
- a list: observed values, resampled.

Without simulation a range counts as its `likely` value (the mean for the last three). Each range
also has a `low` and `high` for sensitivity: a PERT range's own, otherwise the 5th and 95th percentiles.
"""

import math
import statistics
import typing
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated, Any, ClassVar, Self

import annotated_types
from pydantic import ConfigDict, Discriminator, Field, RootModel, Tag, create_model, model_validator

from tco.models.base import Count, Positive, PositiveCount, Strict, at_most

LOW_Q, HIGH_Q = Decimal("0.05"), Decimal("0.95")
"""The percentiles a range's `low` and `high` stand at, where it does not state them."""


@dataclass(frozen=True)
class Bounds:
    """The values a field accepts: from `low` to `high`, each end open or closed."""

    low: Decimal | None = None
    low_open: bool = False
    high: Decimal | None = None
    high_open: bool = False

    @classmethod
    def of(cls, tp: Any) -> Self:
        """The bounds in a type's constraints (`Field(ge=…)` and the like)."""
        found: dict[str, Any] = {}
        for item in typing.get_args(tp)[1:] if typing.get_origin(tp) is Annotated else ():
            for c in getattr(item, "metadata", [item]):
                for kind in ("ge", "gt", "le", "lt"):
                    if isinstance(c, getattr(annotated_types, kind.capitalize())):
                        found[kind] = Decimal(getattr(c, kind))
        return cls(found.get("ge", found.get("gt")), "gt" in found, found.get("le", found.get("lt")), "lt" in found)

    def floats(self) -> tuple[float, float]:
        """The bounds as the closest floats inside them, for clipping draws."""
        low = -math.inf if self.low is None else float(self.low)
        high = math.inf if self.high is None else float(self.high)
        return (math.nextafter(low, math.inf) if self.low_open else low,
                math.nextafter(high, -math.inf) if self.high_open else high)


class Range:
    """What every kind of range offers the engine."""

    kind: ClassVar[str]
    bounds: ClassVar[Bounds]
    integer: ClassVar[bool]

    def point(self) -> Any:
        """The value used without simulation."""
        raise NotImplementedError

    def low_high(self) -> tuple[Any, Any]:
        """The ends a sensitivity analysis varies the input between."""
        raise NotImplementedError

    def _draw(self, rng: Any, n: int) -> Any:
        raise NotImplementedError

    def draw(self, rng: Any, n: int) -> Any:
        """`n` draws as floats (numpy `rng`), inside the field's bounds and whole where the field is."""
        import numpy as np

        values = self._draw(rng, n)
        if self.integer:
            values = np.rint(values)
        return np.clip(values, *self.bounds.floats())

    def describe(self) -> str:
        raise NotImplementedError

    def whole(self, value: Decimal) -> Any:
        return int(value.to_integral_value(ROUND_HALF_UP)) if self.integer else value


def _text(value: Any) -> str:
    return f"{value:,}" if isinstance(value, int) else f"{value:,f}"


GENERATED = ConfigDict({**Strict.model_config, "use_attribute_docstrings": False})  # type: ignore[typeddict-item]
"""For the range classes made per number type: their fields are described in code, not by docstrings."""


class _Pert(Strict, Range):
    model_config = GENERATED
    kind: ClassVar[str] = "pert"

    @model_validator(mode="after")
    def _ordered(self) -> Any:
        if not self.low <= self.likely <= self.high:  # type: ignore[attr-defined]
            raise ValueError("expected low ≤ likely ≤ high")
        if self.low == self.high:  # type: ignore[attr-defined]
            raise ValueError("low and high are equal; write the number itself")
        return self

    def point(self) -> Any:
        return self.likely  # type: ignore[attr-defined]

    def low_high(self) -> tuple[Any, Any]:
        return self.low, self.high  # type: ignore[attr-defined]

    def _draw(self, rng: Any, n: int) -> Any:
        low, mode, high = (float(v) for v in (self.low, self.likely, self.high))  # type: ignore[attr-defined]
        a = 1 + 4 * (mode - low) / (high - low)
        b = 1 + 4 * (high - mode) / (high - low)
        return low + (high - low) * rng.beta(a, b, n)

    def describe(self) -> str:
        return f"PERT {_text(self.low)} / {_text(self.likely)} / {_text(self.high)}"  # type: ignore[attr-defined]


class _Normal(Strict, Range):
    model_config = GENERATED
    kind: ClassVar[str] = "normal"

    def _dist(self) -> tuple[statistics.NormalDist, float, float]:
        """The normal, and the cumulative probability at each bound."""
        dist = statistics.NormalDist(float(self.mean), float(self.sd))  # type: ignore[attr-defined]
        low, high = self.bounds.floats()
        return dist, dist.cdf(low) if low > -math.inf else 0.0, dist.cdf(high) if high < math.inf else 1.0

    @model_validator(mode="after")
    def _mostly_valid(self) -> Any:
        _, lo, hi = self._dist()
        if hi - lo < 0.01:
            raise ValueError(f"less than 1% of this normal lies in the field's valid range ({100 * (hi - lo):.2g}%); "
                             "check mean and sd")
        return self

    def point(self) -> Any:
        return self.mean  # type: ignore[attr-defined]

    def low_high(self) -> tuple[Any, Any]:
        dist, lo, hi = self._dist()
        ends = (dist.inv_cdf(lo + float(q) * (hi - lo)) for q in (LOW_Q, HIGH_Q))
        return tuple(self.whole(Decimal(repr(x))) for x in ends)  # type: ignore[return-value]

    def _draw(self, rng: Any, n: int) -> Any:
        """Rejection sampling: redraw the values outside the bounds until none are."""
        import numpy as np

        mean, sd = float(self.mean), float(self.sd)  # type: ignore[attr-defined]
        low, high = self.bounds.floats()
        values = rng.normal(mean, sd, n)
        bad = np.flatnonzero((values < low) | (values > high))
        while bad.size:
            values[bad] = rng.normal(mean, sd, bad.size)
            bad = bad[(values[bad] < low) | (values[bad] > high)]
        return values

    def describe(self) -> str:
        return f"normal mean {_text(self.mean)}, sd {_text(self.sd)}"  # type: ignore[attr-defined]


class Pilot(Strict, Range):
    """A pilot's result: `successes` out of `trials`."""

    kind: ClassVar[str] = "pilot"
    bounds: ClassVar[Bounds] = Bounds(Decimal(0), True, Decimal(1), True)
    integer: ClassVar[bool] = False

    successes: Count
    """Tasks (or calls) that succeeded in the pilot."""
    trials: Annotated[PositiveCount, at_most(10**9, "trials in a pilot")]
    """Tasks (or calls) tried in the pilot."""

    @model_validator(mode="after")
    def _at_most_trials(self) -> Self:
        if self.successes > self.trials:
            raise ValueError(f"expected successes ≤ trials, found {self.successes} > {self.trials}")
        return self

    @property
    def ab(self) -> tuple[int, int]:
        """The posterior's Beta parameters under a uniform prior."""
        return self.successes + 1, self.trials - self.successes + 1

    def point(self) -> Decimal:
        a, b = self.ab
        return Decimal(a) / Decimal(a + b)

    def low_high(self) -> tuple[Decimal, Decimal]:
        a, b = self.ab
        return tuple(Decimal(repr(beta_quantile(a, b, float(q)))) for q in (LOW_Q, HIGH_Q))  # type: ignore[return-value]

    def _draw(self, rng: Any, n: int) -> Any:
        return rng.beta(*self.ab, n)

    def describe(self) -> str:
        return f"pilot {self.successes:,} of {self.trials:,}"


class _Observed(RootModel, Range):  # type: ignore[type-arg]
    model_config = ConfigDict(strict=True, frozen=True, use_attribute_docstrings=False, defer_build=True)
    kind: ClassVar[str] = "observed"

    def point(self) -> Any:
        values = self.root
        return self.whole(sum(values, Decimal(0)) / len(values))

    def low_high(self) -> tuple[Any, Any]:
        values = sorted(self.root)
        at = [max(math.ceil(q * len(values)) - 1, 0) for q in (LOW_Q, HIGH_Q)]  # inverted-CDF percentiles
        return values[at[0]], values[at[1]]

    def _draw(self, rng: Any, n: int) -> Any:
        import numpy as np

        return rng.choice(np.array([float(v) for v in self.root]), n)

    def describe(self) -> str:
        return f"{len(self.root):,} observed values"


def beta_quantile(a: int, b: int, q: float) -> float:
    """The q-quantile of Beta(a, b) for whole a and b.

    For whole parameters the Beta CDF is a binomial tail, I_x(a, b) = P(Binomial(a+b−1, x) ≥ a); bisection finds x.
    The tail is summed in log space over the terms within WINDOW standard deviations of the binomial's mean (the rest
    are below 1e-30 of it), so the work grows with the square root of the trials, not with the trials.
    """
    import numpy as np

    n = a + b - 1

    def cdf(x: float) -> float:
        mean, sd = n * x, math.sqrt(n * x * (1 - x))
        lo, hi = max(a, math.floor(mean - WINDOW * sd) - 40), min(n, math.ceil(mean + WINDOW * sd) + 40)
        if lo > hi:
            return 0.0 if a > mean else 1.0
        j = np.arange(lo, hi + 1, dtype=float)
        first = math.lgamma(n + 1) - math.lgamma(lo + 1) - math.lgamma(n - lo + 1)  # log C(n, lo)
        log_comb = first + np.concatenate(([0.0], np.cumsum(np.log((n - j[:-1]) / (j[:-1] + 1)))))
        return float(np.exp(log_comb + j * math.log(x) + (n - j) * math.log1p(-x)).sum())

    low, high = 0.0, 1.0
    for _ in range(60):
        mid = (low + high) / 2
        low, high = (mid, high) if cdf(mid) < q else (low, mid)
    return round((low + high) / 2, 12)


WINDOW = 12
"""Standard deviations of the binomial summed either side of its mean by `beta_quantile`."""


_RANGES: dict[str, Any] = {}


def _kinds(name: str, tp: Any) -> dict[str, Any]:
    """The range classes for one named number type, made once."""
    if name not in _RANGES:
        integer = typing.get_args(tp)[0] is int if typing.get_origin(tp) is Annotated else tp is int
        extra = {"bounds": Bounds.of(tp), "integer": integer}

        def make(base: type, suffix: str, doc: str, **fields: Any) -> type:
            model = create_model(f"{name}{suffix}", __base__=base, __doc__=doc, **fields)
            for key, value in extra.items():
                setattr(model, key, value)
            globals()[model.__name__] = model  # found by name, as pickle finds a class (tco.files.cache)
            return model

        _RANGES[name] = {
            "pert": make(_Pert, "Pert", "A three-point estimate, drawn from a PERT distribution.",
                         low=(tp, Field(description="The lowest plausible value.")),
                         likely=(tp, Field(description="The most likely value, used without simulation.")),
                         high=(tp, Field(description="The highest plausible value."))),
            "normal": make(_Normal, "Normal", "A normal distribution, truncated to the field's valid values.",
                           mean=(tp, Field(description="The mean, used without simulation.")),
                           sd=(Positive, Field(description="The standard deviation."))),
            "observed": make(_Observed, "Observed", "Observed values, resampled; their mean is used without simulation.",
                             root=(list[tp], Field(min_length=1))),  # type: ignore[valid-type]
        }
    return _RANGES[name]


FORMS = "a number, {low, likely, high}, {mean, sd}, or a list of observed values"


def uncertain(name: str, tp: Any, proportion: bool = False) -> Any:
    """The type `tp`, or any range of `tp` values; `proportion` also accepts a pilot's successes in trials."""
    kinds = _kinds(name, tp)
    keys = {"pert": {"low", "likely", "high"}, "normal": {"mean", "sd"}, "pilot": {"successes", "trials"} if proportion else set()}

    def kind(value: Any) -> str | None:
        if isinstance(value, Range):
            return value.kind
        if isinstance(value, list):
            return "observed"
        if isinstance(value, dict):
            return next((k for k, names in keys.items() if names & set(value)), None)
        return "number"

    forms = FORMS.replace(", or", ", {successes, trials}, or") if proportion else FORMS
    members = [Annotated[tp, Tag("number")], *(Annotated[cls, Tag(k)] for k, cls in kinds.items())]
    if proportion:
        members.append(Annotated[Pilot, Tag("pilot")])
    return Annotated[typing.Union[tuple(members)], Discriminator(kind, custom_error_type="range_form",  # noqa: UP007
                                                                  custom_error_message=f"expected {forms}")]
