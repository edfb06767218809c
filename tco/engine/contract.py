"""The contract view: what a term of `term_months` costs, one-off fees counted once."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from tco.engine.bill import Bill
from tco.engine.fixed_costs import one_offs
from tco.engine.job import Job


def contract_cost(job: Job, bill: Bill) -> Any:
    """term_months × the monthly bill without its spread one-offs, plus each one-off once; None without a term."""
    term = job.workload.term_months
    if term is None:
        return None
    whole, spread = one_offs(job)
    return Decimal(term) * (bill.period_cost - spread) / job.months + whole
