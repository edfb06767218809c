"""`tco sensitivity`: which uncertain inputs move a candidate's cost per completed task most."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Annotated

import typer

from tco.cli.console import show
from tco.cli.options import (
    AsOfOption,
    Format,
    FormatOption,
    NoBundledOption,
    PricebooksOption,
    WideOption,
    as_of_date,
    books,
)


def sensitivity(
    workload: Annotated[Path, typer.Argument(help="The workload YAML file.", show_default=False)],
    candidate: Annotated[str | None, typer.Option("--candidate", "-c", show_default=False,
                                                  help="The candidate to analyse (its label or offer id). Default: the cheapest.")] = None,
    as_of: AsOfOption = None,
    pricebooks: PricebooksOption = None,
    no_bundled: NoBundledOption = False,
    format: FormatOption = Format.table,
    wide: WideOption = False,
) -> None:
    """A tornado: each range from its low to its high end, the other inputs at their likely values, widest swing first."""
    from tco.api import run_sensitivity
    from tco.report import sensitivity as report

    doc = run_sensitivity(workload, as_of_date(as_of), books(pricebooks, no_bundled), candidate)
    show(doc, format, partial(report.render_table, wide=wide), report.render_markdown, report.render_csv)
