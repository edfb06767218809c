"""Cell helpers shared by every sheet: number formats, fonts and fills, and writing values safely."""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from weakref import WeakKeyDictionary

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.worksheet import Worksheet

from tco.report.text import cell_text

NOT_LIVE = "computed by tco (not live)"
"""Beside a figure the workbook holds as tco computed it, not as a formula."""

USD = '"$"#,##0.00'
USD_TASK = '"$"#,##0.0000'
USD_FINE = '"$"#,##0.00######'
SHARE = "0.00%"
RATIO = '0.00"×"'
NUMBER = "General"
COUNT = "#,##0"

FACE = "Calibri"
"""The workbook's font (openpyxl's default style), named in every font so none falls back to a serif."""
BOLD = Font(name=FACE, size=11, bold=True)
TITLE = Font(name=FACE, bold=True, size=14)
NOTE = Font(name=FACE, size=11, italic=True, color="666666")
KEY_FONT = Font(name=FACE, color="808080", size=8)
INPUT_FONT = Font(name=FACE, size=11, color="0000FF")
INPUT_FILL = PatternFill("solid", start_color="FFF2CC")
HEADER_FILL = PatternFill("solid", start_color="D9E1F2")
BLOCK_FILL = PatternFill("solid", start_color="EDEDED")

STALE_FILL = PatternFill("solid", start_color="F8CBAD", end_color="F8CBAD")
STALE_FONT = Font(name=FACE, size=11, bold=True, color="C00000")

EDITS = "inputs_edited+rates_edited"
"""How many inputs and rates differ from those exported (two defined names, on Assumptions and Rates), live."""

MAX_CELL_TEXT = 32_767
NOTES_WIDTH = 44


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
        if value.cached is not None:
            CACHED.setdefault(cell.parent, {})[cell.coordinate] = value.cached
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
    """A formula the builder wrote (never text from a file); `text` has no leading '='. `cached`: its value for
    the workbook as exported (the engine's figure), stored beside it for previews that do not calculate."""

    text: str
    cached: Any = None


CACHED: WeakKeyDictionary[Worksheet, dict[str, Any]] = WeakKeyDictionary()
"""Each sheet's cached formula values, by coordinate, as `put` wrote them."""


def num(value: Decimal | int) -> str:
    """A constant inside a formula."""
    return format(Decimal(value).normalize(), "f")


def shown(value: Any, fmt: str) -> str:
    """Roughly what a number looks like in a number format: for fitting columns."""
    if isinstance(value, str):
        return value
    number = float(value)
    section = fmt.split(";")[0]
    if section == "General":
        return f"{number:,.4f}".rstrip("0").rstrip(".")
    percent = section.endswith("%")
    decimals = section.split(".")[1] if "." in section else ""
    places = sum(ch in "0#" for ch in decimals)
    text = f"{number * 100 if percent else number:,.{places}f}"
    if "#" in decimals:
        text = text.rstrip("0").rstrip(".") if "." in text else text
    return ("$" if "$" in section else "") + text + ("%" if percent else "") + ("×" if "×" in section else "")


def fit_columns(ws: Worksheet, min_row: int, widths: dict[str, float] | None = None, cap: float = 60,
                max_row: int | None = None) -> None:
    """Column widths fitted to what the cells of rows `min_row`… show: a formula by its cached value (else a
    dozen characters); wrapped text by its longest word; text with an empty cell to its right to overflow into
    needs no room."""
    best: dict[int, float] = {}
    cached = CACHED.get(ws, {})
    for row in ws.iter_rows(min_row=min_row, max_row=max_row):
        for i, cell in enumerate(row):
            if cell.value is None:
                continue
            if cell.alignment and cell.alignment.wrap_text:
                words = re.split(r"[\s/-]+", str(cell.value))
                size = max(map(len, words)) * (1.3 if cell.font and cell.font.b else 1.1) + 2
                best[cell.column] = max(best.get(cell.column, 8.0), min(size, cap))
                continue
            value = cached.get(cell.coordinate, cell.value) if cell.data_type == "f" else cell.value
            if cell.data_type == "s" and (i + 1 == len(row) or row[i + 1].value in (None, "")):
                continue
            if cell.data_type == "f" and cell.coordinate not in cached:
                size = 13.0
            elif isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
                size = len(shown(value, cell.number_format)) + 3
            else:
                size = max(len(line) for line in str(value).split("\n")) + 2
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
        other.alignment = Alignment(horizontal=other.alignment.horizontal, vertical="top",
                                    wrap_text=other is cell or bool(other.alignment.wrap_text))


def tall(ws: Worksheet, row: int, columns: Iterable[int] | None = None) -> None:
    """Make a row of wrapped text (in `columns`, or all) tall enough to show it at its columns' widths (rows do
    not grow on open)."""
    lines = 1
    chosen = None if columns is None else set(columns)
    for cell in ws[row]:
        if cell.value is not None and (chosen is None or cell.column in chosen):
            width = ws.column_dimensions[cell.column_letter].width or 8.43
            per_line = max(int(width * (1.0 if cell.font and cell.font.b else 1.15)) - 1, 1)  # as `wrap` reckons
            lines = max(lines, len(textwrap.wrap(str(cell.value), per_line)))
    ws.row_dimensions[row].height = 13 * lines


PAGE_IN = (11.0, 8.5)
"""Landscape US Letter (narrower across than landscape A4), the page the layout plans for."""
MARGINS_IN = {"left": 0.4, "right": 0.4, "top": 0.5, "bottom": 0.6, "header": 0.25, "footer": 0.3}
PX_PER_WIDTH = 7
"""Pixels at 96 dpi per unit of column width: the widest digit of Calibri 11."""


def printed_page(ws: Worksheet, last_col: int) -> tuple[float, float]:
    """(scale, page height in points of the sheet) when columns 1…`last_col` are fitted one page wide."""
    width_px = PX_PER_WIDTH * sum(ws.column_dimensions[get_column_letter(c)].width or 8.43
                                  for c in range(1, last_col + 1))
    scale = min(1.0, (PAGE_IN[0] - MARGINS_IN["left"] - MARGINS_IN["right"]) * 96 / width_px)
    return scale, (PAGE_IN[1] - MARGINS_IN["top"] - MARGINS_IN["bottom"]) * 72 / scale


def page_setup(ws: Worksheet, last_col: int, last_row: int, title_rows: str | None) -> None:
    """Landscape, fitted to one page wide, narrow margins, repeated header rows, a print area, and a footer
    naming the file, sheet and page."""
    ws.page_setup.orientation = "landscape"
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.page_margins = PageMargins(**MARGINS_IN)
    ws.oddFooter.left.text = "&F"
    ws.oddFooter.center.text = "&A"
    ws.oddFooter.right.text = "page &P of &N"
    ws.print_area = f"A1:{get_column_letter(last_col)}{max(last_row, 1)}"
    if title_rows:
        ws.print_title_rows = title_rows
    ws.print_options.gridLines = False


def header(ws: Worksheet, row: int, labels: list[str], numeric: Iterable[int] = ()) -> None:
    """A row of column headers, wrapped; those over columns of numbers (1-based in `numeric`) right-aligned."""
    right = set(numeric)
    for col, label in enumerate(labels, 1):
        cell = put_text(ws.cell(row, col), label)
        cell.font, cell.fill = BOLD, HEADER_FILL
        cell.alignment = Alignment(horizontal="right" if col in right else "left", vertical="bottom", wrap_text=True)


def first_line(text: str | None) -> str:
    return (text or "").strip().split("\n")[0]


def mark_when_stale(ws: Worksheet, ranges: Iterable[str]) -> None:
    """Shade figures held as exported (not live) once any input or rate differs from the exported one."""
    for where in ranges:
        ws.conditional_formatting.add(where, FormulaRule(formula=[f"{EDITS}>0"], fill=STALE_FILL))


def edit_counter(ws: Worksheet, row: int, col: int, values: str, exported: str, name: str, what: str) -> None:
    """A live count of the cells in `values` that differ from their copies in `exported` (as the workbook was
    written; a blank copy is no input), under the defined name `name`; each differing value is shaded."""
    put_text(ws.cell(row, 1), f"{what} edited since export (live):").font = BOLD
    put(ws.cell(row, col), Formula(f'SUMPRODUCT(({exported}<>"")*({values}<>{exported}))', 0), COUNT).font = BOLD
    ws.parent.defined_names[name] = DefinedName(name, attr_text=f"{quote_sheetname(ws.title)}!"
                                                f"${get_column_letter(col)}${row}")
    first, exported_first = (where.split(":")[0].replace("$", "") for where in (values, exported))
    ws.conditional_formatting.add(values, FormulaRule(
        formula=[f'AND({exported_first}<>"",{first}<>{exported_first})'], fill=STALE_FILL))
