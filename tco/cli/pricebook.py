"""`tco pricebook …`: check, list, show and describe price books."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.cells import cell_len

from tco.cli import pricebook_diff
from tco.cli.console import err, layout_width, out, print_json, print_rich, print_text
from tco.cli.options import (
    AsOfOption,
    Format,
    NoBundledOption,
    PricebooksOption,
    TableOrJsonOption,
    WideOption,
    as_of_date,
    books,
)
from tco.files.output import printable

app = typer.Typer(help="Check, list, show, diff and import price books.", no_args_is_help=True)

TableOrJson = TableOrJsonOption


@app.command()
def validate(
    directory: Annotated[Path | None, typer.Argument(help="Price-book directory (default: pricebooks/ of the checkout you are in, else the bundled one).", show_default=False)] = None,
    format: TableOrJson = Format.table,
    base: Annotated[str | None, typer.Option("--base", help="A git revision (or directory) of published versions: fail (exit 1) if one was edited, removed or back-dated.", show_default=False)] = None,
    max_age: Annotated[int | None, typer.Option("--max-age", min=0, help="Warn about offers in each vendor's newest version retrieved more than DAYS ago.", metavar="DAYS", show_default=False)] = None,
) -> None:
    """Check every price-book file and the tokenizer table; report every problem at once (exit 2 if any).

    Inside a checkout it checks the checkout's pricebooks/ (the files being edited), and says which tree it checked.
    """
    from tco.errors import TcoError
    from tco.files.git_tree import working_pricebooks
    from tco.files.pricebooks import bundled_dir, load_catalog

    tree = "given"
    if directory is None:
        try:
            directory, tree = working_pricebooks(), "checkout"
        except TcoError:
            if base is not None:
                raise
            directory, tree = bundled_dir(), "bundled"
    catalog = load_catalog(directory)
    files = sum(len(v) for v in catalog.books.values())
    offers = sum(len(b.book.offers) for v in catalog.books.values() for b in v)
    summary: dict[str, Any] = {"ok": True, "directory": catalog.root, "tree": tree, "vendors": len(catalog.books),
                               "files": files, "offers": offers}
    violations = []
    if base is not None:
        from tco.engine.pricebook_diff import immutability
        from tco.files.git_tree import Tree, open_tree

        with open_tree(base) as published:
            violations = immutability(published.files(), Tree(catalog.root, Path(directory)).files())
        summary |= {"ok": not violations, "base": base,
                    "violations": [{"file": v.file, "kind": v.kind, "message": v.message} for v in violations]}
    stale = []
    if max_age is not None:
        import datetime as dt

        from tco.engine.pricebook_diff import stale_offers

        stale = stale_offers(catalog, dt.date.today(), max_age)
        summary["stale"] = [{"offer": s.offer, "version": s.version.isoformat(), "retrieved": s.retrieved.isoformat(),
                             "age_days": s.age_days} for s in stale]
    if format is Format.json:
        print_json(summary)
    elif not violations:
        where = {"checkout": " (this checkout's price books)", "bundled": " (the price books bundled with tco)"}.get(tree, "")
        out.print(f"ok: {files} price-book files, {offers} offers from {len(catalog.books)} vendors in {catalog.root}{where}"
                  + (f"; no published version changed since {base}" if base is not None else ""))
    for s in stale:
        err.print(f"warning: {s.offer} ({s.offer.split('/')[0]}/{s.version}.yaml): retrieved {s.retrieved}, "
                  f"{s.age_days} days ago (over --max-age {max_age}); check it against its sources", markup=False)
    if violations:
        from tco.engine.pricebook_diff import refuse

        raise refuse(violations, base)


def _listing(pricebooks: Any, as_of: dt.date, everything: bool = False) -> dict[str, Any]:
    """Vendors and their offers: those on sale on `as_of`, or with `everything` every offer of every version."""
    from tco.engine.lifecycle import status
    from tco.files.pricebooks import load_catalog

    catalog = load_catalog(pricebooks)
    selection = catalog.as_of(as_of)
    vendors = []
    for vendor, versions in sorted(catalog.books.items()):
        offers: dict[str, dict[str, Any]] = {}
        for bf in versions:
            for key, offer in bf.book.offers.items():
                entry = offers.setdefault(f"{vendor}/{key}", {"id": f"{vendor}/{key}", "versions": []})
                entry |= {"scheme": offer.scheme, "name": offer.name, "retrieved": offer.retrieved.isoformat()}
                entry["versions"].append(bf.version.isoformat())
        for oid, entry in offers.items():
            ref = selection.find(oid) or selection.retired(oid) or catalog.newest_listing(oid)
            entry["status"] = status(ref, as_of, in_force=selection.find(oid) is not None)
            entry |= {k: str(v) for k in ("retired", "replacement") if (v := getattr(ref.offer, k)) is not None}
        shown = [e for e in offers.values() if everything or e["status"] in ("on sale", "deprecated")]
        if shown:
            vendors.append({"vendor": vendor, "versions": [b.version.isoformat() for b in versions], "offers": shown})
    schemes = sorted({o["scheme"] for v in vendors for o in v["offers"]})
    return {"directory": catalog.root, "as_of": as_of.isoformat(), "all": everything, "schemes": schemes,
            "vendors": vendors}


@app.command("list")
def list_(
    pricebooks: PricebooksOption = None,
    no_bundled: NoBundledOption = False,
    format: TableOrJson = Format.table,
    as_of: AsOfOption = None,
    everything: Annotated[bool, typer.Option("--all", help="Every offer of every version, retired and not yet released ones marked.")] = False,
    wide: WideOption = False,
) -> None:
    """List the offers on sale on a date (default today): offer, scheme, versions, retrieval date, status (names with --wide)."""
    listing = printable(_listing(books(pricebooks, no_bundled), as_of_date(as_of), everything))
    if format is Format.json:
        print_json(listing)
        return
    from tco.report.listing import offers_table

    print_rich(offers_table(listing, wide))


@app.command()
def show(
    offer: Annotated[str, typer.Argument(help="Offer id, vendor/offer.", show_default=False)],
    as_of: AsOfOption = None,
    pricebooks: PricebooksOption = None,
    no_bundled: NoBundledOption = False,
    format: TableOrJson = Format.table,
) -> None:
    """Show one offer as in force on a date: its rates, tokenizer, source and retrieval date."""
    from tco.files.pricebooks import load_catalog

    selection = load_catalog(books(pricebooks, no_bundled)).as_of(as_of_date(as_of))
    ref = selection.get(offer)
    fields = json.loads(ref.offer.model_dump_json())
    provenance = {k: fields.pop(k) for k in ("source_urls", "retrieved", "notes")}
    data: dict[str, Any] = {
        "id": ref.id, "name": fields.pop("name"), "scheme": fields.pop("scheme"),
        "vendor": ref.source.vendor, "version": ref.source.version.isoformat(),
        **fields, **provenance, "file": ref.source.file, "sha256": ref.source.sha256,
    }
    tokenizer = getattr(ref.offer, "tokenizer", None)
    if tokenizer:
        table = selection.tokenizers
        data["tokenizer_ratio_to_o200k"] = {
            content: str(table.ratio(tokenizer, content)[0]) for content in ("prose", "code", "cjk")
        }
    if format is Format.json:
        print_json(data)
        return
    print_text(f"{ref.id}  ({ref.source.file})\n" + fitted_yaml(data, layout_width()))


SCALAR_LINE = re.compile(r"( *(?:- )*)((?:[A-Za-z_][\w.-]*: )?)(.*)")
"""A line of block YAML as PyYAML writes it: indent and sequence dashes, a key, the scalar."""
SINGLE_SPACE = re.compile(r"(?<=\S) (?=\S)")


def fitted_yaml(data: Any, width: int | None) -> str:
    """`data` as YAML whose lines fit `width`, folded at single spaces (PyYAML's own `width` lets a line run one
    word past it). A word wider than the width, a URL, stands whole on a line of its own."""
    import yaml

    whole = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=float("inf"))
    if width is None:
        return whole
    lines = []
    for line in whole.splitlines():
        lead, key, scalar = SCALAR_LINE.fullmatch(line).groups()  # type: ignore[union-attr]
        if cell_len(line) <= width or not scalar:
            lines.append(line)
            continue
        start, indent = lead + key, " " * (len(lead) + 2)  # deeper than key or dash: the break reads as a space
        current = start
        for word in SINGLE_SPACE.split(scalar):
            fresh = current in (start, indent)
            breakable = current != indent and (current != start or bool(key))  # a value may start below its key
            if breakable and cell_len(current) + (not fresh) + cell_len(word) > width:
                lines.append(current.rstrip())
                current, fresh = indent, True
            current += ("" if fresh else " ") + word
        lines.append(current)
    folded = "\n".join(lines) + "\n"
    return folded if yaml.safe_load(folded) == data else whole


@app.command()
def schema(
    kind: Annotated[str, typer.Argument(help="pricebook, tokenizers or workload.")] = "pricebook",
    write: Annotated[Path | None, typer.Option("--write", help="Write all three schema files into this directory.", show_default=False)] = None,
) -> None:
    """Print the JSON Schema of price books, the tokenizer table or workloads (editors check files with it)."""
    from tco.errors import TcoError, nearest
    from tco.files.output import write_atomic
    from tco.models.schemas import SCHEMAS, schema_json

    if write is not None:
        for name, filename in SCHEMAS.items():
            write_atomic(write / filename, schema_json(name).encode())
            out.print(f"wrote {write / filename}")
        return
    if kind not in SCHEMAS:
        raise TcoError(f"unknown schema {kind!r}; expected one of {', '.join(SCHEMAS)}{nearest(kind, SCHEMAS)}")
    print_text(schema_json(kind))


app.command("diff")(pricebook_diff.diff)
app.command("import")(pricebook_diff.import_)
