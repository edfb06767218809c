"""All price books of a tree, and the selection of one version per vendor as of a date."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property

from tco.errors import TcoError, nearest
from tco.models.pricebook import Offer, PriceBook
from tco.models.tokenizer import TokenizerTable


@dataclass(frozen=True)
class BookFile:
    """A price-book version as read from its file."""

    book: PriceBook
    file: str
    sha256: str

    @property
    def vendor(self) -> str:
        return self.book.vendor

    @property
    def version(self) -> dt.date:
        return self.book.version


@dataclass(frozen=True)
class OfferRef:
    """An offer with the book version it came from."""

    id: str
    offer: Offer
    source: BookFile


@dataclass
class Catalog:
    """Every version of every vendor's price book, and the tokenizer table."""

    books: dict[str, list[BookFile]]
    """Versions by vendor, oldest first."""
    tokenizers: TokenizerTable
    root: str = ""

    @cached_property
    def offer_ids(self) -> set[str]:
        """Every offer id in any version (worked out once: `as_of` hands it to every selection)."""
        return {f"{b.vendor}/{key}" for versions in self.books.values() for b in versions for key in b.book.offers}

    def as_of(self, date: dt.date) -> Selection:
        """Per vendor, the newest version effective on or before `date`."""
        chosen = {}
        for vendor, versions in self.books.items():
            current = [b for b in versions if b.version <= date]
            if current:
                chosen[vendor] = current[-1]
        return Selection(date, chosen, self.tokenizers, self.offer_ids, self)

    def newest_listing(self, offer_id: str) -> OfferRef | None:
        """The offer as listed in the newest version that has it."""
        vendor, _, key = offer_id.partition("/")
        listed = [b for b in self.books.get(vendor, []) if key in b.book.offers]
        return OfferRef(offer_id, listed[-1].book.offers[key], listed[-1]) if listed else None

    def on_sale(self, offer_id: str) -> list[Span]:
        """The periods in which `offer_id` can be bought: from a version that lists it (or its release) until the
        next version that leaves it out (or its retirement), adjoining periods joined."""
        vendor, _, key = offer_id.partition("/")
        versions = self.books.get(vendor, [])
        spans: list[Span] = []
        for i, bf in enumerate(versions):
            offer = bf.book.offers.get(key)
            if offer is None:
                continue
            start = max(bf.version, offer.released or bf.version)
            ends = [d for d in (versions[i + 1].version if i + 1 < len(versions) else None, offer.retired) if d]
            end = min(ends) if ends else None
            if end is not None and end <= start:
                continue
            if spans and spans[-1].end == start:
                spans[-1] = Span(spans[-1].start, end)
            else:
                spans.append(Span(start, end))
        return spans


@dataclass(frozen=True)
class Span:
    """A period from `start` until the day before `end` (None: no end known)."""

    start: dt.date
    end: dt.date | None

    def __contains__(self, day: dt.date) -> bool:
        return self.start <= day and (self.end is None or day < self.end)

    def __str__(self) -> str:
        if self.end is None:
            return f"from {self.start} on"
        return f"from {self.start} to {self.end - dt.timedelta(days=1)}"


@dataclass
class Selection:
    """The price books in force on one date."""

    as_of: dt.date
    books: dict[str, BookFile]
    tokenizers: TokenizerTable
    known_ids: set[str] = field(default_factory=set)
    catalog: Catalog | None = None
    """The catalog it was selected from, to say when an offer missing here is on sale."""

    @property
    def offers(self) -> dict[str, OfferRef]:
        return {
            f"{vendor}/{key}": OfferRef(f"{vendor}/{key}", offer, book)
            for vendor, book in sorted(self.books.items())
            for key, offer in book.book.offers.items()
        }

    def find(self, offer_id: str) -> OfferRef | None:
        vendor, _, key = offer_id.partition("/")
        book = self.books.get(vendor)
        if book and key in book.book.offers:
            return OfferRef(offer_id, book.book.offers[key], book)
        return None

    def retired(self, offer_id: str) -> OfferRef | None:
        """A retired offer that later versions leave out: its last listing before this date, if retired by then."""
        vendor, _, key = offer_id.partition("/")
        listed = [b for b in (self.catalog.books.get(vendor, []) if self.catalog else []) if b.version <= self.as_of
                  and key in b.book.offers]
        if not listed:
            return None
        offer = listed[-1].book.offers[key]
        return OfferRef(offer_id, offer, listed[-1]) if offer.retired_by(self.as_of) else None

    def explain_missing(self, offer_id: str) -> str:
        """Why `offer_id` is not on sale on this date, with the nearest valid ids."""
        if offer_id in self.known_ids:
            return f"offer {offer_id!r} is not in the price books in force on {self.as_of}{self.when_on_sale(offer_id)}"
        return f"unknown offer {offer_id!r}{nearest(offer_id, self.offers)}"

    def when_on_sale(self, offer_id: str) -> str:
        """'; it is on sale from … (try --as-of …)': a hint at the dates on which `offer_id` can be priced."""
        spans = self.catalog.on_sale(offer_id) if self.catalog else []
        if not spans:
            return " (try another --as-of)"
        before = [s for s in spans if s.end is not None and s.end <= self.as_of]
        try_date = spans[0].start if not before else before[-1].end - dt.timedelta(days=1)  # type: ignore[operator]
        return f"; it is on sale {' and '.join(str(s) for s in spans)} (try --as-of {try_date})"

    def get(self, offer_id: str) -> OfferRef:
        found = self.find(offer_id)
        if found is None:
            raise TcoError(self.explain_missing(offer_id))
        return found
