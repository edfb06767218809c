"""`tco compare`: apply a workload to every candidate offer and rank them."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Annotated

import typer

from tco.cli.console import progress_bar, show
from tco.cli.options import (
    AsOfOption,
    Format,
    FormatOption,
    NoBundledOption,
    PricebooksOption,
    SeedOption,
    SimulateOption,
    WideOption,
    as_of_date,
    books,
)
from tco.errors import TcoError, nearest


def compare(
    workload: Annotated[Path, typer.Argument(help="The workload YAML file.", show_default=False)],
    as_of: AsOfOption = None,
    pricebooks: PricebooksOption = None,
    no_bundled: NoBundledOption = False,
    format: FormatOption = Format.table,
    sort: Annotated[str, typer.Option("--sort", help="Rank by this result field.")] = "cost_per_completed_task",
    simulate: SimulateOption = None,
    seed: SeedOption = 0,
    wide: WideOption = False,
    chart: Annotated[bool, typer.Option("--chart", help="Draw cost per completed task as bars (with --simulate, each "
                                        "candidate's distribution as a histogram); table format only.")] = False,
) -> None:
    """Rank the workload's candidates by cost per completed task, with success-adjusted cost and risk.

    With --simulate N, the workload's ranges are drawn N times: percentiles, the chance each candidate is cheapest, and how bad a period's bill can get.
    """
    from tco.api import run_compare
    from tco.engine.compare import SORT_FIELDS

    if sort not in SORT_FIELDS:
        raise TcoError(f"--sort: unknown field {sort!r}; expected one of {', '.join(SORT_FIELDS)}{nearest(sort, SORT_FIELDS)}")
    if chart and format is not Format.table:
        raise TcoError(f"--chart draws in the terminal table only; --format {format.value} gives the figures it draws")
    with progress_bar(simulate) as progress:
        doc = run_compare(workload, as_of_date(as_of), books(pricebooks, no_bundled), sort, simulate, seed, progress,
                          break_even=wide or format is not Format.table)  # the narrow table does not show it
    from tco.report import csv_report, markdown, table

    show(doc, format, partial(table.render, wide=wide, chart=chart), markdown.render, csv_report.render)
