"""The comparison as an Excel workbook: editable assumptions and rates, live formulas, charts.

Sheets: Summary (ranked figures, verdict, charts), Assumptions (every workload input, a defined name each),
Rates (every price-book entry used, with its source), Calc (each candidate's figures as formulas over the
two), and after a simulation, Simulation (percentiles, chance of being cheapest, a histogram: values tco
computed, not formulas). The formulas mirror the engine's arithmetic (tco/engine); where the engine decides
something that is not a simple formula (the break-even success rate, the long-context tier, a commitment
term), the workbook holds the engine's choice as exported and says so beside it. A range in the workload
counts as its likely value, as in the engine, and Assumptions says so. Text that came from a file is always
written as a string (`cell_text`, data type "s"): it can never become a formula.
"""

from __future__ import annotations

import io
import math
import textwrap
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import pairwise
from typing import TYPE_CHECKING, Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.chart import BarChart, Reference
from openpyxl.packaging.custom import StringProperty
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from tco import __version__
from tco.engine.compare import CandidateResult, Comparison, ranked_by
from tco.engine.job import Job
from tco.engine.per_token import call_tokens, tokenizer_ratio
from tco.files.workloads import WorkloadFile
from tco.models.catalog import OfferRef
from tco.models.pricebook import (
    CreditOffer,
    PerConversationOffer,
    PerResolutionOffer,
    PerTokenOffer,
    ProvisionedOffer,
    RateCard,
    SeatOffer,
)
from tco.models.workload import HOURS_PER_PERIOD, MONTHS_PER_PERIOD, Candidate, Human, Task, Workload
from tco.report.document import document
from tco.report.text import cell_text

if TYPE_CHECKING:
    from tco.engine.simulate import CandidateSpread, Simulation

NOT_LIVE = "computed by tco (not live)"
"""Beside a figure the workbook holds as tco computed it, not as a formula."""

USD = '"$"#,##0.00'
USD_TASK = '"$"#,##0.0000'
USD_FINE = '"$"#,##0.00######'
SHARE = "0.00%"
RATIO = '0.00"×"'
NUMBER = "General"
COUNT = "#,##0"

BOLD = Font(bold=True)
TITLE = Font(bold=True, size=14)
NOTE = Font(italic=True, color="666666")
KEY_FONT = Font(color="808080", size=8)
INPUT_FONT = Font(color="0000FF")
INPUT_FILL = PatternFill("solid", start_color="FFF2CC")
HEADER_FILL = PatternFill("solid", start_color="D9E1F2")
BLOCK_FILL = PatternFill("solid", start_color="EDEDED")
WRAP = Alignment(wrap_text=True, vertical="top")

MAX_CELL_TEXT = 32_767
NOTES_WIDTH = 80

# Workload keys in file order: (key, unit). Text keys select rates or periods and are shown, not named.
TOP_KEYS = (("workload", ""), ("period", "month or year"), ("tasks", "tasks per period"),
            ("tokenizer", "tokenizer name"), ("content", "prose, code or cjk"), ("seats", "seats"),
            ("working_hours", "hours per period"), ("peak_factor", "× average demand"))
UNITS = {
    "calls": "calls per attempt", "input_tokens": "tokens per call", "cached_input_share": "share of input",
    "cache_write_tokens": "tokens per call", "cache_write_ttl": "5m or 1h", "output_tokens": "tokens per call",
    "reasoning_tokens": "tokens per call", "format_retry_rate": "share of calls", "max_attempts": "attempts",
    "batch_share": "share of calls", "service_tier": "standard, flex or priority", "requests": "requests per attempt",
    "actions": "actions per attempt", "hourly_cost": "USD per hour", "review_minutes": "minutes per attempt",
    "task_minutes": "minutes per task", "failure_cost": "USD per failed task", "success_rate": "share per attempt",
    "assumed_resolution_share": "share of unresolved tasks", "units": "units", "seats": "seats",
}
TEXT_KEYS = {"workload", "period", "tokenizer", "content", "cache_write_ttl", "service_tier"}
MONEY_KEYS = {"hourly_cost", "failure_cost"}
SHARE_KEYS = {"cached_input_share", "format_retry_rate", "batch_share", "success_rate", "assumed_resolution_share"}
KIND_NAMES = ("input", "cached_input", "cache_write", "output", "reasoning")


# ---------------------------------------------------------------- cells


def clean(text: str) -> str:
    """Text a workbook can hold: no control characters, within Excel's cell limit."""
    return ILLEGAL_CHARACTERS_RE.sub("\ufffd", text)[:MAX_CELL_TEXT]


def put_text(cell: Cell, text: str) -> Cell:
    """Text from anywhere as a string cell that can never be read as a formula."""
    cell.value = clean(cell_text(str(text)))
    cell.data_type = "s"
    return cell


def put(cell: Cell, value: Any, fmt: str | None = None) -> Cell:
    """A number, a formula (our own, starting '='), or text (always as a string)."""
    if isinstance(value, Formula):
        cell.value = "=" + value.text
    elif isinstance(value, str):
        return put_text(cell, value)
    elif isinstance(value, Decimal):
        cell.value = int(value) if value == value.to_integral_value() and abs(value) < 2**53 else float(value)
    else:
        cell.value = value
    if fmt:
        cell.number_format = fmt
    return cell


@dataclass(frozen=True)
class Formula:
    """A formula the builder wrote (never text from a file); `text` has no leading '='."""

    text: str


def num(value: Decimal | int) -> str:
    """A constant inside a formula."""
    return format(Decimal(value).normalize(), "f")


def fit_columns(ws: Worksheet, min_row: int, widths: dict[str, float] | None = None, cap: float = 60,
                max_row: int | None = None) -> None:
    """Column widths fitted to what the cells of rows `min_row`… show (a formula counted as a dozen characters)."""
    best: dict[int, float] = {}
    for row in ws.iter_rows(min_row=min_row, max_row=max_row):
        for cell in row:
            if cell.value is None or (cell.alignment and cell.alignment.wrap_text):
                continue
            if cell.data_type == "f":
                size = 13.0
            elif isinstance(cell.value, (int, float)):
                size = len(f"{cell.value:,.4f}".rstrip("0").rstrip(".")) + 3
            else:
                size = max(len(line) for line in str(cell.value).split("\n")) + 2
            best[cell.column] = max(best.get(cell.column, 8.0), min(size, cap))
    for col, width in best.items():
        ws.column_dimensions[get_column_letter(col)].width = width
    for letter, width in (widths or {}).items():
        ws.column_dimensions[letter].width = width


def wrap(cell: Cell, width: float) -> None:
    """Wrap the cell's text and make its row tall enough to show it (spreadsheets do not grow rows on open)."""
    ws = cell.parent
    per_line = int(width * 1.15)  # characters of the default font per line at this width, roughly
    lines = sum(max(1, -(-len(line) // per_line)) for line in str(cell.value or "").split("\n"))
    ws.row_dimensions[cell.row].height = max(ws.row_dimensions[cell.row].height or 0, 13 * lines)
    for other in ws[cell.row]:
        other.alignment = Alignment(vertical="top", wrap_text=other is cell)


def tall(ws: Worksheet, row: int) -> None:
    """Make a row of wrapped text tall enough to show it at its columns' widths (rows do not grow on open)."""
    lines = 1
    for cell in ws[row]:
        if cell.value is not None:
            per_line = max(int(ws.column_dimensions[cell.column_letter].width or 8.43) - 1, 1)
            lines = max(lines, len(textwrap.wrap(str(cell.value), per_line)))
    ws.row_dimensions[row].height = 13 * lines


def page_setup(ws: Worksheet, last_col: int, last_row: int, title_rows: str | None) -> None:
    """Landscape, fitted to one page wide, with a print area and repeated header rows."""
    ws.page_setup.orientation = "landscape"
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.print_area = f"A1:{get_column_letter(last_col)}{max(last_row, 1)}"
    if title_rows:
        ws.print_title_rows = title_rows
    ws.print_options.gridLines = False


def header(ws: Worksheet, row: int, labels: list[str]) -> None:
    for col, label in enumerate(labels, 1):
        cell = put_text(ws.cell(row, col), label)
        cell.font, cell.fill = BOLD, HEADER_FILL


def first_line(text: str | None) -> str:
    return (text or "").strip().split("\n")[0]


# ---------------------------------------------------------------- Assumptions


class Assumptions:
    """Every workload input, one per row, editable, each numeric one under a defined name."""

    COLUMNS = ["Name", "Value", "Unit", "Workload key", "Explanation"]

    def __init__(self, wb: Workbook, workload: Workload, ranges: dict[str, str] | None = None):
        self.wb, self.w = wb, workload
        self.ranges = ranges or {}  # workload key → the range given there; the sheet holds its likely value
        self.ws = wb.create_sheet("Assumptions")
        self.row = 1
        self.names: set[str] = set()
        self.shares: list[str] = []
        self.probabilities: list[str] = []
        self.retry_rates: list[str] = []
        put_text(self.ws.cell(1, 1), f"Assumptions: {workload.workload}").font = TITLE
        put_text(self.ws.cell(2, 1), "Blue cells on yellow are inputs: edit them and every figure that depends on "
                                     "them recomputes. Text inputs select rates and are not live.").font = NOTE
        self.row = 4
        header(self.ws, self.row, self.COLUMNS)
        self.header_row = self.row
        self.row += 1

    def section(self, title: str) -> None:
        self.row += 1
        cell = put_text(self.ws.cell(self.row, 1), title)
        cell.font = BOLD
        self.row += 1

    def add(self, name: str | None, value: Any, key: str, unit: str, explanation: str, fmt: str | None = None) -> None:
        """One input row; a numeric one gets the defined name `name`."""
        ws, r = self.ws, self.row
        put_text(ws.cell(r, 1), name or "")
        cell = ws.cell(r, 2)
        if value is None:
            pass
        elif isinstance(value, str):
            put_text(cell, value)
        else:
            put(cell, value, fmt or NUMBER)
        cell.font, cell.fill = INPUT_FONT, INPUT_FILL
        put_text(ws.cell(r, 3), unit)
        put_text(ws.cell(r, 4), key)
        if key in self.ranges:
            explanation += f" Range: {self.ranges[key]}; likely value shown."
        put_text(ws.cell(r, 5), explanation)
        if name:
            self.define(name, r)
            base = key.rsplit(".", 1)[-1]
            if base == "success_rate":
                self.probabilities.append(f"B{r}")
            elif base == "format_retry_rate":
                self.retry_rates.append(f"B{r}")
            elif base in SHARE_KEYS:
                self.shares.append(f"B{r}")
        self.row += 1

    def derived(self, name: str, formula: Formula, unit: str, explanation: str) -> None:
        ws, r = self.ws, self.row
        put_text(ws.cell(r, 1), name)
        put(ws.cell(r, 2), formula, NUMBER)
        put_text(ws.cell(r, 3), unit)
        put_text(ws.cell(r, 4), "(from period)")
        put_text(ws.cell(r, 5), explanation)
        self.define(name, r)
        self.row += 1

    def define(self, name: str, row: int) -> None:
        assert name not in self.names, name
        self.names.add(name)
        self.wb.defined_names[name] = DefinedName(name, attr_text=f"Assumptions!$B${row}")

    def fill(self, jobs: list[Job]) -> None:
        w = self.w
        self.section("Workload")
        for key, unit in TOP_KEYS:
            value = getattr(w, key)
            named = key if key not in TEXT_KEYS or key == "period" else None
            note = first_line(Workload.model_fields[key].description)
            if key in ("tokenizer", "content"):
                note += " Selects tokenizer ratios on Rates (not live)."
            self.add(named, value, key, unit, note, COUNT if key == "seats" else None)
        self.derived("months_per_period", Formula(f'IF(period="year",{num(MONTHS_PER_PERIOD["year"])},'
                                                  f'{num(MONTHS_PER_PERIOD["month"])})'),
                     "months", "Months in the period: fees quoted per month are multiplied by this.")
        self.derived("hours_per_period", Formula(f'IF(period="year",{num(HOURS_PER_PERIOD["year"])},'
                                                 f'{num(HOURS_PER_PERIOD["month"])})'),
                     "hours", "Hours in the period: fees quoted per unit-hour are multiplied by this.")
        self.section("Task: one attempt at one task")
        for key in Task.model_fields:
            self.task_or_human("task", key, getattr(w.task, key), Task)
        self.section("People")
        for key in Human.model_fields:
            self.task_or_human("human", key, getattr(w.human, key), Human)
        for n, job in enumerate(jobs, 1):
            self.candidate(n, job)

    def task_or_human(self, group: str, key: str, value: Any, model: type, n: int | None = None) -> None:
        name = None if key in TEXT_KEYS else (key if n is None else f"{key}_{n}")
        where = f"{group}.{key}" if n is None else f"candidates[{n - 1}].{group}.{key}"
        note = first_line(model.model_fields[key].description)
        if key in TEXT_KEYS:
            note += " Selects the rate card (not live)."
        fmt = USD if key in MONEY_KEYS else (COUNT if key == "max_attempts" else None)
        self.add(name, value, where, UNITS.get(key, ""), note, fmt)

    def candidate(self, n: int, job: Job) -> None:
        c = job.candidate
        at = f"candidates[{n - 1}]"
        self.section(f"Candidate {n}: {c.name}")
        fields = Candidate.model_fields
        self.add(None, c.offer, f"{at}.offer", "vendor/offer", first_line(fields["offer"].description))
        if c.label:
            self.add(None, c.label, f"{at}.label", "", first_line(fields["label"].description))
        self.add(f"success_rate_{n}", c.success_rate, f"{at}.success_rate", UNITS["success_rate"],
                 first_line(fields["success_rate"].description))
        if uses_assumed_share(job) or c.assumed_resolution_share:
            self.add(f"assumed_resolution_share_{n}", c.assumed_resolution_share, f"{at}.assumed_resolution_share",
                     UNITS["assumed_resolution_share"], first_line(fields["assumed_resolution_share"].description))
        for key in ("term", "model"):
            if getattr(c, key) is not None:
                self.add(None, getattr(c, key), f"{at}.{key}", "",
                         first_line(fields[key].description) + " Selects rates (not live).")
        for key in ("seats", "units"):
            if getattr(c, key) is not None:
                self.add(f"{key}_{n}", getattr(c, key), f"{at}.{key}", UNITS[key], first_line(fields[key].description),
                         COUNT)
        for group, model, override in (("task", Task, c.task), ("human", Human, c.human)):
            if override is None:
                continue
            for key, value in override.model_dump(exclude_none=True).items():
                self.task_or_human(group, key, value, model, n)

    def finish(self) -> None:
        ws = self.ws
        for cells, rule in ((self.shares, ("between", 0, 1)), (self.probabilities, ("between", "0.000000001", 1))):
            if cells:
                dv = DataValidation(type="decimal", operator=rule[0], formula1=str(rule[1]), formula2=str(rule[2]),
                                    showErrorMessage=True, errorTitle="Out of range",
                                    error="Expected a share between 0 and 1.")
                for cell in cells:
                    dv.add(cell)
                ws.add_data_validation(dv)
        if self.retry_rates:
            dv = DataValidation(type="decimal", operator="between", formula1="0", formula2="0.999999999",
                                showErrorMessage=True, errorTitle="Out of range",
                                error="format_retry_rate must be below 1: at 1 every call is repeated for ever.")
            for cell in self.retry_rates:
                dv.add(cell)
            ws.add_data_validation(dv)
        ws.freeze_panes = ws.cell(self.header_row + 1, 1)
        fit_columns(ws, self.header_row, cap=110)
        page_setup(ws, len(self.COLUMNS), self.row - 1, f"{self.header_row}:{self.header_row}")


def uses_assumed_share(job: Job) -> bool:
    offer = job.ref.offer
    return isinstance(offer, CreditOffer) or (isinstance(offer, PerResolutionOffer)
                                              and offer.counts == "confirmed_and_assumed")


# ---------------------------------------------------------------- Rates


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


# ---------------------------------------------------------------- Calc


@dataclass
class Block:
    """One candidate's figures on the Calc sheet: a row each, value in column C."""

    ws: Worksheet
    n: int
    row: int
    refs: dict[str, str] = field(default_factory=dict)

    def add(self, label: str, value: Any, fmt: str | None, key: str | None = None, how: str = "",
            unit: str = "") -> str:
        ws, r = self.ws, self.row
        put(ws.cell(r, 1), self.n)
        put_text(ws.cell(r, 2), label)
        put(ws.cell(r, 3), value, fmt)
        put_text(ws.cell(r, 4), unit)
        put_text(ws.cell(r, 5), key or "")
        if how:
            cell = put_text(ws.cell(r, 6), how)
            if "not live" in how:
                cell.font = NOTE
        self.row += 1
        ref = f"$C${r}"
        if key:
            self.refs[key] = ref
        return ref


class Formulas:
    """Formulas for one candidate: effective inputs, token expressions, per-token call charges."""

    def __init__(self, job: Job, result: CandidateResult, n: int, rates: Rates, block: Block):
        self.job, self.result, self.n, self.rates, self.b = job, result, n, rates, block
        c = job.candidate
        self.overrides = set()
        for group in (c.task, c.human):
            if group is not None:
                self.overrides |= set(group.model_dump(exclude_none=True))

    def v(self, key: str) -> str:
        """The defined name holding this candidate's value of a workload key."""
        c = self.job.candidate
        if key in self.overrides or (key in ("seats", "units") and getattr(c, key) is not None):
            return f"{key}_{self.n}"
        return key

    @property
    def s(self) -> str:
        return f"success_rate_{self.n}"

    @property
    def a(self) -> str:
        return f"assumed_resolution_share_{self.n}"

    def calls_per_attempt(self) -> str:
        return f"{self.v('calls')}/(1-{self.v('format_retry_rate')})"

    def ratio(self, tokenizer: str) -> str:
        ours = self.rates.tokenizer(self.job, tokenizer)
        theirs = self.rates.tokenizer(self.job, self.job.workload.tokenizer)
        return f"({ours}/{theirs})"

    def tokens(self, ratio: str) -> dict[str, str]:
        v = self.v
        return {"I": f"{v('input_tokens')}*{ratio}", "h": v("cached_input_share"),
                "W": f"{v('cache_write_tokens')}*{ratio}", "O": f"{v('output_tokens')}*{ratio}",
                "R": f"{v('reasoning_tokens')}*{ratio}",
                "size": f"(({v('input_tokens')}+{v('cache_write_tokens')})*{ratio})"}

    # per-token rate cards, as tco/engine/per_token.py reads them
    def card(self, ref: OfferRef, service: str, tier: int | None) -> tuple[RateCard, str] | None:
        offer = ref.offer
        assert isinstance(offer, PerTokenOffer)
        card = offer.rate_card(service, tier)
        if card is None:
            return None
        prefix = "" if tier is None else f"context_tiers[{tier}]."
        return card, prefix + ("rates" if service == "standard" else f"service_tiers.{service}")

    def card_refs(self, ref: OfferRef, card: RateCard, path: str) -> dict[str, str]:
        """Cells of the rates each kind is billed at, with the engine's fallbacks for absent rates."""
        unit = "USD per million tokens"
        r = lambda name: self.rates.rate(ref, f"{path}.{name}", getattr(card, name), unit, USD_FINE)  # noqa: E731
        ttl = self.job.task.cache_write_ttl
        if ttl == "1h" and card.cache_write_1h_mtok is not None:
            write = r("cache_write_1h_mtok")
        elif card.cache_write_mtok is not None:
            write = r("cache_write_mtok")
        else:
            write = r("input_mtok")
        return {
            "input": r("input_mtok"),
            "cached_input": r("cached_input_mtok") if card.cached_input_mtok is not None else r("input_mtok"),
            "cache_write": write,
            "output": r("output_mtok"),
            "reasoning": r("reasoning_mtok") if card.reasoning_mtok is not None else r("output_mtok"),
        }

    def card_charge(self, rates: dict[str, str], t: dict[str, str], share: str | None) -> dict[str, str]:
        sh = f"*{share}" if share else ""
        return {
            "input": f"{t['I']}*(1-{t['h']}){sh}*{rates['input']}/1000000",
            "cached_input": f"{t['I']}*{t['h']}{sh}*{rates['cached_input']}/1000000",
            "cache_write": f"{t['W']}{sh}*{rates['cache_write']}/1000000",
            "output": f"{t['O']}*{rates['output']}/1000000",
            "reasoning": f"{t['R']}*{rates['reasoning']}/1000000",
        }

    def priced_call(self, ref: OfferRef, t: dict[str, str], service: str) -> tuple[dict[str, str], str] | None:
        """One call's charge by kind on one service tier; the long-context tier is chosen as the engine did."""
        offer = ref.offer
        assert isinstance(offer, PerTokenOffer)
        ratio, _ = tokenizer_ratio(self.job, offer.tokenizer)
        size = call_tokens(self.job, ratio).prompt_size
        crossed = [i for i, tier in enumerate(offer.context_tiers) if size > tier.above_input_tokens]
        where = f"a call's input is {size:,.0f} tokens"
        if not crossed:
            card = self.card(ref, service, None)
            if card is None:
                return None
            above = f"; tiers start above {offer.context_tiers[0].above_input_tokens:,}" if offer.context_tiers else ""
            return self.card_charge(self.card_refs(ref, *card), t, None), f"{card[1]} ({where}{above})"
        top = crossed[-1]
        if offer.context_tiers[top].rule == "whole_request":
            card = self.card(ref, service, top)
            if card is None:
                return None
            return (self.card_charge(self.card_refs(ref, *card), t, None),
                    f"{card[1]} (whole_request: {where}, above {offer.context_tiers[top].above_input_tokens:,})")
        bounds = [0] + [offer.context_tiers[i].above_input_tokens for i in crossed]
        base = self.card(ref, service, None)
        if base is None:
            return None
        first = f"{bounds[1]}/{t['size']}"
        total = self.card_charge(self.card_refs(ref, *base), t, first)
        for band, i in enumerate(crossed, start=1):
            card = self.card(ref, service, i)
            if card is None:
                return None
            upper = f"({t['size']}-{bounds[band]})" if band == len(crossed) else f"{bounds[band + 1] - bounds[band]}"
            part = self.card_charge(self.card_refs(ref, *card), t, f"{upper}/{t['size']}")
            for k in ("input", "cached_input", "cache_write"):
                total[k] += "+" + part[k]
        return total, f"marginal bands: {base[1]} up to {bounds[1]:,}, then " + ", ".join(
            f"context_tiers[{i}]" for i in crossed) + f" ({where})"

    def call_charge(self, ref: OfferRef, ratio: str, batch: bool) -> tuple[dict[str, str], str]:
        """Call charge by kind: the batch share at batch rates when the offer sells them, the rest at the
        task's service tier (tco/engine/per_token.py call_charge)."""
        t = self.tokens(ratio)
        service = self.job.task.service_tier
        direct = self.priced_call(ref, t, service)
        assert direct is not None, "the engine accepted this service tier"
        charges, note = direct
        if not batch:
            return charges, note
        priced = self.priced_call(ref, t, "batch")
        if priced is None:
            return charges, note + "; the offer sells no batch rates here, so batch_share must stay 0"
        batched, batch_note = priced
        b = self.v("batch_share")
        return ({k: f"(1-{b})*({charges[k]})+{b}*({batched[k]})" for k in charges},
                note + f"; batch share at {batch_note.split(' (')[0]}")


def scheme_rows(c: Formulas) -> dict[str, Any]:
    """The scheme's own rows; returns cell refs or expressions for the common tail."""
    offer = c.job.ref.offer
    if isinstance(offer, PerTokenOffer):
        return per_token_rows(c)
    if isinstance(offer, PerResolutionOffer):
        return per_resolution_rows(c)
    if isinstance(offer, PerConversationOffer):
        return per_conversation_rows(c)
    if isinstance(offer, SeatOffer):
        return seat_rows(c)
    if isinstance(offer, CreditOffer):
        return credit_rows(c)
    if isinstance(offer, ProvisionedOffer):
        return provisioned_rows(c)
    raise AssertionError(offer.scheme)


TIER_NOTE = "rate card chosen by tco for the workload as given: tier selection is not live"


def per_token_rows(c: Formulas) -> dict[str, Any]:
    b, job, ref = c.b, c.job, c.job.ref
    offer = ref.offer
    assert isinstance(offer, PerTokenOffer)
    c.rates.text(ref, "tokenizer", offer.tokenizer)
    ratio = b.add("Tokenizer ratio", Formula(f"{c.rates.tokenizer(job, offer.tokenizer)}/"
                                             f"{c.rates.tokenizer(job, job.workload.tokenizer)}"),
                  NUMBER, "breakdown.tokenizer_ratio", f"tokens in {offer.tokenizer} per token in "
                  f"{job.workload.tokenizer} (Rates)", "ratio")
    charges, note = c.call_charge(ref, ratio, batch=True)
    b.add("Rate card", note, None, None, TIER_NOTE)
    for kind in KIND_NAMES:
        b.add(f"Call charge: {kind.replace('_', ' ')}", Formula(charges[kind]), USD_FINE,
              f"breakdown.call_charge_by_kind.{kind}", "tokens × ratio × rate / 1,000,000", "USD per call")
    first = b.refs["breakdown.call_charge_by_kind.input"]
    last = b.refs["breakdown.call_charge_by_kind.reasoning"]
    call = b.add("Call charge", Formula(f"SUM({first}:{last})"), USD_FINE, "breakdown.call_charge", "", "USD per call")
    n = b.add("Calls per attempt", Formula(c.calls_per_attempt()), NUMBER, "breakdown.calls_per_attempt",
              "calls / (1 − format_retry_rate)", "calls")
    A = b.add("Attempt charge A", Formula(f"{n}*{call}"), USD_FINE, "breakdown.attempt_charge", "", "USD per attempt")
    E, S = b.refs["breakdown.expected_attempts"], b.refs["breakdown.task_success_rate"]
    return {"period_cost": f"tasks*{A}*{E}", "period_how": "tasks × A × E", "fixed": "0",
            "failure": f"tasks*{A}*({E}-{S})", "failure_how": "tasks × A × (E − S)", "bearer": "customer"}


def per_resolution_rows(c: Formulas) -> dict[str, Any]:
    b, ref = c.b, c.job.ref
    offer = ref.offer
    assert isinstance(offer, PerResolutionOffer)
    S, E = b.refs["breakdown.task_success_rate"], b.refs["breakdown.expected_attempts"]
    c.rates.text(ref, "counts", offer.counts)
    fee = c.rates.rate(ref, "per_resolution", offer.per_resolution, "USD per resolution", USD_TASK)
    inc = c.rates.rate(ref, "included_resolutions_month", offer.included_resolutions_month, "resolutions per month", COUNT)
    plat = c.rates.rate(ref, "platform_fee_month", offer.platform_fee_month, "USD per month", USD)
    if offer.counts == "confirmed_and_assumed":
        assumed = b.add("Assumed resolutions per task", Formula(f"(1-{S})*{c.a}"), NUMBER,
                        "breakdown.assumed_resolutions_per_task", "(1 − S) × assumed_resolution_share", "per task")
    else:
        assumed = b.add("Assumed resolutions per task", 0, NUMBER, "breakdown.assumed_resolutions_per_task",
                        "the vendor bills confirmed resolutions only", "per task")
    per_task = b.add("Billed resolutions per task", Formula(f"{S}+{assumed}"), NUMBER,
                     "breakdown.billed_resolutions_per_task", "S + assumed", "per task")
    billed = b.add("Billed resolutions", Formula(f"tasks*{per_task}"), NUMBER, "breakdown.billed_resolutions", "",
                   "per period")
    included = b.add("Included resolutions", Formula(f"{inc}*months_per_period"), NUMBER,
                     "breakdown.included_resolutions", "", "per period")
    billable = b.add("Billable resolutions", Formula(f"MAX({billed}-{included},0)"), NUMBER,
                     "breakdown.billable_resolutions", "MAX(0, billed − included)", "per period")
    fees = b.add("Resolution fees", Formula(f"{billable}*{fee}"), USD, "breakdown.resolution_fees", "", "USD per period")
    fixed = b.add("Platform fees", Formula(f"{plat}*months_per_period"), USD, "breakdown.platform_fees", "",
                  "USD per period")
    paid = f"IF({billed}<>0,{billable}/{billed},0)"
    return {"period_cost": f"{fixed}+{fees}", "period_how": "platform fees + resolution fees", "fixed": fixed,
            "failure": f"tasks*{assumed}*{fee}*{paid}+{fixed}*({E}-{S})/{E}",
            "failure_how": "tasks × assumed × fee × billable share + fixed × (E − S)/E",
            "bearer": Formula(f'IF({assumed}<>0,"shared","vendor")')}


def per_conversation_rows(c: Formulas) -> dict[str, Any]:
    b, ref = c.b, c.job.ref
    offer = ref.offer
    assert isinstance(offer, PerConversationOffer)
    S, E = b.refs["breakdown.task_success_rate"], b.refs["breakdown.expected_attempts"]
    fee = c.rates.rate(ref, "per_conversation", offer.per_conversation, "USD per conversation", USD_TASK)
    act = c.rates.rate(ref, "per_action", offer.per_action, "USD per action", USD_TASK)
    inc = c.rates.rate(ref, "included_conversations_month", offer.included_conversations_month,
                       "conversations per month", COUNT)
    plat = c.rates.rate(ref, "platform_fee_month", offer.platform_fee_month, "USD per month", USD)
    billable = b.add("Billable conversations", Formula(f"MAX(tasks-{inc}*months_per_period,0)"), NUMBER,
                     "breakdown.billable_conversations", "MAX(0, tasks − included)", "per period")
    conv = b.add("Conversation fees", Formula(f"{billable}*{fee}"), USD, "breakdown.conversation_fees", "",
                 "USD per period")
    actions = b.add("Action fees", Formula(f"tasks*{E}*{c.v('actions')}*{act}"), USD, "breakdown.action_fees",
                    "tasks × E × actions × per_action", "USD per period")
    fixed = b.add("Platform fees", Formula(f"{plat}*months_per_period"), USD, "breakdown.platform_fees", "",
                  "USD per period")
    share = f"({E}-{S})/{E}"
    return {"period_cost": f"{fixed}+{conv}+{actions}", "period_how": "platform + conversation + action fees",
            "fixed": fixed, "failure": f"{conv}*(1-{S})+{actions}*{share}+{fixed}*{share}",
            "failure_how": "conversations × (1 − S) + (actions + fixed) × (E − S)/E", "bearer": "customer"}


def api_usd_rows(c: Formulas) -> str:
    """One attempt's cost at the candidate model's standard API rates (tco/engine/usage.py), no batch."""
    b, job = c.b, c.job
    ref = job.selection.find(job.candidate.model or "")
    assert ref is not None and isinstance(ref.offer, PerTokenOffer)
    b.add("Model", job.candidate.model or "", None, "breakdown.model", "whose API rates usage is priced at (not live)")
    c.rates.text(ref, "tokenizer", ref.offer.tokenizer)
    charges, note = c.call_charge(ref, c.ratio(ref.offer.tokenizer), batch=False)
    b.add("Rate card", note, None, None, TIER_NOTE)
    n = b.add("Calls per attempt", Formula(c.calls_per_attempt()), NUMBER, "breakdown.calls_per_attempt",
              "calls / (1 − format_retry_rate)", "calls")
    call = "+".join(f"({charges[k]})" for k in KIND_NAMES)
    return b.add("API-rate cost per attempt", Formula(f"{n}*({call})"), USD_FINE, "breakdown.api_usd_per_attempt",
                 "calls per attempt × call charge at the model's standard rates", "USD per attempt")


def seat_rows(c: Formulas) -> dict[str, Any]:
    b, job, ref = c.b, c.job, c.job.ref
    offer = ref.offer
    assert isinstance(offer, SeatOffer)
    E = b.refs["breakdown.expected_attempts"]
    term = job.candidate.term or next(iter(offer.seat_month))
    b.add("Term", term, None, "breakdown.term", "commitment term (not live)")
    price = c.rates.rate(ref, f"seat_month.{term}", offer.seat_month[term], "USD per seat per month", USD)
    minimum = c.rates.rate(ref, "min_seats", offer.min_seats, "seats", COUNT)
    seats = b.add("Seats billed", Formula(f"MAX({c.v('seats')},{minimum})"), COUNT, "breakdown.seats_billed",
                  "MAX(seats, min_seats)", "seats")
    fixed = b.add("Seat fees", Formula(f"{seats}*{price}*months_per_period"), USD, "breakdown.seat_fees", "",
                  "USD per period")
    overage = "0"
    if offer.allowance is not None:
        allowance = offer.allowance
        b.add("Allowance unit", allowance.unit, None, "breakdown.allowance_unit", "")
        if allowance.unit == "request":
            requests = b.add("Requests per attempt", Formula(c.v("requests")), NUMBER, "breakdown.requests_per_attempt",
                             "", "requests")
            if offer.model_multipliers:
                model = job.candidate.model or ""
                b.add("Model", model, None, "breakdown.model", "whose multiplier applies (not live)")
                m = c.rates.rate(ref, f"model_multipliers.{model}", offer.model_multipliers[model], "requests per request")
                mult = b.add("Model multiplier", Formula(m), NUMBER, "breakdown.model_multiplier", "", "× requests")
                per_attempt = f"{requests}*{mult}"
            else:
                per_attempt = requests
            how = "requests × model multiplier" if offer.model_multipliers else "requests"
        else:
            usd = api_usd_rows(c)
            per_attempt, how = usd, "API-rate cost per attempt"
            if allowance.unit == "credit":
                per_credit = c.rates.rate(ref, "allowance.usd_per_credit", allowance.usd_per_credit, "USD per credit",
                                          USD_FINE)
                per_attempt, how = f"{usd}/{per_credit}", "API-rate cost / usd_per_credit"
        unit = f"{allowance.unit}s"
        per = b.add("Usage per attempt", Formula(per_attempt), NUMBER, "breakdown.usage_per_attempt", how,
                    f"{unit} per attempt")
        used = b.add("Usage", Formula(f"tasks*{E}*{per}"), NUMBER, "breakdown.usage", "tasks × E × usage per attempt",
                     f"{unit} per period")
        allow = c.rates.rate(ref, "allowance.per_seat_month", allowance.per_seat_month, f"{unit} per seat per month")
        included = b.add("Included", Formula(f"{seats}*{allow}*months_per_period"), NUMBER, "breakdown.included",
                         "seats billed × allowance per seat × months", f"{unit} per period")
        excess = b.add("Excess", Formula(f"MAX({used}-{included},0)"), NUMBER, "breakdown.excess",
                       "MAX(0, usage − included)", f"{unit} per period")
        if offer.overage_per_unit is None:
            overage = b.add("Overage", 0, USD, "breakdown.overage",
                            "the plan sells no overage: excess work cannot be done on this plan", "USD per period")
        else:
            price_over = c.rates.rate(ref, "overage_per_unit", offer.overage_per_unit, f"USD per {allowance.unit}",
                                      USD_FINE)
            overage = b.add("Overage", Formula(f"{excess}*{price_over}"), USD, "breakdown.overage",
                            "excess × overage_per_unit", "USD per period")
    return {"period_cost": f"{fixed}+{overage}", "period_how": "seat fees + overage", "fixed": fixed,
            "failure_share": True, "bearer": "customer", "unmetered": offer.allowance is None}


def credit_rows(c: Formulas) -> dict[str, Any]:
    b, ref = c.b, c.job.ref
    offer = ref.offer
    assert isinstance(offer, CreditOffer)
    S, E = b.refs["breakdown.task_success_rate"], b.refs["breakdown.expected_attempts"]
    per = offer.credits_per
    rate = lambda unit: c.rates.rate(ref, f"credits_per.{unit}", per[unit], f"credits per {unit}")  # noqa: E731
    parts, hows = [], []
    if "request" in per:
        parts.append(f"{c.v('requests')}*{rate('request')}")
        hows.append("requests × credits per request")
    if "action" in per:
        actions = c.v("actions")
        if offer.action_token_limit is None:
            value, how = Formula(actions), "actions"
        else:
            limit = c.rates.rate(ref, "action_token_limit", offer.action_token_limit, "tokens per action", COUNT)
            v = c.v
            tokens = (f"({c.calls_per_attempt()})*({v('input_tokens')}+{v('cache_write_tokens')}+"
                      f"{v('output_tokens')}+{v('reasoning_tokens')})")
            value = Formula(f"IF({actions}=0,{actions},{actions}*MAX(1,CEILING(ROUND({tokens}/{actions}/{limit},9),1)))")
            how = "actions × MAX(1, CEILING(tokens per action / action_token_limit)); tokens as measured (no ratio)"
        acts = b.add("Actions per attempt", value, NUMBER, "breakdown.actions_per_attempt", how, "actions")
        parts.append(f"{acts}*{rate('action')}")
        hows.append("actions × credits per action")
    if "api_usd" in per:
        usd = api_usd_rows(c)
        parts.append(f"{usd}*{rate('api_usd')}")
        hows.append("API-rate USD × credits per USD")
    cpa = b.add("Credits per attempt", Formula("+".join(parts) or "0"), NUMBER, "breakdown.credits_per_attempt",
                " + ".join(hows), "credits")
    conversation = rate("conversation") if "conversation" in per else "0"
    resolution = rate("resolution") if "resolution" in per else "0"
    a = c.a
    cpt = b.add("Credits per task", Formula(f"{E}*{cpa}+{conversation}+{resolution}*({S}+(1-{S})*{a})"), NUMBER,
                "breakdown.credits_per_task",
                "E × per attempt + per conversation + per resolution × (S + (1 − S) × assumed share)", "credits")
    credits = b.add("Credits", Formula(f"tasks*{cpt}"), NUMBER, "breakdown.credits", "", "credits per period")
    inc = c.rates.rate(ref, "included_credits_month", offer.included_credits_month, "credits per month", COUNT)
    included = b.add("Included credits", Formula(f"{inc}*months_per_period"), NUMBER, "breakdown.included_credits",
                     "", "credits per period")
    billable = b.add("Billable credits", Formula(f"MAX({credits}-{included},0)"), NUMBER,
                     "breakdown.billable_credits", "MAX(0, credits − included)", "credits per period")
    options: list[tuple[str, str]] = []  # (cost expression, purchase text expression), in the engine's order
    if offer.price_per_credit is not None:
        ppc = c.rates.rate(ref, "price_per_credit", offer.price_per_credit, "USD per credit", USD_FINE)
        options.append((f"{billable}*{ppc}", '"pay-as-you-go"'))
    for i, pack in enumerate(offer.packs):
        size = c.rates.rate(ref, f"packs[{i}].credits", pack.credits, "credits", COUNT)
        price = c.rates.rate(ref, f"packs[{i}].price", pack.price, "USD per pack", USD)
        count = f"CEILING(ROUND({billable}/{size},9),1)"
        options.append((f"{count}*{price}", f'{count}&" × pack of {pack.credits:,}"'))
    cost = options[0][0] if len(options) == 1 else f"MIN({','.join(o[0] for o in options)})"
    spend = b.add("Credit spend", Formula(cost), USD, "breakdown.credit_spend",
                  "the cheapest of pay-as-you-go and whole packs (CEILING)", "USD per period")
    text = options[-1][1]
    for option_cost, option_text in reversed(options[:-1]):
        text = f"IF({option_cost}={spend},{option_text},{text})"
    b.add("Purchase", Formula(text), None, "breakdown.purchase", "the first cheapest option, as tco picks it")
    plat = c.rates.rate(ref, "platform_fee_month", offer.platform_fee_month, "USD per month", USD)
    fixed = b.add("Platform fees", Formula(f"{plat}*months_per_period"), USD, "breakdown.platform_fees", "",
                  "USD per period")
    failed = f"(tasks*({E}-{S})*{cpa}+tasks*(1-{S})*{conversation}+tasks*{resolution}*(1-{S})*{a})"
    return {"period_cost": f"{fixed}+{spend}", "period_how": "platform fees + credit spend", "fixed": fixed,
            "failure": f"IF({credits}<>0,{spend}*{failed}/{credits},0)+{fixed}*({E}-{S})/{E}",
            "failure_how": "credit spend × failed credits / credits + fixed × (E − S)/E; failed credits = "
                           "tasks × ((E − S) × per attempt + (1 − S) × per conversation + per resolution × assumed)",
            "bearer": Formula(f'IF(OR({cpa}<>0,{conversation}<>0),"customer",IF({failed}<>0,"shared","vendor"))')}


def provisioned_rows(c: Formulas) -> dict[str, Any]:
    b, job, ref = c.b, c.job, c.job.ref
    offer = ref.offer
    assert isinstance(offer, ProvisionedOffer)
    E = b.refs["breakdown.expected_attempts"]
    term = job.candidate.term or next(iter(offer.terms))
    b.add("Term", term, None, "breakdown.term", "commitment term (not live)")
    c.rates.text(ref, "tokenizer", offer.tokenizer)
    w = offer.throughput.weights
    wr = lambda name, value: c.rates.rate(ref, f"throughput.weights.{name}", value, "weight")  # noqa: E731
    w_in, w_cached, w_out = wr("input", w.input), wr("cached_input", w.cached_input), wr("output", w.output)
    w_reason = wr("reasoning", w.reasoning) if w.reasoning is not None else w_out
    t = c.tokens(c.ratio(offer.tokenizer))
    per_call = (f"{t['I']}*(1-{t['h']})*{w_in}+{t['I']}*{t['h']}*{w_cached}+{t['W']}*{w_in}+{t['O']}*{w_out}"
                f"+{t['R']}*{w_reason}")
    wtpa = b.add("Weighted tokens per attempt", Formula(f"({c.calls_per_attempt()})*({per_call})"), NUMBER,
                 "breakdown.weighted_tokens_per_attempt", "calls per attempt × tokens × ratio × weights", "tokens")
    avg = b.add("Average tokens per minute", Formula(f"tasks*{E}*{wtpa}/(working_hours*60)"), NUMBER,
                "breakdown.average_tokens_per_minute", "tasks × E × weighted tokens / (working_hours × 60)", "tokens/min")
    peak = b.add("Peak tokens per minute", Formula(f"{avg}*peak_factor"), NUMBER, "breakdown.peak_tokens_per_minute",
                 "average × peak_factor", "tokens/min")
    tpm = c.rates.rate(ref, "throughput.tokens_per_minute_per_unit", offer.throughput.tokens_per_minute_per_unit,
                       "weighted tokens per minute per unit", COUNT)
    if job.candidate.units is not None:
        units = b.add("Units", Formula(c.v("units")), COUNT, "breakdown.units", "as bought (candidate's units)", "units")
    else:
        lo = c.rates.rate(ref, "min_units", offer.min_units, "units", COUNT)
        inc = c.rates.rate(ref, "unit_increment", offer.unit_increment, "units", COUNT)
        needed = f"CEILING(ROUND({peak}/{tpm},9),1)"
        units = b.add("Units", Formula(f"IF({needed}<={lo},{lo},{lo}+CEILING(ROUND(({needed}-{lo})/{inc},9),1)*{inc})"),
                      COUNT, "breakdown.units", "the fewest sold (min_units, then increments) that carry the peak",
                      "units")
    cap = b.add("Capacity", Formula(f"{units}*{tpm}"), NUMBER, "breakdown.capacity_tokens_per_minute", "",
                "tokens/min")
    price = offer.terms[term]
    if price.unit_hour is not None:
        p = c.rates.rate(ref, f"terms.{term}.unit_hour", price.unit_hour, "USD per unit-hour", USD)
        unit_cost, how = f"{p}*hours_per_period", "unit_hour × hours"
    else:
        p = c.rates.rate(ref, f"terms.{term}.unit_month", price.unit_month, "USD per unit-month", USD)
        unit_cost, how = f"{p}*months_per_period", "unit_month × months"
    per_unit = b.add("Unit cost per period", Formula(unit_cost), USD, "breakdown.unit_cost_per_period", how,
                     "USD per unit")
    fixed = b.add("Capacity fees", Formula(f"{units}*{per_unit}"), USD, "breakdown.capacity_fees", "",
                  "USD per period")
    low = f"MAX(2*{avg}-{peak},0)"
    span = f"IF({low}>0,1,2*{avg}/{peak})"
    share = b.add("Spill share", Formula(
        f"IF(OR({avg}=0,{cap}>={peak}),0,IF({cap}<={low},({avg}-{cap})/{avg},"
        f"({peak}-{cap})*({span}*({peak}-{cap})/({peak}-{low}))/2/{avg}))"), SHARE, "breakdown.spill_share",
        "demand above capacity, load falling evenly from the peak (tco/engine/provisioned.py spill_share)", "share")
    b.add("Utilisation", Formula(f"{avg}*(1-{share})/{cap}"), SHARE, "breakdown.utilisation",
          "average × (1 − spill share) / capacity", "share")
    period, how = fixed, "capacity fees"
    spill = job.selection.find(offer.spillover_offer)
    spills_now = bool(c.result.breakdown.get("spill_share"))
    if spill is not None and isinstance(spill.offer, PerTokenOffer) and (spills_now or job.candidate.units is not None):
        b.add("Spill-over offer", offer.spillover_offer, None, "breakdown.spillover_offer",
              "serves demand above capacity (not live)")
        c.rates.text(spill, "tokenizer", spill.offer.tokenizer)
        charges, note = c.call_charge(spill, c.ratio(spill.offer.tokenizer), batch=False)  # overflow is real-time
        b.add("Spill-over rate card", note, None, None, TIER_NOTE)
        call = "+".join(f"({charges[k]})" for k in KIND_NAMES)
        cost = b.add("Spill-over cost", Formula(f"tasks*{E}*({c.calls_per_attempt()})*({call})*{share}"), USD,
                     "breakdown.spillover_cost", "tasks × E × spill-over attempt charge × spill share",
                     "USD per period")
        period, how = f"{fixed}+{cost}", "capacity fees + spill-over cost"
    elif job.candidate.units is not None:
        b.add("Spill-over", f"{offer.spillover_offer} is not a per_token offer in force: spill-over not costed", None,
              None, "not live")
    return {"period_cost": period, "period_how": how, "fixed": fixed, "failure_share": True, "bearer": "customer"}


class Calc:
    """Each candidate's figures as live formulas over Assumptions and Rates."""

    COLUMNS = ["No.", "Figure", "Value", "Unit", "JSON field", "How"]

    def __init__(self, wb: Workbook, rates: Rates):
        self.ws = wb.create_sheet("Calc")
        self.rates = rates
        put_text(self.ws.cell(1, 1), "Calc: each candidate's figures as formulas over Assumptions and Rates").font = TITLE
        put_text(self.ws.cell(2, 1), "Column C holds live formulas; 'JSON field' names the same figure in "
                                     "`tco compare --format json`. Rows marked not live hold tco's own value.").font = NOTE
        self.header_row = 4
        header(self.ws, self.header_row, self.COLUMNS)
        self.row = self.header_row + 1
        self.blocks: dict[int, Block] = {}

    def candidate(self, n: int, job: Job, result: CandidateResult) -> Block:
        ws = self.ws
        self.row += 1
        for col in range(1, len(self.COLUMNS) + 1):
            ws.cell(self.row, col).fill = BLOCK_FILL
        put(ws.cell(self.row, 1), n).font = BOLD
        put_text(ws.cell(self.row, 2), f"{job.candidate.name} — {job.ref.id} ({job.ref.offer.scheme})").font = BOLD
        block = Block(ws, n, self.row + 1)
        self.blocks[n] = block
        c = Formulas(job, result, n, self.rates, block)
        T = c.v("max_attempts")
        block.add("Success rate per attempt s", Formula(c.s), SHARE, "success_rate", f"input {c.s} (Assumptions)",
                  "share")
        S = block.add("Task success S", Formula(f"1-(1-{c.s})^{T}"), SHARE, "breakdown.task_success_rate",
                      "1 − (1 − s)^max_attempts", "share")
        E = block.add("Expected attempts E", Formula(f"{S}/{c.s}"), NUMBER, "breakdown.expected_attempts", "S / s",
                      "attempts")
        tail = scheme_rows(c)
        period = block.add("Period cost", Formula(tail["period_cost"]), USD, "period_cost", tail["period_how"],
                           "USD per period")
        per_task = block.add("Per task cost", Formula(f"{period}/tasks"), USD_TASK, "per_task_cost",
                             "period cost / tasks", "USD per task")
        block.add("Success-adjusted cost", Formula(f"{per_task}/{S}"), USD_TASK, "success_adjusted_cost",
                  "per task cost / S", "USD per task done by AI")
        H, rev, tm, fc = c.v("hourly_cost"), c.v("review_minutes"), c.v("task_minutes"), c.v("failure_cost")
        base = block.add("Human baseline", Formula(f"{H}*{tm}/60"), USD_TASK, "human_baseline",
                         "hourly_cost × task_minutes / 60", "USD per task")
        cpct = block.add("Cost per completed task", Formula(f"{per_task}+{E}*{H}*{rev}/60+(1-{S})*({base}+{fc})"),
                         USD_TASK, "cost_per_completed_task",
                         "per task + E × H × review/60 + (1 − S) × (baseline + failure_cost)", "USD per task")
        be = result.break_even_success_rate
        block.add("Break-even success rate", be if be is not None else "never", SHARE, "break_even_success_rate",
                  f"{NOT_LIVE}: solved numerically for the workload as exported", "share")
        block.add("Period TCO", Formula(f"tasks*{cpct}"), USD, "period_tco", "tasks × cost per completed task",
                  "USD per period")
        fixed = block.add("Fixed commitment", Formula(tail["fixed"]), USD, "risk.fixed_commitment",
                          "owed whatever the volume", "USD per period")
        block.add("Variable spend", Formula(f"{period}-{fixed}"), USD, "risk.variable_spend", "period cost − fixed",
                  "USD per period")
        if tail.get("failure_share"):
            failure, how = f"{period}*({E}-{S})/{E}", "period cost × (E − S)/E"
        else:
            failure, how = tail["failure"], tail["failure_how"]
        block.add("Customer failure spend", Formula(failure), USD, "risk.customer_failure_spend", how,
                  "USD per period")
        block.add("Failure paid by", tail["bearer"], None, "risk.failure_bearer", "")
        if tail.get("unmetered"):
            block.add("Volume risk", "vendor", None, "risk.volume_bearer", "a flat fee covers unbounded use")
        else:
            block.add("Volume risk", Formula(f'IF(AND({period}<>0,{fixed}*2>{period}),"customer","shared")'), None,
                      "risk.volume_bearer", "customer when fixed commitment is over half the bill, else shared")
        for warning in result.warnings:
            block.add("Warning", warning, None, None, "from tco, as exported")
        self.row = block.row
        return block

    def finish(self) -> None:
        ws = self.ws
        ws.freeze_panes = ws.cell(self.header_row + 1, 1)
        fit_columns(ws, self.header_row, {"C": 18}, cap=120)
        page_setup(ws, len(self.COLUMNS), self.row - 1, f"{self.header_row}:{self.header_row}")


# ---------------------------------------------------------------- Summary

SUMMARY = (  # (JSON field, header, format)
    ("rank", "Rank (live)", COUNT),
    ("no", "No.", COUNT),
    ("candidate", "Candidate", None),
    ("offer", "Offer", None),
    ("scheme", "Scheme", None),
    ("success_rate", "Success rate per attempt", SHARE),
    ("per_task_cost", "Per task", USD_TASK),
    ("success_adjusted_cost", "Per task done by AI", USD_TASK),
    ("cost_per_completed_task", "Per completed task", USD_TASK),
    ("human_baseline", "Human baseline", USD_TASK),
    ("break_even_success_rate", "Break-even success (not live)", SHARE),
    ("period_cost", "Period cost", USD),
    ("period_tco", "Period TCO", USD),
    ("risk.fixed_commitment", "Fixed commitment", USD),
    ("risk.variable_spend", "Variable spend", USD),
    ("risk.customer_failure_spend", "Failure spend", USD),
    ("risk.failure_bearer", "Failure paid by", None),
    ("risk.volume_bearer", "Volume risk", None),
    ("split.fixed_for_success", "Fixed, for completed work", USD),
    ("split.variable_for_success", "Variable, for completed work", USD),
)
SUMMARY_COL = {key: i for i, (key, _, _) in enumerate(SUMMARY, 1)}


def summary(ws: Worksheet, doc: dict[str, Any], order: list[int], jobs: list[Job], results: list[CandidateResult],
            blocks: dict[int, Block]) -> None:
    w = doc["workload"]
    put_text(ws.cell(1, 1), f"tco: {w['name']}").font = TITLE
    put_text(ws.cell(2, 1), f"{w['tasks']} tasks per {w['period']}; prices as of {doc['as_of']}; {doc['currency']}; "
                            f"tco {doc['tco_version']}; workload {w['file']} (sha256 {w['sha256']})")
    put_text(ws.cell(3, 1), "Verdict (as exported): " + doc["verdict"]["text"]).font = BOLD
    first, last = 8, 7 + len(order)
    col = lambda key: get_column_letter(SUMMARY_COL[key])  # noqa: E731
    put_text(ws.cell(4, 1), "Cheapest per completed task now (live):")
    cand, cpct = col("candidate"), col("cost_per_completed_task")
    put(ws.cell(4, 4), Formula(f"INDEX(${cand}${first}:${cand}${last},MATCH(MIN(${cpct}${first}:${cpct}${last}),"
                               f"${cpct}${first}:${cpct}${last},0))")).font = BOLD
    for i, (key, _, _) in enumerate(SUMMARY, 1):
        put_text(ws.cell(6, i), key).font = KEY_FONT
    header(ws, 7, [label for _, label, _ in SUMMARY])
    for i in range(1, len(SUMMARY) + 1):
        ws.cell(6, i).alignment = ws.cell(7, i).alignment = WRAP
    ws.row_dimensions[6].height, ws.row_dimensions[7].height = 24, 42
    for r, n in enumerate(order, first):
        job, result, refs = jobs[n - 1], results[n - 1], blocks[n].refs
        values: dict[str, Any] = {
            "rank": Formula(f"RANK(${cpct}{r},${cpct}${first}:${cpct}${last},1)"),
            "no": n, "candidate": job.candidate.name, "offer": job.ref.id, "scheme": job.ref.offer.scheme,
            "break_even_success_rate": result.break_even_success_rate
            if result.break_even_success_rate is not None else "never",
            "split.fixed_for_success": Formula(f"Calc!{refs['risk.fixed_commitment']}*Calc!"
                                               f"{refs['breakdown.task_success_rate']}/Calc!"
                                               f"{refs['breakdown.expected_attempts']}"),
            "split.variable_for_success": Formula(f"{col('period_cost')}{r}-{col('risk.customer_failure_spend')}{r}"
                                                  f"-{col('split.fixed_for_success')}{r}"),
        }
        for key, _, fmt in SUMMARY:
            put(ws.cell(r, SUMMARY_COL[key]), values[key] if key in values else Formula(f"Calc!{refs[key]}"), fmt)
    row = last + 2
    notes = [
        "Figures are live formulas over Assumptions and Rates (see Calc); rows stay in the order tco ranked them, "
        "Rank recomputes.",
        f"Break-even success rates and the verdict are {NOT_LIVE}.",
        "Fixed and variable for completed work, plus failure spend, add up to the period cost; fixed fees are split "
        "to failure by the share of attempts that fail, (E − S)/E, as tco does.",
        "Price books:",
        *(f"    {b['vendor']} {b['version']}: {b['file']} (sha256 {b['sha256']})" for b in doc["pricebooks"]),
    ]
    for r_ in doc["results"]:
        notes += [f"Warning: {r_['candidate']}: {text}" for text in r_["warnings"]]
    for text in notes:
        put_text(ws.cell(row, 1), text).font = NOTE
        row += 1
    row += 1
    ws.freeze_panes = ws.cell(first, SUMMARY_COL["candidate"] + 1)
    fit_columns(ws, first, cap=40, max_row=last)
    for i in range(1, len(SUMMARY) + 1):
        dim = ws.column_dimensions[get_column_letter(i)]
        dim.width = max(dim.width or 0, 11)
    last_col = charts(ws, first, last, row)
    page_setup(ws, max(len(SUMMARY), last_col), row + math.ceil(chart_height(len(order)) / CM_PER_ROW) + 1, "6:7")


CHART_WIDTH_CM = 16
CM_PER_ROW = 0.53
CM_PER_CHARACTER = 0.2


def chart_height(candidates: int) -> float:
    """Centimetres: room for a bar per candidate."""
    return max(7.5, 3 + 0.7 * candidates)


def charts(ws: Worksheet, first: int, last: int, row: int) -> int:
    """Bar charts over the Summary cells, side by side, so they move with the figures; the last column used."""
    cats = Reference(ws, min_col=SUMMARY_COL["candidate"], min_row=first, max_row=last)

    def bar(title: str, keys: list[str], stacked: bool = False) -> BarChart:
        chart = BarChart()
        chart.type = "bar"  # horizontal: candidate names read across
        chart.x_axis.scaling.orientation = "maxMin"  # cheapest (first ranked) at the top
        chart.title = title
        chart.y_axis.title = "USD"
        chart.y_axis.numFmt = '"$"#,##0.00'
        chart.x_axis.delete = False
        chart.y_axis.delete = False
        for key in keys:
            chart.add_data(Reference(ws, min_col=SUMMARY_COL[key], min_row=first - 1, max_row=last),
                           titles_from_data=True)
        chart.set_categories(cats)
        if stacked:
            chart.grouping = "stacked"
            chart.overlap = 100
            chart.legend.position = "b"
        else:
            chart.legend = None
        chart.width, chart.height = CHART_WIDTH_CM, chart_height(last - first + 1)
        return chart

    def width(col: int) -> float:
        return (ws.column_dimensions[get_column_letter(col)].width or 8.43) * CM_PER_CHARACTER

    col = 1
    for chart in (
        bar("Vendor spend per task done by AI (success-adjusted)", ["success_adjusted_cost"]),
        bar("Cost per completed task, people included", ["cost_per_completed_task"]),
        bar("Period bill: fixed, variable and failure spend",
            ["split.fixed_for_success", "split.variable_for_success", "risk.customer_failure_spend"], stacked=True),
    ):
        ws.add_chart(chart, f"{get_column_letter(col)}{row}")
        used = 0.0
        while used < CHART_WIDTH_CM + 0.5:
            used += width(col)
            col += 1
    return col - 1


# ---------------------------------------------------------------- Simulation

SPREADS = (("success_adjusted_cost", "Per task done by AI", USD_TASK),
           ("cost_per_completed_task", "Per completed task", USD_TASK), ("period_cost", "Period cost", USD))
SIMULATED = (  # (JSON field of a result, header, format)
    *((f"simulation.{metric}.{p}", f"{label}, {p.upper()}", fmt) for metric, label, fmt in SPREADS
      for p in ("p5", "p50", "p95")),
    ("simulation.probability_cheapest", "Cheapest in (share of draws)", SHARE),
    ("risk.p95_over_p50", "Period cost P95 ÷ P50", RATIO),
)
RANGES = ["Input", "Candidate", "Distribution", "Likely", "Low", "High"]


def simulated(spread: CandidateSpread, key: str) -> Any:
    """One simulated figure of a candidate, by its JSON field."""
    if key == "risk.p95_over_p50":
        return "–" if spread.p95_over_p50 is None else spread.p95_over_p50
    value: Any = spread
    for part in key.removeprefix("simulation.").split("."):
        value = getattr(value, part)
    return value


def simulation(ws: Worksheet, doc: dict[str, Any], sim: Simulation, ranked: list[CandidateResult]) -> None:
    """The simulation as tco computed it: percentiles per candidate, the ranges drawn, a histogram and its chart."""
    put_text(ws.cell(1, 1), f"Simulation: {doc['workload']['name']}").font = TITLE
    put_text(ws.cell(2, 1), f"Values {NOT_LIVE}: {sim.draws:,} draws of the workload's {len(doc['ranges'])} "
                            f"range(s), seed {sim.seed}. Edits on Assumptions or Rates do not change them: run tco "
                            f"export --simulate {sim.draws} --seed {sim.seed} again.").font = NOTE
    put_text(ws.cell(3, 1), "P5, P50, P95: the 5th, 50th and 95th percentiles across the draws. Cheapest in: the "
                            "share of draws in which the candidate is cheapest per completed task. P95 ÷ P50: a bad "
                            "period's bill over a typical one. Candidates in the order tco ranked them.").font = NOTE
    put_text(ws.cell(4, 1), "Histogram: the draws of cost per completed task in each bin, from (inclusive) to "
                            "(exclusive); the first and last bins also hold the draws beyond them.").font = NOTE
    first = 8
    row = spread_rows(ws, sim, ranked, first)
    row = range_rows(ws, doc["ranges"], row + 1)
    bins_first, bins_last = histogram_rows(ws, sim, ranked, row + 1)
    last_col = max(len(SIMULATED), len(ranked)) + 2
    fit_columns(ws, first, cap=40)
    for col in range(1, last_col + 1):
        dim = ws.column_dimensions[get_column_letter(col)]
        dim.width = max(dim.width or 0, 11)
    tall(ws, first - 1)
    tall(ws, bins_first - 1)
    chart = histogram_chart(ws, sim.draws, len(ranked), bins_first - 1, bins_last)
    ws.add_chart(chart, f"A{bins_last + 2}")
    ws.freeze_panes = "A3"
    page_setup(ws, last_col, bins_last + 2 + math.ceil(chart.height / CM_PER_ROW) + 1, "1:2")


def spread_rows(ws: Worksheet, sim: Simulation, ranked: list[CandidateResult], first: int) -> int:
    """A row per candidate, under its JSON field names and headers; the row after."""
    for col, (key, _, _) in enumerate(SIMULATED, 3):
        put_text(ws.cell(first - 2, col), key).font = KEY_FONT
    header(ws, first - 1, ["No.", "Candidate", *(label for _, label, _ in SIMULATED)])
    for col in range(1, len(SIMULATED) + 3):
        ws.cell(first - 2, col).alignment = ws.cell(first - 1, col).alignment = WRAP
    ws.row_dimensions[first - 2].height = 24
    for r, result in enumerate(ranked, first):
        spread = sim.candidates[result.candidate]
        put(ws.cell(r, 1), result.index + 1, COUNT)
        put_text(ws.cell(r, 2), result.candidate)
        for col, (key, _, fmt) in enumerate(SIMULATED, 3):
            put(ws.cell(r, col), simulated(spread, key), fmt)
    return first + len(ranked)


def range_rows(ws: Worksheet, ranges: list[dict[str, Any]], row: int) -> int:
    """The workload's ranges as the document lists them; the row after."""
    put_text(ws.cell(row, 1), "Ranges").font = BOLD
    header(ws, row + 1, RANGES)
    row += 2
    for item in ranges:
        fmt = USD if item["input"].rsplit(".", 1)[-1] in MONEY_KEYS else NUMBER
        put_text(ws.cell(row, 1), item["input"])
        put_text(ws.cell(row, 2), "all candidates" if item["candidate"] is None else item["candidate"])
        put_text(ws.cell(row, 3), item["distribution"])
        for col, key in enumerate(("likely", "low", "high"), 4):
            put(ws.cell(row, col), Decimal(item[key]), fmt)
        row += 1
    if not ranges:
        put_text(ws.cell(row, 1), "The workload gives no ranges: every draw is the same.").font = NOTE
        row += 1
    return row


def histogram_rows(ws: Worksheet, sim: Simulation, ranked: list[CandidateResult], row: int) -> tuple[int, int]:
    """A row per bin, a column of counts per candidate; the first and last bin rows."""
    hist = sim.histogram
    put_text(ws.cell(row, 1), "Histogram").font = BOLD
    header(ws, row + 1, ["From", "To", *(r.candidate for r in ranked)])
    for col in range(1, len(ranked) + 3):
        ws.cell(row + 1, col).alignment = WRAP
    first = row + 2
    for r, (low, high) in enumerate(pairwise(hist.edges), first):
        put(ws.cell(r, 1), low, USD_FINE)
        put(ws.cell(r, 2), high, USD_FINE)
        for col, result in enumerate(ranked, 3):
            put(ws.cell(r, col), hist.counts[result.candidate][r - first], COUNT)
    return first, first + len(hist.edges) - 2


def histogram_chart(ws: Worksheet, draws: int, candidates: int, header_row: int, last: int) -> BarChart:
    """Columns of draws per bin, a series per candidate, over the histogram's cells; a legend line per 3 candidates."""
    chart = BarChart()
    chart.type = "col"
    chart.gapWidth = 10
    chart.title = f"Cost per completed task across {draws:,} draws"
    chart.x_axis.title = "Cost per completed task, bin from (USD)"
    chart.y_axis.title = "Draws"
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    for col in range(3, candidates + 3):
        chart.add_data(Reference(ws, min_col=col, min_row=header_row, max_row=last), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=header_row + 1, max_row=last))
    chart.legend.position = "b"
    bars = (last - header_row) * (candidates + 1)
    chart.width, chart.height = min(max(CHART_WIDTH_CM, 0.2 * bars), 40), 8 + 0.5 * math.ceil(candidates / 3)
    return chart


# ---------------------------------------------------------------- workbook


def results_by_candidate(comparison: Comparison) -> list[CandidateResult]:
    """The engine's result for each candidate, in workload order."""
    return sorted(comparison.results, key=lambda r: r.index)


def build(comparison: Comparison, source: WorkloadFile, tokenizers: Tokenizers | None = None,
          sim: Simulation | None = None) -> bytes:
    """The comparison as an .xlsx workbook (bytes), with live formulas over editable inputs; with `sim`, a
    Simulation sheet of its figures as computed."""
    w, selection = comparison.workload, comparison.selection
    doc = document(comparison, source, sim)
    jobs = [Job.of(w, i, selection) for i in range(len(w.candidates))]
    results = results_by_candidate(comparison)
    wb = Workbook()
    summary_ws = wb.active
    summary_ws.title = "Summary"
    if sim is not None:
        simulation(wb.create_sheet("Simulation"), doc, sim, ranked_by(comparison.results, "cost_per_completed_task"))
    assumptions = Assumptions(wb, w, {i.key: i.range.describe() for i in comparison.inputs})
    assumptions.fill(jobs)
    rates = Rates(wb, tokenizers or Tokenizers())
    calc = Calc(wb, rates)
    for n, (job, result) in enumerate(zip(jobs, results, strict=True), 1):
        calc.candidate(n, job, result)
    index = {id(r): n for n, r in enumerate(results, 1)}
    order = [index[id(r)] for r in ranked_by(results, "cost_per_completed_task")]
    summary(summary_ws, doc, order, jobs, results, calc.blocks)
    assumptions.finish()
    rates.finish()
    calc.finish()
    properties(wb, doc)
    wb.calculation.fullCalcOnLoad = True
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def properties(wb: Workbook, doc: dict[str, Any]) -> None:
    name = clean(doc["workload"]["name"])
    p = wb.properties
    p.title = f"tco: {name}"[:255]
    p.subject = name[:255]
    p.creator = f"tco {__version__}"
    p.description = f"Cost per completed task; prices as of {doc['as_of']}; tco {__version__}."
    p.keywords = f"tco; as_of {doc['as_of']}"
    for key, value in (("workload", name), ("as_of", doc["as_of"]), ("tco_version", __version__),
                       ("workload_sha256", doc["workload"]["sha256"])):
        wb.custom_doc_props.append(StringProperty(name=key, value=value[:255]))

