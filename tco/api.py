"""The public library API: what the CLI calls, and what a Python user calls."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import Any

from tco.engine.compare import Comparison, compare, ranked_by
from tco.errors import TcoError
from tco.files.pricebooks import load_catalog
from tco.files.workloads import WorkloadFile, load_workload


def comparison_for(workload_path: Path, as_of: dt.date, pricebooks: Path | None = None) -> tuple[Comparison, WorkloadFile]:
    """Load a workload and the price books in force on `as_of`, and cost every candidate."""
    source = load_workload(workload_path)
    selection = load_catalog(pricebooks).as_of(as_of)
    try:
        return compare(source.workload, selection), source
    except TcoError as e:
        raise source.locate(e) from None


def run_compare(workload_path: Path, as_of: dt.date, pricebooks: Path | None = None,
                sort: str = "cost_per_completed_task") -> dict[str, Any]:
    """The comparison as the JSON-ready document of the output contract."""
    from tco.report.document import document

    comparison, source = comparison_for(workload_path, as_of, pricebooks)
    comparison = dataclasses.replace(comparison, results=ranked_by(comparison.results, sort))
    return document(comparison, source)
