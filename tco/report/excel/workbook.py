"""The workbook: its sheets built in order, and its document properties."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

from openpyxl import Workbook
from openpyxl.packaging.custom import StringProperty

from tco import __version__
from tco.engine.architecture import plan
from tco.engine.compare import CandidateResult, Comparison, ranked_by
from tco.engine.job import Job
from tco.files.workloads import WorkloadFile
from tco.report.document import document
from tco.report.excel.assumptions import Assumptions
from tco.report.excel.cached import with_cached_values
from tco.report.excel.calc import Calc
from tco.report.excel.cells import CACHED, clean
from tco.report.excel.paths import portable
from tco.report.excel.rates import Rates, Tokenizers
from tco.report.excel.simulation import simulation
from tco.report.excel.summary import summary

if TYPE_CHECKING:
    from tco.engine.simulate import Simulation


def results_by_candidate(comparison: Comparison) -> list[CandidateResult]:
    """The engine's result for each candidate, in workload order."""
    return sorted(comparison.results, key=lambda r: r.index)


def build(comparison: Comparison, source: WorkloadFile, tokenizers: Tokenizers | None = None,
          sim: Simulation | None = None) -> bytes:
    """The comparison as an .xlsx workbook (bytes), with live formulas over editable inputs; with `sim`, a
    Simulation sheet of its figures as computed."""
    w, selection = comparison.workload, comparison.selection
    doc = portable_files(document(comparison, source, sim), source.file)
    tokenizers = tokenizers or Tokenizers()
    books = [f"{b['vendor']} {b['version']}: {b['file']}, sha256 {b['sha256']}" for b in doc["pricebooks"]]
    books.append(f"tokenizers: {portable(tokenizers.file, source.file)}, sha256 {tokenizers.sha256}")
    plans = [plan(w, i, selection) for i in range(len(w.candidates))]
    jobs = [p if isinstance(p, Job) else p.whole for p in plans]  # the candidate as a whole, for its inputs
    results = results_by_candidate(comparison)
    wb = Workbook()
    summary_ws = wb.active
    summary_ws.title = "Summary"
    if sim is not None:
        simulation(wb.create_sheet("Simulation"), doc, sim, ranked_by(comparison.results, "cost_per_completed_task"))
    assumptions = Assumptions(wb, w, {i.key: i.range.describe() for i in comparison.inputs})
    assumptions.fill(plans)
    rates = Rates(wb, books)
    calc = Calc(wb, rates)
    for n, (job, result) in enumerate(zip(plans, results, strict=True), 1):
        if isinstance(job, Job):
            calc.candidate(n, job, result)
        else:
            calc.architecture(n, job, result)
    index = {id(r): n for n, r in enumerate(results, 1)}
    order = [index[id(r)] for r in ranked_by(results, "cost_per_completed_task")]
    summary(summary_ws, doc, order, jobs, results, calc.blocks, books)
    assumptions.finish()
    rates.finish()
    calc.finish()
    properties(wb, doc)
    wb.calculation.fullCalcOnLoad = True
    out = io.BytesIO()
    wb.save(out)
    return with_cached_values(out.getvalue(), {ws.title: CACHED.get(ws, {}) for ws in wb.worksheets})


def portable_files(doc: dict[str, Any], workload: str) -> dict[str, Any]:
    """The document with every file named relative to the tco package or the workload (`portable`)."""
    doc = {**doc, "workload": {**doc["workload"], "file": portable(doc["workload"]["file"], workload)}}
    doc["pricebooks"] = [{**b, "file": portable(b["file"], workload)} for b in doc["pricebooks"]]
    return doc


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
