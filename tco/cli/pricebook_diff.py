"""`tco pricebook diff` and `tco pricebook import`: review a price-book change, and draft one from genai-prices."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from tco.cli.console import out, print_json, print_rich, print_text
from tco.cli.options import (
    AsOfOption,
    Format,
    TableOrJsonOption,
    TreeOption,
    as_of_date,
    format_option,
)
from tco.errors import TcoError, gather, nearest
from tco.files.output import printable

IMPORT_SOURCES = ("genai-prices",)


def _history(results: list, target: Path, dry_run: bool, format: Format) -> None:
    """Write (or, dry, list) history drafts: one file per vendor and date."""
    from tco.files import genai_prices_import as gp
    from tco.files.pricebooks import display

    rows = []
    for result in results:
        if not dry_run:
            gp.write_drafts(result, target)
        for vendor, book in result.drafts.items():
            rows.append({"vendor": vendor, "version": book.version.isoformat(), "offers": sorted(book.offers),
                         "changed": sorted({d.offer for d in result.differences if d.drafted}),
                         "file": display(target / vendor / f"{book.version}.yaml"), "written": not dry_run})
    if format is Format.json:
        print_json({"history": rows})
        return
    for row in rows:
        verb = "wrote" if row["written"] else "dry run: would write"
        out.print(f"{verb} {row['file']}: {len(row['offers'])} offers, {len(row['changed'])} repriced "
                  f"({', '.join(row['changed']) or 'none'})", markup=False)
    if not rows:
        out.print("No history to draft: no offer with a `released:` date has a price change in that period.")


def diff(
    base: Annotated[str, typer.Argument(
        help="The price books before: a directory, or a git revision of this repository (its pricebooks/).",
        show_default=False)],
    head: Annotated[str | None, typer.Argument(
        help="The price books after: a directory or a git revision (default: the working tree's pricebooks/).",
        show_default=False)] = None,
    workload: Annotated[list[Path] | None, typer.Option(
        "--workload", "-w", help="A workload to show the effect on (repeatable; default: every file in examples/).",
        show_default=False)] = None,
    format: Annotated[Format, format_option(Format.table, Format.markdown, Format.json, help="markdown: a pull-request comment.")] = Format.table,
) -> None:
    """Offers added and removed, every rate changed (old → new, %), and the effect on each workload's costs.

    Compares the newest version of each vendor on each side. Exits 1 if a version published in BASE was edited, removed, or back-dated (a new version dated between published ones; history older than every published version is welcome).
    """
    from tco.engine.pricebook_diff import diff_catalogs, immutability, refuse
    from tco.files.git_tree import example_workloads, open_tree
    from tco.files.workloads import load_workload
    from tco.report import diff_report

    workloads = gather(*(lambda p=p: load_workload(p) for p in (workload or example_workloads())))
    with open_tree(base) as before, open_tree(head) as after:
        violations = immutability(before.files(), after.files())
        base_catalog, head_catalog = before.catalog(), after.catalog()
        labels = before.label, after.label if head is not None else "working tree"
    result = diff_catalogs(base_catalog, head_catalog, *labels, workloads=[(w.workload, w.file) for w in workloads])
    result.violations.extend(violations)
    doc = diff_report.document(result)
    if format is Format.json:
        print_json(doc)
    elif format is Format.markdown:
        print_text(diff_report.markdown(doc))
    else:
        print_rich(diff_report.table(printable(doc)))
    if violations:
        raise refuse(violations, result.base)


def import_(
    source: Annotated[str, typer.Argument(help="Where to import from: genai-prices.", show_default=False)],
    pricebooks: TreeOption = None,
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", help="Write drafts to OUTPUT/<vendor>/<version>.yaml (default: the price-book directory).",
        show_default=False)] = None,
    as_of: AsOfOption = None,
    version: Annotated[str | None, typer.Option(
        "--version", help="Effective date of the drafted versions, YYYY-MM-DD (default: the --as-of date).",
        show_default=False)] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Report the differences; write nothing.")] = False,
    format: TableOrJsonOption = Format.table,
    history_since: Annotated[str | None, typer.Option(
        "--history-since", metavar="DATE", show_default=False,
        help="Instead, draft dated history versions from genai-prices' start-date prices: one on DATE and one on each "
             "later price change before --as-of, with our offers on sale then (those with a `released:` date).")] = None,
) -> None:
    """Compare our per-token offers with the genai-prices package data and draft new versions: rates that differ, and new offers for the models we lack (with a tokenizer copied from our most similar offer).

    Drafts keep our ids, tokenizers and notes; only rates both sides carry are changed. Never overwrites a file.
    """
    from tco.files import genai_prices_import as gp
    from tco.files.git_tree import working_pricebooks
    from tco.files.pricebooks import bundled_dir, display, load_catalog
    from tco.report import diff_report

    if source not in IMPORT_SOURCES:
        raise TcoError(f"unknown import source {source!r}; expected one of {', '.join(IMPORT_SOURCES)}"
                       f"{nearest(source, IMPORT_SOURCES)}")
    day = as_of_date(as_of)
    try:
        effective = as_of_date(version) if version else day
    except TcoError:
        raise TcoError(f"--version: {version!r} is not a date; expected YYYY-MM-DD") from None
    if pricebooks is None:
        try:
            pricebooks = working_pricebooks()
        except TcoError:
            pricebooks = bundled_dir()
            if output is None and not dry_run:
                raise TcoError(f"no pricebooks/ here to draft into; give --output DIR (or --dry-run) to compare "
                               f"with the bundled price books in {display(pricebooks)}") from None
    catalog = load_catalog(pricebooks)
    providers, label = gp.load_providers()
    target = output or pricebooks
    if history_since is not None:
        _history(gp.draft_history(catalog, providers, label, as_of_date(history_since), day, dt.date.today()),
                 target, dry_run, format)
        return
    from tco.cli.console import progress

    with progress("Comparing with genai-prices") as advance:
        result = gp.draft(catalog, providers, label, day, effective, advance)
    files = {vendor: display(target / vendor / f"{book.version}.yaml") for vendor, book in result.drafts.items()}
    if not dry_run:
        newest = {vendor: versions[-1].version for vendor, versions in catalog.books.items()}
        gp.write_drafts(result, target, newest)
    doc = diff_report.import_document(result, catalog.root, files)
    if format is Format.json:
        print_json(doc)
    else:
        print_rich(diff_report.import_table(doc))
