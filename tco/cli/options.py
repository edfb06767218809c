"""Options shared by several commands."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from tco.errors import TcoError, nearest


class Format(StrEnum):
    table = "table"
    json = "json"
    markdown = "markdown"
    csv = "csv"


WORKBOOK_FORMATS = ("xlsx", "xls", "excel", "ods")


def format_option(*formats: Format, help: str = "Output format.") -> Any:
    """A `--format` option taking exactly `formats`, named so in --help; a workbook format points to `tco export`."""
    names = [f.value for f in formats]

    def parse(text: str) -> Format:
        if text in names:
            return Format(text)
        hint = ("; a workbook is written by `tco export WORKLOAD --output FILE.xlsx`" if text.lower() in WORKBOOK_FORMATS
                else nearest(text, names))
        raise typer.BadParameter(f"{text!r} is not one of {', '.join(names)}{hint}")

    return typer.Option("--format", "-f", parser=parse, metavar="[" + "|".join(names) + "]", help=help,
                        autocompletion=lambda: names)


FormatOption = Annotated[Format, format_option(*Format)]
"""table, json, markdown or csv."""
TableOrJsonOption = Annotated[Format, format_option(Format.table, Format.json)]

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
SeedOption = Annotated[int, typer.Option("--seed", min=0, help="Random seed for --simulate: the same seed gives the same figures.")]


def as_of_date(text: str | None, option: str = "--as-of") -> dt.date:
    """The date given to `option`, or today."""
    if text is None:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise TcoError(f"{option}: {text!r} is not a date; expected YYYY-MM-DD") from None


def check_format(value: Format, allowed: tuple[Format, ...]) -> None:
    if value not in allowed:
        raise TcoError(f"--format: {value.value!r} is not available here; expected one of {', '.join(f.value for f in allowed)}")
