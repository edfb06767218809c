"""`tco history`: a workload's costs at every date on which a price book it uses changed."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from tco.cli.console import show
from tco.cli.options import Format, FormatOption, NoBundledOption, PricebooksOption, as_of_date, books


def history(
    workload: Annotated[Path, typer.Argument(help="The workload YAML file.", show_default=False)],
    start: Annotated[str | None, typer.Option("--from", show_default=False, metavar="DATE",
                                              help="Start on this date (YYYY-MM-DD). Default: the first date a candidate is priced.")] = None,
    end: Annotated[str | None, typer.Option("--to", show_default=False, metavar="DATE",
                                            help="End on this date (YYYY-MM-DD). Default: today.")] = None,
    pricebooks: PricebooksOption = None,
    no_bundled: NoBundledOption = False,
    format: FormatOption = Format.table,
) -> None:
    """Each candidate's cost per completed task and per task done by AI at every price-book change, charted.

    A point at --from and at every later date on which a price book a candidate uses took effect, or its offer was released or retired. An offer not on sale on a date is shown as absent, not as an error.
    """
    from tco.api import run_history
    from tco.report import history as report

    doc = run_history(workload, as_of_date(start, "--from") if start else None, as_of_date(end, "--to"), books(pricebooks, no_bundled))
    show(doc, format, report.render_table, report.render_markdown, report.render_csv)
