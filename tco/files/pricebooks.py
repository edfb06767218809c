"""Reading a price-book tree: `<vendor>/<effective-date>.yaml` files and `tokenizers.yaml`."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Collection, Iterable
from pathlib import Path
from typing import Any

from tco.errors import Problem, TcoError, nearest
from tco.files.validation import validate
from tco.files.yaml_source import Located, read_yaml
from tco.models.catalog import BookFile, Catalog, Selection
from tco.models.pricebook import PerTokenOffer, PriceBook, ProvisionedOffer, SeatOffer
from tco.models.tokenizer import TokenizerTable

TOKENIZERS_FILE = "tokenizers.yaml"


def bundled_dir() -> Path:
    """The price books shipped with tco: inside the installed package, or the repository's own."""
    packaged = Path(__file__).resolve().parent.parent / "pricebooks"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent.parent / "pricebooks"


def display(path: Path) -> str:
    """A path as the user would type it: relative to the working directory when inside it."""
    try:
        return os.path.relpath(path)
    except ValueError:
        return str(path)


def load_catalog(root: Path | None = None) -> Catalog:
    """Read and check every file of a price-book tree; raise every problem found, in all files, at once."""
    root = root or bundled_dir()
    if not root.is_dir():
        found = "is a file; expected a price-book directory" if root.exists() else "no such price-book directory"
        raise TcoError([Problem(display(root), None, "", found)])
    problems: list[Problem] = []
    located: dict[str, Located] = {}
    tokenizers = None
    try:
        tok_located = read_yaml(root / TOKENIZERS_FILE, display(root / TOKENIZERS_FILE))
        tokenizers = validate(TokenizerTable, tok_located)
    except TcoError as e:
        problems += e.problems
    books: dict[str, list[BookFile]] = {}
    broken: set[str] = set()  # vendors with a file that could not be read or is invalid
    for folder in sorted(p for p in _entries(root, problems) if p.is_dir() and not p.name.startswith((".", "_"))):
        versions: dict[dt.date, str] = {}
        for path in sorted(_entries(folder, problems)):
            name = display(path)
            if path.suffix not in (".yaml", ".yml"):
                continue
            try:
                version = dt.date.fromisoformat(path.stem)
            except ValueError:
                problems.append(Problem(name, None, "", "a price-book file is named by its effective date, YYYY-MM-DD.yaml"))
                continue
            if version in versions:
                problems.append(Problem(name, None, "", f"version {version} has two files, {versions[version]} and this one; "
                                                        "keep one"))
                broken.add(folder.name)
                continue
            versions[version] = name
            try:
                doc = read_yaml(path, name)
                book = validate(PriceBook, doc)
            except TcoError as e:
                problems += e.problems
                broken.add(folder.name)
                continue
            if book.vendor != folder.name:
                problems.append(doc.problem(("vendor",), f"is {book.vendor!r} but the file is in folder {folder.name!r}"))
            if book.version != version:
                problems.append(doc.problem(("version",), f"is {book.version} but the file is named {path.name}"))
            books.setdefault(folder.name, []).append(BookFile(book, name, doc.sha256))
            located[name] = doc
    for versions in books.values():
        versions.sort(key=lambda b: b.version)
    if tokenizers is not None:
        catalog = Catalog(books, tokenizers, display(root))
        problems += _cross_references(catalog, located, broken)
    if problems:
        raise TcoError(problems)
    return catalog


def _entries(folder: Path, problems: list[Problem]) -> list[Path]:
    """The entries of a folder of the tree, or none (and a problem) if it cannot be read."""
    try:
        return list(folder.iterdir())
    except OSError as e:
        problems.append(Problem(display(folder), None, "", f"cannot be read: {e.strerror or e}"))
        return []


def named_offers(data: Any) -> set[str]:
    """Every offer id a workload document names: each `offer`, `model` and `spillover_offer` value, at any depth."""
    if isinstance(data, dict):
        found = {v for k, v in data.items() if k in ("offer", "model", "spillover_offer") and isinstance(v, str)}
        return found.union(*(named_offers(v) for v in data.values()))
    if isinstance(data, list):
        return set().union(*(named_offers(v) for v in data))
    return set()


def load_selection(root: Path | None, as_of: dt.date, offer_ids: Iterable[str]) -> Selection:
    """The price books in force on `as_of` for the vendors `offer_ids` name and the vendors their offers refer to,
    reading only those files, so that a workload costs the same time however large the tree grows.

    Whenever the shortcut cannot answer exactly as the whole tree would (a file it needs is bad, an offer is not
    there or is retired), the whole tree is read instead (`load_catalog`), for its errors and hints.
    """
    root = root or bundled_dir()
    wanted = set(offer_ids)
    try:
        catalog, located = _read_vendors(root, as_of, {i.partition("/")[0] for i in wanted})
    except (TcoError, LookupError, ValueError, OSError):
        return load_catalog(root).as_of(as_of)
    selection = Selection(as_of, {v: versions[-1] for v, versions in catalog.books.items()}, catalog.tokenizers,
                          catalog.offer_ids, catalog)
    found = [selection.find(i) for i in wanted]
    if _cross_references(catalog, located) or any(r is None or not r.offer.on_sale(as_of) for r in found):
        return load_catalog(root).as_of(as_of)
    return selection


def _read_vendors(root: Path, as_of: dt.date, vendors: set[str]) -> tuple[Catalog, dict[str, Located]]:
    """For each vendor, and each vendor its offers refer to, the one version in force on `as_of`."""
    tokenizers = validate(TokenizerTable, read_yaml(root / TOKENIZERS_FILE, display(root / TOKENIZERS_FILE)))
    books: dict[str, list[BookFile]] = {}
    located: dict[str, Located] = {}
    todo = sorted(vendors)
    while todo:
        vendor = todo.pop()
        if vendor in books:
            continue
        dates = sorted(dt.date.fromisoformat(p.stem) for p in (root / vendor).iterdir() if p.suffix in (".yaml", ".yml"))
        if len(dates) != len(set(dates)):
            raise LookupError(vendor)  # two files for one version: the whole tree says so
        version = max(d for d in dates if d <= as_of)
        path = root / vendor / f"{version}.yaml"
        name = display(path)
        doc = read_yaml(path, name)
        book = validate(PriceBook, doc)
        if (book.vendor, book.version) != (vendor, version):
            raise ValueError(name)
        books[vendor] = [BookFile(book, name, doc.sha256)]
        located[name] = doc
        for offer in book.offers.values():
            refs = [getattr(offer, "spillover_offer", None), getattr(offer, "replacement", None),
                    *getattr(offer, "model_multipliers", {})]
            todo += [r.partition("/")[0] for r in refs if r and r.partition("/")[0] not in books]
    return Catalog(books, tokenizers, display(root)), located


def _cross_references(catalog: Catalog, located: dict[str, Located], broken: Collection[str] = ()) -> list[Problem]:
    """Names that must exist elsewhere in the tree: tokenizers, spill-over offers, multiplier keys, replacements.

    References to a vendor in `broken` (one of its files is unreadable or invalid) are not checked: that file's
    own problems say what is wrong, and the offer referred to may well be in it."""
    problems: list[Problem] = []
    ids = catalog.offer_ids
    per_token = {
        f"{b.vendor}/{k}" for v in catalog.books.values() for b in v for k, o in b.book.offers.items()
        if isinstance(o, PerTokenOffer)
    }
    tokenizer_names = catalog.tokenizers.tokenizers
    for versions in catalog.books.values():
        for bf in versions:
            doc = located[bf.file]
            for key, offer in bf.book.offers.items():
                at = ("offers", key)
                if offer.replacement is not None and (offer.replacement not in ids and _vendor(offer.replacement) not in broken
                                                      or offer.replacement == f"{bf.vendor}/{key}"):
                    why = "is this offer itself" if offer.replacement in ids else "is not a known offer id (vendor/offer)"
                    problems.append(doc.problem(at + ("replacement",), f"{offer.replacement!r} {why}"
                                                f"{nearest(offer.replacement, ids - {f'{bf.vendor}/{key}'})}"))
                if isinstance(offer, (PerTokenOffer, ProvisionedOffer)) and offer.tokenizer not in tokenizer_names:
                    problems.append(doc.problem(at + ("tokenizer",), f"unknown tokenizer {offer.tokenizer!r}"
                                                f"{nearest(offer.tokenizer, tokenizer_names)}"))
                if isinstance(offer, ProvisionedOffer) and offer.spillover_offer not in per_token and _vendor(offer.spillover_offer) not in broken:
                    why = "is not a per_token offer" if offer.spillover_offer in ids else "is not a known offer"
                    problems.append(doc.problem(at + ("spillover_offer",), f"{offer.spillover_offer!r} {why}"
                                                f"{nearest(offer.spillover_offer, per_token)}"))
                if isinstance(offer, SeatOffer):
                    for model in offer.model_multipliers:
                        if model not in per_token and _vendor(model) not in broken:
                            problems.append(doc.problem(at + ("model_multipliers", model),
                                                        f"{model!r} is not a per_token offer id{nearest(model, per_token)}"))
                    if offer.model_multipliers and (offer.allowance is None or offer.allowance.unit != "request"):
                        problems.append(doc.problem(at + ("model_multipliers",), "model multipliers apply only to an allowance in unit request"))
    return problems


def _vendor(offer_id: str) -> str:
    return offer_id.partition("/")[0]
