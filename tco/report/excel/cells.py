"""Cell helpers shared by every sheet: number formats, fonts and fills, and writing values safely."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
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
