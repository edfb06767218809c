"""All price books of a tree, and the selection of one version per vendor as of a date."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

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

    def all_offer_ids(self) -> set[str]:
        return {f"{b.vendor}/{key}" for versions in self.books.values() for b in versions for key in b.book.offers}

    def as_of(self, date: dt.date) -> Selection:
        """Per vendor, the newest version effective on or before `date`."""
        chosen = {}
        for vendor, versions in self.books.items():
            current = [b for b in versions if b.version <= date]
            if current:
                chosen[vendor] = current[-1]
        return Selection(date, chosen, self.tokenizers, self.all_offer_ids())


@dataclass
class Selection:
    """The price books in force on one date."""

    as_of: dt.date
    books: dict[str, BookFile]
    tokenizers: TokenizerTable
    known_ids: set[str] = field(default_factory=set)

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

    def explain_missing(self, offer_id: str) -> str:
        """Why `offer_id` is not on sale on this date, with the nearest valid ids."""
        if offer_id in self.known_ids:
            return f"offer {offer_id!r} is not in the price books in force on {self.as_of} (try another --as-of)"
        return f"unknown offer {offer_id!r}{nearest(offer_id, self.offers)}"

    def get(self, offer_id: str) -> OfferRef:
        found = self.find(offer_id)
        if found is None:
            raise TcoError(self.explain_missing(offer_id))
        return found
