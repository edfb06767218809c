"""Chart helpers shared by the sheets: every category label shown, and charts laid out in a grid."""

from __future__ import annotations

import math
from collections.abc import Sequence

from openpyxl.chart._chart import ChartBase
from openpyxl.chart.axis import TextAxis, _BaseAxis
from openpyxl.chart.text import RichText
from openpyxl.chart.title import Title, title_maker
from openpyxl.drawing.spreadsheet_drawing import AnchorMarker, OneCellAnchor
from openpyxl.drawing.text import CharacterProperties, Paragraph, ParagraphProperties, RichTextProperties
from openpyxl.drawing.xdr import XDRPositiveSize2D
from openpyxl.utils import get_column_letter
from openpyxl.utils.units import cm_to_EMU
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet

from tco.report.excel.cells import PX_PER_WIDTH, printed_page

CM_PER_ROW = 0.53
"""A default row's height (15 pt)."""
CM_PER_CHARACTER = PX_PER_WIDTH / 96 * 2.54
"""A unit of column width (in print at 100%)."""
GAP_CM = 0.5


def labelled(axis: _BaseAxis, size_pt: float = 8, vertical: bool = False) -> None:
    """Show every label of the axis (a category axis would otherwise skip some where they crowd), in a small
    font, optionally turned to read upwards."""
    if isinstance(axis, TextAxis):
        axis.tickLblSkip = 1
        axis.tickMarkSkip = 1
    axis.delete = False
    text = CharacterProperties(sz=int(size_pt * 100))
    body = RichTextProperties(rot=-5400000 if vertical else 0, vert="horz")
    axis.txPr = RichText(bodyPr=body, p=[Paragraph(pPr=ParagraphProperties(defRPr=text), endParaRPr=text)])


def title(text: str, size_pt: float) -> Title:
    """A chart title in a given size (the default is large for a small chart)."""
    made = title_maker(text)
    for paragraph in made.tx.rich.paragraphs:
        paragraph.pPr.defRPr = CharacterProperties(sz=int(size_pt * 100), b=True)
    return made


def columns_width_cm(ws: Worksheet, last_col: int) -> float:
    return sum((ws.column_dimensions[get_column_letter(c)].width or 8.43) * CM_PER_CHARACTER
               for c in range(1, last_col + 1))


def at(ws: Worksheet, x_cm: float) -> tuple[int, float]:
    """The column (0-based) that `x_cm` from the sheet's left edge falls in, and how far into it."""
    col = 0
    while True:
        width = (ws.column_dimensions[get_column_letter(col + 1)].width or 8.43) * CM_PER_CHARACTER
        if x_cm < width:
            return col, x_cm
        x_cm -= width
        col += 1


def place(ws: Worksheet, charts: Sequence[ChartBase], row: int, last_col: int, new_page: bool = False) -> int:
    """Anchor the charts left to right from `row`, starting a new line where the next would pass column
    `last_col`; on a new page, unless the first line surely fits on the first page below the rows above (a
    chart split by a page break prints in two pieces). The first row below them all."""
    width_cm = columns_width_cm(ws, last_col)
    _, page_pt = printed_page(ws, last_col)
    above_pt = sum(ws.row_dimensions[r].height or 15 for r in range(1, row))
    tallest_pt = max((chart.height for chart in charts), default=0) / 2.54 * 72
    if new_page or above_pt * 1.15 + tallest_pt > page_pt:  # rows may print taller than reckoned
        ws.row_breaks.append(Break(id=row - 1))
    x, line_height = 0.0, 0.0
    for chart in charts:
        if x and x + chart.width > width_cm:
            row += math.ceil((line_height + GAP_CM) / CM_PER_ROW)
            x, line_height = 0.0, 0.0
        col, offset = at(ws, x)
        ws.add_chart(chart, OneCellAnchor(_from=AnchorMarker(col=col, colOff=cm_to_EMU(offset), row=row - 1),
                                          ext=XDRPositiveSize2D(cm_to_EMU(chart.width), cm_to_EMU(chart.height))))
        x += chart.width + GAP_CM
        line_height = max(line_height, chart.height)
    return row + math.ceil((line_height + GAP_CM) / CM_PER_ROW)
