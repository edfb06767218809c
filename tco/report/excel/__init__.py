"""The comparison as an Excel workbook: editable assumptions and rates, live formulas, charts.

Sheets: Summary (ranked figures, verdict, charts), Assumptions (every workload input, a defined name each),
Rates (every price-book entry used, with its source), Calc (each candidate's figures as formulas over the
two), and after a simulation, Simulation (percentiles, chance of being cheapest, a histogram: values tco
computed, not formulas). The formulas mirror the engine's arithmetic (tco/engine); where the engine decides
something that is not a simple formula (the break-even success rate, the long-context tier, a commitment
term), the workbook holds the engine's choice as exported and says so beside it. A range in the workload
counts as its likely value, as in the engine, and Assumptions says so. A live count of the inputs and rates
that differ from their exported copies flags those not-live figures as stale. Each formula's exported value
(the engine's figure) is stored beside it (`cached`), for previews that do not calculate. Every sheet is set up
to print one page wide. Text that came from a file is always written as a string (`cell_text`, data type "s"):
it can never become a formula.
"""

from tco.report.excel.rates import Tokenizers
from tco.report.excel.workbook import build

__all__ = ["Tokenizers", "build"]
