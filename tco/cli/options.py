"""Options shared by several commands."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from tco.errors import TcoError


class Format(StrEnum):
    table = "table"
    json = "json"
    markdown = "markdown"
    csv = "csv"


PricebooksOption = Annotated[
    Path | None,
    typer.Option("--pricebooks", help="Price-book directory to use instead of the bundled one.", show_default=False),
]
AsOfOption = Annotated[
    str | None,
    typer.Option("--as-of", help="Use, per vendor, the newest price book effective on or before this date (YYYY-MM-DD). Default: today.",
                 show_default=False),
]

SimulateOption = Annotated[
    int | None,
    typer.Option("--simulate", metavar="N", show_default=False,
                 help="Draw the workload's ranges N times (e.g. 10000) and report percentiles and the chance each candidate is cheapest."),
]
WideOption = Annotated[bool, typer.Option("--wide", help="Show every column, not only those that fit 80 columns; "
                                           "the table may be wider than the terminal (nothing is cut).")]
SeedOption = Annotated[int, typer.Option("--seed", min=0, help="Random seed for --simulate: the same seed gives the same figures.")]


def as_of_date(text: str | None) -> dt.date:
    if text is None:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise TcoError(f"--as-of: {text!r} is not a date; expected YYYY-MM-DD") from None


def check_format(value: Format, allowed: tuple[Format, ...]) -> None:
    if value not in allowed:
        raise TcoError(f"--format: {value.value!r} is not available here; expected one of {', '.join(f.value for f in allowed)}")
