"""The Rates sheet: every price-book entry a formula uses, with where it came from."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from openpyxl import Workbook

from tco.engine.job import Job
from tco.models.catalog import OfferRef
from tco.report.excel.cells import (
    INPUT_FILL,
    INPUT_FONT,
    NOTE,
    NOTES_WIDTH,
    NUMBER,
    TITLE,
    fit_columns,
    header,
    page_setup,
    put,
    put_text,
    wrap,
)


@dataclass
class Tokenizers:
    """Where the tokenizer table came from, for the Rates sheet."""

    file: str = "tokenizers.yaml"
    sha256: str = ""


class Rates:
    """Every price-book entry a formula uses, one per row, with where it came from."""

    COLUMNS = ["Offer", "Entry", "Value", "Unit", "Vendor", "Version", "Retrieved", "Source", "Price-book file",
               "sha256", "Notes"]

    def __init__(self, wb: Workbook, tokenizers: Tokenizers):
        self.ws = wb.create_sheet("Rates")
        self.tokenizers = tokenizers
        self.refs: dict[tuple[str, str, str], str] = {}
        self.offers_seen: set[tuple[str, str]] = set()
        put_text(self.ws.cell(1, 1), "Rates: every price-book entry the formulas use").font = TITLE
        put_text(self.ws.cell(2, 1), "Values are editable; a change flows into Calc and Summary. Rates are USD; "
                                     "_mtok fields are per million tokens.").font = NOTE
        self.header_row = 4
        header(self.ws, self.header_row, self.COLUMNS)
        self.row = self.header_row + 1

    def _write(self, owner: str, entry: str, value: Any, unit: str, vendor: str, version: str, retrieved: str,
               url: str, file: str, sha: str, notes: str = "", fmt: str | None = None) -> str:
        ws, r = self.ws, self.row
        put_text(ws.cell(r, 1), owner)
        put_text(ws.cell(r, 2), entry)
        cell = put(ws.cell(r, 3), value, fmt or NUMBER)
        if not isinstance(value, str):
            cell.font, cell.fill = INPUT_FONT, INPUT_FILL
        put_text(ws.cell(r, 4), unit)
        put_text(ws.cell(r, 5), vendor)
        put_text(ws.cell(r, 6), version)
        put_text(ws.cell(r, 7), retrieved)
        link = put_text(ws.cell(r, 8), url)
        if url.startswith(("https://", "http://")):
            link.hyperlink = url
            link.style = "Hyperlink"
        put_text(ws.cell(r, 9), file)
        put_text(ws.cell(r, 10), sha)
        if notes:
            wrap(put_text(ws.cell(r, 11), notes), NOTES_WIDTH)
        self.row += 1
        return f"Rates!$C${r}"

    def _offer_row(self, ref: OfferRef, entry: str, value: Any, unit: str, notes: str = "", fmt: str | None = None) -> str:
        book, offer = ref.source, ref.offer
        return self._write(ref.id, entry, value, unit, book.vendor, book.version.isoformat(),
                           offer.retrieved.isoformat(), str(offer.source_urls[0]), book.file, book.sha256, notes, fmt)

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
                                         "× o200k tokens", "tokenizers", "", entry.retrieved.isoformat(),
                                         str(entry.source_urls[0]), self.tokenizers.file, self.tokenizers.sha256,
                                         notes + ".")
        return self.refs[key]

    def finish(self) -> None:
        ws = self.ws
        ws.freeze_panes = ws.cell(self.header_row + 1, 1)
        fit_columns(ws, self.header_row, {"J": 66, "K": NOTES_WIDTH})
        page_setup(ws, len(self.COLUMNS), self.row - 1, f"{self.header_row}:{self.header_row}")
