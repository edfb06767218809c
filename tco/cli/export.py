"""`tco export`: the comparison as an Excel workbook with live formulas, for procurement."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from tco.cli.console import err, progress_bar
from tco.cli.options import AsOfOption, NoBundledOption, PricebooksOption, SeedOption, SimulateOption, as_of_date, books
from tco.errors import TcoError


def export(
    workload: Annotated[Path, typer.Argument(help="The workload YAML file.", show_default=False)],
    output: Annotated[Path, typer.Option("--output", "-o", help="The workbook to write (.xlsx); replaced whole.",
                                         show_default=False)],
    as_of: AsOfOption = None,
    pricebooks: PricebooksOption = None,
    no_bundled: NoBundledOption = False,
    simulate: SimulateOption = None,
    seed: SeedOption = 0,
) -> None:
    """Write the comparison as an Excel workbook: editable assumptions and rates, live formulas, charts.

    With --simulate N, a Simulation sheet adds the percentiles, the chance each candidate is cheapest and a histogram over N draws of the workload's ranges, as values tco computed.
    """
    import hashlib

    from tco.api import comparison_for, simulation_for
    from tco.files.output import write_atomic
    from tco.files.pricebooks import TOKENIZERS_FILE, display
    from tco.report import excel

    if output.suffix.lower() != ".xlsx":
        raise TcoError(f"--output: {output} is not an .xlsx file; name the workbook FILE.xlsx")
    comparison, source = comparison_for(workload, as_of_date(as_of), books(pricebooks, no_bundled))
    tables = [d / TOKENIZERS_FILE for d in books(pricebooks, no_bundled).roots if (d / TOKENIZERS_FILE).is_file()]
    table = tables[-1]  # the topmost table read (a private directory's adds to the bundled one)
    tokenizers = excel.Tokenizers(display(table), hashlib.sha256(table.read_bytes()).hexdigest())
    sim = None
    if simulate is not None:
        with progress_bar(simulate) as progress:
            sim = simulation_for(comparison, source, simulate, seed, progress)
    write_atomic(output, excel.build(comparison, source, tokenizers, sim))
    drawn = f", {simulate:,} draws" if sim else ""
    err.print(f"wrote {output} ({len(comparison.results)} candidates{drawn})", markup=False, highlight=False)
