"""Reading a price-book tree: `<vendor>/<effective-date>.yaml` files and `tokenizers.yaml`."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tco.errors import Problem, TcoError, nearest
from tco.files.validation import read_validated
from tco.files.yaml_source import Documents
from tco.models.catalog import BookFile, Catalog, Selection
from tco.models.pricebook import PerTokenOffer, PriceBook, ProvisionedOffer, SeatOffer, SelfHostedOffer
from tco.models.tokenizer import Tokenizer, TokenizerLayer, TokenizerTable

TOKENIZERS_FILE = "tokenizers.yaml"


def bundled_dir() -> Path:
    """The price books shipped with tco: inside the installed package, or the repository's own."""
    packaged = Path(__file__).resolve().parent.parent / "pricebooks"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent.parent / "pricebooks"


@dataclass(frozen=True)
class Books:
    """Which price books to read: the bundled ones (unless `bundled` is False) with `dirs` laid over them, the
    last on top. In each directory a vendor's versions take over from the first of them on (so a private quote
    wins over the bundled book from its date); a `tokenizers.yaml` there adds or replaces tokenizers by name."""

    dirs: tuple[Path, ...] = ()
    bundled: bool = True

    @classmethod
    def of(cls, given: Books | Path | Sequence[Path] | None) -> Books:
        """Books from what a caller gives: Books; one directory (that tree alone, as `tco pricebook validate DIR`
        reads it); several (laid over the bundled books); or None (the bundled books)."""
        if isinstance(given, Books):
            return given
        if given is None:
            return cls()
        return cls((given,), bundled=False) if isinstance(given, Path) else cls(tuple(given))

    def under(self, dirs: Sequence[Path]) -> Books:
        """These books with `dirs` laid under this one's own directories (a workload's `pricebooks:`)."""
        return Books((*dirs, *self.dirs), self.bundled)

    @property
    def roots(self) -> list[Path]:
        """The directories to read, lowest first."""
        roots = ([bundled_dir()] if self.bundled else []) + list(self.dirs)
        if not roots:
            raise TcoError("--no-bundled: give at least one --pricebooks DIR to read instead")
        return roots


Roots = Books | Path | Sequence[Path] | None
"""A price-book tree, or layers of them (see Books)."""


def display(path: Path) -> str:
    """A path as the user would type it: relative to the working directory when inside it."""
    try:
        return os.path.relpath(path)
    except ValueError:
        return str(path)


def _layers(root: Roots) -> tuple[list[Path], str]:
    """The directories to read, lowest first, and how to name them together."""
    roots = [root] if isinstance(root, Path) else [bundled_dir()] if root is None else Books.of(root).roots
    return roots, " + ".join(display(r) for r in roots)


def load_catalog(root: Roots = None, in_force: dt.date | None = None) -> Catalog:
    """Read and check every file of a price-book tree, or of several laid over each other (see Books); raise
    every problem found, in all files, at once. With `in_force`, each vendor's history is left unread: only the
    version in force on that date (a catalog of one version per vendor, for work priced on that date alone)."""
    roots, name = _layers(root)
    problems: list[Problem] = []
    for r in roots:
        if not r.is_dir():
            found = "is a file; expected a price-book directory" if r.exists() else "no such price-book directory"
            problems.append(Problem(display(r), None, "", found))
    if problems:
        raise TcoError(problems)
    located = Documents()
    broken: set[str] = set()  # vendors with a file that could not be read or is invalid
    tokenizers = _tokenizers(roots, problems)
    only = None if in_force is None else _in_force_files(roots, in_force)
    books = laid_over([_read_tree(r, problems, located, broken, only) for r in roots])
    if tokenizers is not None:
        catalog = Catalog(books, tokenizers, name)
        problems += _cross_references(catalog, located, broken)
    if problems and in_force is not None:
        return load_catalog(root)  # a problem, or a reference into the history: the whole tree says which
    if problems:
        raise TcoError(problems)
    return catalog


def _tokenizers(roots: list[Path], problems: list[Problem]) -> TokenizerTable | None:
    """The tokenizer table of the lowest directory, with each higher directory's `tokenizers.yaml` (optional above
    the lowest) adding or replacing tokenizers by name."""
    merged: dict[str, Tokenizer] = {}
    tables = []
    for i, r in enumerate(roots):
        path = r / TOKENIZERS_FILE
        if i and not path.exists():
            continue
        try:
            tables.append(read_validated(TokenizerTable if i == 0 else TokenizerLayer, path, display(path))[0])
        except TcoError as e:
            problems += e.problems
            return None
        merged |= tables[-1].tokenizers
    if merged == tables[0].tokenizers:
        return tables[0]  # the layers above change nothing: the lowest was checked as a whole table already
    try:
        return TokenizerTable(tokenizers=merged)
    except ValueError as e:
        problems.append(Problem(display(roots[-1] / TOKENIZERS_FILE), None, "tokenizers", str(e).splitlines()[-1]))
        return None


def _in_force_files(roots: list[Path], day: dt.date) -> set[Path]:
    """Per vendor, the file of the version in force on `day` once the layers are laid over each other (files not
    named by a date are left for `_read_tree` to report)."""
    layers = []
    for r in roots:
        layer: dict[str, list[tuple[dt.date, Path]]] = {}
        for folder in (p for p in _entries(r, []) if p.is_dir()):
            for path in _entries(folder, []):
                if path.suffix not in (".yaml", ".yml"):
                    continue
                try:
                    layer.setdefault(folder.name, []).append((dt.date.fromisoformat(path.stem), path))
                except ValueError:
                    continue
        layers.append({v: sorted(files) for v, files in layer.items()})
    chosen = set()
    for files in laid_over(layers, version=lambda f: f[0]).values():
        current = [p for d, p in files if d <= day]
        if current:
            chosen.add(current[-1])
    return chosen


def _read_tree(root: Path, problems: list[Problem], located: Documents, broken: set[str],
               only: set[Path] | None = None) -> dict[str, list[BookFile]]:
    """Every version of every vendor in one directory (or those of its files in `only`), oldest first."""
    books: dict[str, list[BookFile]] = {}
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
            if only is not None and path not in only:
                continue
            try:
                book, sha256 = read_validated(PriceBook, path, name)
            except TcoError as e:
                problems += e.problems
                broken.add(folder.name)
                continue
            located.paths[name] = path
            if book.vendor != folder.name:
                problems.append(located[name].problem(("vendor",), f"is {book.vendor!r} but the file is in folder {folder.name!r}"))
            if book.version != version:
                problems.append(located[name].problem(("version",), f"is {book.version} but the file is named {path.name}"))
            books.setdefault(folder.name, []).append(BookFile(book, name, sha256))
    for versions in books.values():
        versions.sort(key=lambda b: b.version)
    return books


def laid_over(layers: Sequence[dict[str, list[Any]]], version: Any = lambda b: b.version) -> dict[str, list[Any]]:
    """Per vendor, the versions of the lowest layer that has it, each higher layer's versions taking over from the
    first of them on (the same date included: the higher layer's file wins)."""
    merged: dict[str, list[Any]] = {}
    for layer in layers:
        for vendor, versions in layer.items():
            first = version(versions[0])
            merged[vendor] = [v for v in merged.get(vendor, []) if version(v) < first] + list(versions)
    return merged


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


def load_selection(root: Roots, as_of: dt.date, offer_ids: Iterable[str]) -> Selection:
    """The price books in force on `as_of` for the vendors `offer_ids` name and the vendors their offers refer to,
    reading only those files, so that a workload costs the same time however large the tree grows.

    Whenever the shortcut cannot answer exactly as the whole tree would (a file it needs is bad, an offer is not
    there or is retired), the whole tree is read instead (`load_catalog`), for its errors and hints.
    """
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


def _dated_files(roots: list[Path], vendor: str) -> list[tuple[dt.date, Path]]:
    """A vendor's version files across the layers, as `laid_over` merges them."""
    layers = []
    for r in roots:
        folder = r / vendor
        if folder.is_dir():
            files = sorted((dt.date.fromisoformat(p.stem), p) for p in folder.iterdir() if p.suffix in (".yaml", ".yml"))
            if len(files) != len({d for d, _ in files}):
                raise LookupError(vendor)  # two files for one version: the whole tree says so
            if files:
                layers.append({vendor: files})
    return laid_over(layers, version=lambda f: f[0]).get(vendor, [])


def _read_vendors(root: Roots, as_of: dt.date, vendors: set[str]) -> tuple[Catalog, Documents]:
    """For each vendor, and each vendor its offers refer to, the one version in force on `as_of`."""
    roots, name_all = _layers(root)
    problems: list[Problem] = []
    tokenizers = _tokenizers(roots, problems)
    if tokenizers is None:
        raise TcoError(problems)
    books: dict[str, list[BookFile]] = {}
    located = Documents()
    todo = sorted(vendors)
    while todo:
        vendor = todo.pop()
        if vendor in books:
            continue
        version, path = max((f for f in _dated_files(roots, vendor) if f[0] <= as_of), key=lambda f: f[0])
        name = display(path)
        book, sha256 = read_validated(PriceBook, path, name)
        if (book.vendor, book.version) != (vendor, version):
            raise ValueError(name)
        books[vendor] = [BookFile(book, name, sha256)]
        located.paths[name] = path
        for offer in book.offers.values():
            refs = [getattr(offer, "spillover_offer", None), getattr(offer, "replacement", None),
                    *getattr(offer, "model_multipliers", {})]
            todo += [r.partition("/")[0] for r in refs if r and r.partition("/")[0] not in books]
    return Catalog(books, tokenizers, name_all), located


def _cross_references(catalog: Catalog, located: Documents, broken: Collection[str] = ()) -> list[Problem]:
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
            for key, offer in bf.book.offers.items():
                at = ("offers", key)
                if offer.replacement is not None and (offer.replacement not in ids and _vendor(offer.replacement) not in broken
                                                      or offer.replacement == f"{bf.vendor}/{key}"):
                    why = "is this offer itself" if offer.replacement in ids else "is not a known offer id (vendor/offer)"
                    problems.append(located[bf.file].problem(at + ("replacement",), f"{offer.replacement!r} {why}"
                                                f"{nearest(offer.replacement, ids - {f'{bf.vendor}/{key}'})}"))
                if isinstance(offer, (PerTokenOffer, ProvisionedOffer, SelfHostedOffer)) and offer.tokenizer not in tokenizer_names:
                    problems.append(located[bf.file].problem(at + ("tokenizer",), f"unknown tokenizer {offer.tokenizer!r}"
                                                f"{nearest(offer.tokenizer, tokenizer_names)}"))
                spill = offer.spillover_offer if isinstance(offer, (ProvisionedOffer, SelfHostedOffer)) else None
                if spill is not None and spill not in per_token and _vendor(spill) not in broken:
                    why = "is not a per_token offer" if spill in ids else "is not a known offer"
                    problems.append(located[bf.file].problem(at + ("spillover_offer",), f"{spill!r} {why}{nearest(spill, per_token)}"))
                if isinstance(offer, SeatOffer):
                    for model in offer.model_multipliers:
                        if model not in per_token and _vendor(model) not in broken:
                            problems.append(located[bf.file].problem(at + ("model_multipliers", model),
                                                        f"{model!r} is not a per_token offer id{nearest(model, per_token)}"))
                    if offer.model_multipliers and (offer.allowance is None or offer.allowance.unit != "request"):
                        problems.append(located[bf.file].problem(at + ("model_multipliers",), "model multipliers apply only to an allowance in unit request"))
    return problems


def _vendor(offer_id: str) -> str:
    return offer_id.partition("/")[0]
