"""The strict base model and the named types every tco model is built from."""

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, HttpUrl, field_validator

from tco.errors import describe

LARGEST = 10**15
"""No number in a file may be larger than this (in size): tco's arithmetic is exact up to far beyond it."""
SMALLEST = Decimal("1e-12")
"""Nor smaller than this, except 0: a share or price that small is a typing mistake, and dividing by it overflows."""


def _in_range(value: Any) -> Any:
    """The limit every number in every file is held to (checked before the field's type, so a number of thousands
    of digits is called too large, not something else)."""
    if not isinstance(value, (int, Decimal)) or isinstance(value, bool) or isinstance(value, Decimal) and not value.is_finite():
        return value
    if value and abs(value) > LARGEST:
        raise ValueError(f"{describe(value)} is too large: numbers in tco files are at most 1e15 (1,000,000,000,000,000)")
    if value and abs(value) < SMALLEST:
        raise ValueError(f"{describe(value)} is too small: numbers in tco files are 0 or at least 1e-12 in size")
    return value


def at_most(limit: int, what: str) -> AfterValidator:
    """A documented limit on one kind of field (the README lists them); `what` names it in the error."""

    def check(value: Any) -> Any:
        if value > limit:
            raise ValueError(f"expected at most {limit:,} ({what}), found {describe(value)}")
        return value

    return AfterValidator(check)


def _exact(value: Any) -> Any:
    """YAML integers are exact too: accept them where a decimal is expected (but never a bool)."""
    value = _in_range(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value)
    return value


class Strict(BaseModel):
    """Strict: unknown fields are errors, nothing is coerced from text, models are immutable."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True, defer_build=True)
    # Field docstrings describe fields; tco.models.docs reads them when asked (not pydantic at import: ~0.05 s).


Number = Annotated[Decimal, BeforeValidator(_exact), Field(allow_inf_nan=False)]
Money = Annotated[Number, Field(ge=0)]
"""USD, exact, never negative."""
Share = Annotated[Number, Field(ge=0, le=1)]
"""A fraction between 0 and 1."""
Probability = Annotated[Number, Field(gt=0, le=1)]
"""A chance in (0, 1]; 0 would make the cost of a completed task infinite."""
Positive = Annotated[Number, Field(gt=0)]
Count = Annotated[int, Field(ge=0), BeforeValidator(_in_range)]
PositiveCount = Annotated[int, Field(ge=1), BeforeValidator(_in_range)]
Date = dt.date


def _plausible_mtok(value: Decimal) -> Decimal:
    if value and value < Decimal("0.0001"):
        raise ValueError(
            f"{value} USD per million tokens is implausibly low; fields ending _mtok are per MILLION tokens "
            f"(a per-token price of {value} is {(value * 1_000_000).normalize():f} per million)"
        )
    if value > Decimal("10000"):
        raise ValueError(f"{value} USD per million tokens is implausibly high; fields ending _mtok are per million")
    return value


MtokRate = Annotated[Money, AfterValidator(_plausible_mtok)]
"""USD per million tokens, checked to be plausible for that unit."""


class Sourced(Strict):
    """Where a figure comes from: every offer and tokenizer carries this."""

    source_urls: list[HttpUrl] = Field(min_length=1)
    """The pages the figures were checked against, the vendor's own first."""
    retrieved: Date
    """The date the figures were checked against the sources."""
    notes: str = ""
    """What the source says that matters: its own date, caveats, conflicts."""

    @field_validator("retrieved")
    @classmethod
    def _not_in_the_future(cls, value: dt.date) -> dt.date:
        latest = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=1)  # somewhere on Earth it is already that day
        if value > latest:
            raise ValueError(f"{value} is in the future (today is {latest - dt.timedelta(days=1)} UTC); give the date the "
                             "sources were actually read")
        return value
