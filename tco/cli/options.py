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
    list[Path] | None,
    typer.Option("--pricebooks", metavar="DIR", show_default=False,
                 help="A price-book directory laid over the bundled books (repeatable, the last on top): its vendor "
                      "versions win from their dates on, and its tokenizers.yaml, if any, adds tokenizers."),
]
NoBundledOption = Annotated[bool, typer.Option("--no-bundled", help="Use only the --pricebooks directories, not the "
                                                                    "price books bundled with tco.")]
TreeOption = Annotated[
    Path | None,
    typer.Option("--pricebooks", help="The price-book directory to read (default: pricebooks/ of the checkout you "
                                      "are in, else the bundled one).", show_default=False),
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


def books(pricebooks: list[Path] | None, no_bundled: bool = False) -> Any:
    """The price books the options name: the bundled ones (unless --no-bundled) with each --pricebooks over them."""
    from tco.files.pricebooks import Books

    return Books(tuple(pricebooks or ()), bundled=not no_bundled)


def as_of_date(text: str | None, option: str = "--as-of") -> dt.date:
    """The date given to `option`, or today."""
    if text is None:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise TcoError(f"{option}: {text!r} is not a date; expected YYYY-MM-DD") from None

