"""`tco breakeven`: the value of one input at which two candidates cost the same per completed task."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated

import typer

from tco.cli.console import show
from tco.cli.options import AsOfOption, Format, FormatOption, NoBundledOption, PricebooksOption, as_of_date, books
from tco.errors import TcoError


def _number(option: str, text: str | None) -> Decimal | None:
    from tco.models.base import LARGEST

    if text is None:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        value = Decimal("NaN")
    if not value.is_finite():
        raise TcoError(f"{option}: expected a number, found {text!r}")
    if abs(value) > LARGEST:
        raise TcoError(f"{option}: {text} is too large; tco takes numbers up to 1e15")
    return value


def breakeven(
    workload: Annotated[Path, typer.Argument(help="The workload YAML file.", show_default=False)],
    a: Annotated[str, typer.Argument(help="One candidate (its label or offer id).", show_default=False)],
    b: Annotated[str, typer.Argument(help="The other candidate.", show_default=False)],
    vary: Annotated[str, typer.Option("--vary", show_default=False,
                                      help="The input to vary: a workload key (tasks, task.input_tokens, human.hourly_cost, "
                                           "seats) or a key of candidate A (success_rate).")],
    start: Annotated[str | None, typer.Option("--from", show_default=False,
                                              help="Search from this value. Default: the lowest the input can take.")] = None,
    end: Annotated[str | None, typer.Option("--to", show_default=False,
                                            help="Search up to this value. Default: the highest it can take, or 1,000 × its value.")] = None,
    as_of: AsOfOption = None,
    pricebooks: PricebooksOption = None,
    no_bundled: NoBundledOption = False,
    format: FormatOption = Format.table,
) -> None:
    """Where A and B cost the same per completed task as one input varies, or that they never do."""
    from tco.api import run_breakeven
    from tco.report import breakeven as report

    doc = run_breakeven(workload, as_of_date(as_of), a, b, vary, books(pricebooks, no_bundled), _number("--from", start), _number("--to", end))
    show(doc, format, report.render_table, report.render_markdown, report.render_csv)
