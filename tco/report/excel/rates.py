"""The Rates sheet: every price-book entry a formula uses, with where it came from."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from tco.engine.job import Job
from tco.models.catalog import OfferRef
from tco.report.excel.cells import (
    BOLD,
    INPUT_FILL,
    INPUT_FONT,
    NOTE,
    NOTES_WIDTH,
    NUMBER,
    TITLE,
    edit_counter,
    fit_columns,
    header,
    page_setup,
    put,
    put_text,
    wrap,
)


@dataclass
class Tokenizers:
    """Where the tokenizer table came from, for the list of files read."""

    file: str = "tokenizers.yaml"
    sha256: str = ""


class Rates:
    """Every price-book entry a formula uses, one per row, with where it came from; above them, each price-book
    file used and its sha256."""

    COLUMNS = ["Offer", "Entry", "Value", "Unit", "Version", "Retrieved", "Source", "Notes"]
    EXPORTED = len(COLUMNS) + 1
    """The column (past the print area) holding each value as exported, to flag edits."""
    SOURCE_WIDTH = 56
    """The Source column fits links up to this long (LibreOffice never wraps a link; Excel does)."""
    UNIT_WIDTH = 22
    VALUE_WIDTH = 16
    """Names and other text values overflow into the (empty) Unit cell beside them."""

    def __init__(self, wb: Workbook, books: list[str]):
        self.ws = wb.create_sheet("Rates")
        self.refs: dict[tuple[str, str, str], str] = {}
        self.offers_seen: set[tuple[str, str]] = set()
        put_text(self.ws.cell(1, 1), "Rates: every price-book entry the formulas use").font = TITLE
        put_text(self.ws.cell(2, 1), "Values are editable; a change flows into Calc and Summary. Rates are USD; "
                                     "_mtok fields are per million tokens.").font = NOTE
        put_text(self.ws.cell(4, 1), "Files read (vendor and version: file, sha256):").font = BOLD
        for r, line in enumerate(books, 5):
            put_text(self.ws.cell(r, 1), line).font = NOTE
        self.header_row = 5 + len(books) + 1
        header(self.ws, self.header_row, [*self.COLUMNS, "As exported"], numeric=[3, self.EXPORTED])
        self.row = self.header_row + 1
        self.longest_url = 0

    def _write(self, owner: str, entry: str, value: Any, unit: str, version: str, retrieved: str, url: str,
               notes: str = "", fmt: str | None = None) -> str:
        ws, r = self.ws, self.row
        put_text(ws.cell(r, 1), owner)
        put_text(ws.cell(r, 2), entry)
        cell = put(ws.cell(r, 3), value, fmt or NUMBER)
        put(ws.cell(r, self.EXPORTED), value, fmt or NUMBER).font = NOTE
        if not isinstance(value, str):
            cell.font, cell.fill = INPUT_FONT, INPUT_FILL
        if len(put_text(ws.cell(r, 4), unit).value) > self.UNIT_WIDTH:
            wrap(ws.cell(r, 4), self.UNIT_WIDTH)
        put_text(ws.cell(r, 5), version)
        put_text(ws.cell(r, 6), retrieved)
        link = put_text(ws.cell(r, 7), url)
        if url.startswith(("https://", "http://")):
            link.hyperlink = url
            link.style = "Hyperlink"
        self.longest_url = max(self.longest_url, len(url))
        if notes:
            wrap(put_text(ws.cell(r, 8), notes), NOTES_WIDTH)
        self.row += 1
        return f"Rates!$C${r}"

    def _offer_row(self, ref: OfferRef, entry: str, value: Any, unit: str, notes: str = "", fmt: str | None = None) -> str:
        book, offer = ref.source, ref.offer
        return self._write(ref.id, entry, value, unit, book.version.isoformat(), offer.retrieved.isoformat(),
                           str(offer.source_urls[0]), notes, fmt)

    def offer(self, ref: OfferRef) -> None:
        """List the offer (its name, scheme and sources) though no formula reads its rates."""
        self._introduce(ref)

    def _introduce(self, ref: OfferRef) -> None:
        key = (ref.id, ref.source.file)
        if key in self.offers_seen:
            return
        self.offers_seen.add(key)
        offer = ref.offer
        others = [str(u) for u in offer.source_urls[1:]]
        notes = offer.notes + (("\nAlso: " + " ".join(others)) if others else "")
        self._offer_row(ref, "name", offer.name, "", notes.strip())
        self._offer_row(ref, "scheme", offer.scheme, "")

    def rate(self, ref: OfferRef, entry: str, value: Decimal | int, unit: str, fmt: str | None = None) -> str:
        """The cell holding `entry` of the offer `ref` (written on first use)."""
        key = (ref.id, ref.source.file, entry)
        if key not in self.refs:
            self._introduce(ref)
            self.refs[key] = self._offer_row(ref, entry, value, unit, fmt=fmt)
        return self.refs[key]

    def text(self, ref: OfferRef, entry: str, value: str, note: str = "") -> None:
        key = (ref.id, ref.source.file, entry)
        if key not in self.refs:
            self._introduce(ref)
            self.refs[key] = self._offer_row(ref, entry, value, "", note)

    def tokenizer(self, job: Job, name: str) -> str:
        """The cell holding tokenizer `name`'s ratio to o200k for the workload's content."""
        content = job.workload.content
        key = ("tokenizer", name, content)
        if key not in self.refs:
            table = job.selection.tokenizers
            value, measured = table.ratio(name, content)
            entry = table.tokenizers[name]
            notes = f"Tokens per o200k token for {content}"
            notes += "" if measured else f" (no {content} measurement on the chain: prose ratio used, as tco does)"
            notes += f"; relative to {entry.relative_to}, multiplied out" if entry.relative_to != "o200k" else ""
            self.refs[key] = self._write(f"tokenizer {name}", f"tokenizers.{name}.ratio.{content}", value,
                                         "× o200k tokens", "", entry.retrieved.isoformat(),
                                         str(entry.source_urls[0]), notes + ".")
        return self.refs[key]

    def finish(self) -> None:
        ws = self.ws
        first, last, exported = self.header_row + 1, self.row - 1, get_column_letter(self.EXPORTED)
        edit_counter(ws, 3, 3, f"$C${first}:$C${last}", f"${exported}${first}:${exported}${last}", "rates_edited",
                     "Rates")
        ws.freeze_panes = ws.cell(self.header_row + 1, 1)
        fit_columns(ws, self.header_row, {"C": self.VALUE_WIDTH, "D": self.UNIT_WIDTH, exported: self.VALUE_WIDTH,
                                          "G": min(self.longest_url + 2, self.SOURCE_WIDTH), "H": NOTES_WIDTH}, cap=40)
        page_setup(ws, len(self.COLUMNS), self.row - 1, f"{self.header_row}:{self.header_row}")
