"""The Assumptions sheet: every workload input, editable, each numeric one under a defined name."""

from __future__ import annotations

from typing import Any

from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation

from tco.engine.architecture import Architecture
from tco.engine.job import NO_PEOPLE, Job
from tco.errors import dotted
from tco.models.docs import descriptions, field_doc
from tco.models.pricebook import CreditOffer, PerResolutionOffer
from tco.models.workload import (
    HOURS_PER_PERIOD,
    MONTHS_PER_PERIOD,
    Candidate,
    Evidence,
    Hosting,
    Human,
    Pricing,
    Task,
    Workload,
)
from tco.report.excel.cells import (
    BOLD,
    COUNT,
    INPUT_FILL,
    INPUT_FONT,
    NOTE,
    NUMBER,
    TITLE,
    USD,
    Formula,
    edit_counter,
    first_line,
    fit_columns,
    header,
    num,
    page_setup,
    put,
    put_text,
    wrap,
)
from tco.report.excel.deal import candidate_deal, deal, tag_of

EXPLANATION_WIDTH = 70

# Workload keys in file order: (key, unit). Text keys select rates or periods and are shown, not named.
TOP_KEYS = (("workload", ""), ("period", "month or year"), ("tasks", "tasks per period"),
            ("tokenizer", "tokenizer name"), ("content", "prose, code or cjk"), ("seats", "seats"),
            ("working_hours", "hours per period"), ("peak_factor", "× average demand"))
UNITS = {
    "calls": "calls per attempt", "input_tokens": "tokens per call", "cached_input_share": "share of input",
    "cache_write_tokens": "tokens per call", "cache_write_ttl": "5m or 1h", "output_tokens": "tokens per call",
    "reasoning_tokens": "tokens per call", "format_retry_rate": "share of calls", "max_attempts": "attempts",
    "batch_share": "share of calls", "off_peak_share": "share of calls", "service_tier": "standard, flex or priority", "requests": "requests per attempt",
    "actions": "actions per attempt", "hourly_cost": "USD per hour", "review_minutes": "minutes per attempt",
    "task_minutes": "minutes per task", "failure_cost": "USD per failed task", "success_rate": "share per attempt",
    "assumed_resolution_share": "share of unresolved tasks", "units": "units", "seats": "seats",
    "waiting_share": "share of latency",
}
HOSTING_UNITS = {"output_tokens_per_second": "tokens/s per replica", "prefill_tokens_per_second": "tokens/s per replica",
                 "replicas": "replicas", "min_replicas": "replicas", "target_utilisation": "share of replica time",
                 "instance_hour": "USD per replica-hour"}
TEXT_KEYS = {"workload", "period", "tokenizer", "content", "cache_write_ttl", "service_tier"}
MONEY_KEYS = {"hourly_cost", "failure_cost"}
SHARE_KEYS = {"cached_input_share", "format_retry_rate", "batch_share", "off_peak_share", "success_rate", "assumed_resolution_share",
              "discount", "waiting_share"}


NAMING = ("Names: candidate n's inputs end _n; its route's stage k's _n_stage_k, its chain's step k's _n_step_k; "
          "attempt j's (under `attempts:`) add _attempt_j (success_rate_1_stage_2_attempt_1). Each is live: Calc "
          "bills every stage or step as a block of its own, on the tasks that reach it.")
"""How the inputs of attempts, stages and steps are named (the Assumptions note of such a candidate)."""


class Assumptions:
    """Every workload input, one per row, editable, each numeric one under a defined name."""

    COLUMNS = ["Name", "Value", "Unit", "Workload key", "Explanation"]
    EXPORTED = len(COLUMNS) + 1
    """The column (past the print area) holding each input as exported, to flag edits."""

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
        header(self.ws, self.row, [*self.COLUMNS, "As exported"], numeric=[2, self.EXPORTED])
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
        if value is not None:
            put(cell, value, fmt or NUMBER)
            put(ws.cell(r, self.EXPORTED), value, fmt or NUMBER).font = NOTE
        cell.font, cell.fill = INPUT_FONT, INPUT_FILL
        put_text(ws.cell(r, 3), unit)
        put_text(ws.cell(r, 4), key)
        if key in self.ranges:
            explanation += f" Range: {self.ranges[key]}; likely value shown."
        note = put_text(ws.cell(r, 5), explanation)
        if len(explanation) > EXPLANATION_WIDTH:
            wrap(note, EXPLANATION_WIDTH)
        if name:
            self.define(name, r)
            base = key.rsplit(".", 1)[-1]
            if base in ("success_rate", "target_utilisation"):
                self.probabilities.append(f"B{r}")
            elif base == "format_retry_rate":
                self.retry_rates.append(f"B{r}")
            elif base in SHARE_KEYS:
                self.shares.append(f"B{r}")
        self.row += 1

    def derived(self, name: str, formula: Formula, unit: str, explanation: str) -> None:
        """A value computed from an input (not itself an input: it has no exported copy)."""
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

    def fill(self, plans: list[Job | Architecture]) -> None:
        w = self.w
        self.section("Workload")
        for key, unit in TOP_KEYS:
            value = getattr(w, key)
            named = key if key not in TEXT_KEYS or key == "period" else None
            note = first_line(field_doc(Workload, key))
            if key in ("tokenizer", "content"):
                note += " Selects tokenizer ratios on Rates (not live)."
            self.add(named, value, key, unit, note, COUNT if key == "seats" else None)
        hours = num(HOURS_PER_PERIOD["month"])
        for period in ("year", "quarter", "week"):
            hours = f'IF(period="{period}",{num(HOURS_PER_PERIOD[period])},{hours})'
        self.derived("hours_per_period", Formula(hours, HOURS_PER_PERIOD[w.period]),
                     "hours", "Hours in the period (a year 8,760, a quarter 2,190, a month 730, a week 168): fees "
                              "quoted per unit-hour are multiplied by this.")
        self.derived("months_per_period", Formula(f"hours_per_period/{num(HOURS_PER_PERIOD['month'])}",
                                                  MONTHS_PER_PERIOD[w.period]),
                     "months", "Months in the period, by hours: fees quoted per month are multiplied by this.")
        if w.evidence is not None:
            self.evidence(w.evidence)
        self.section("Task: one attempt at one task")
        for key in Task.model_fields:
            self.task_or_human("task", key, getattr(w.task, key), Task)
        self.section("People" if w.human is not None else "People: not given (their costs are zero)")
        for key in Human.model_fields:
            self.task_or_human("human", key, getattr(w.human or NO_PEOPLE, key), Human)
        deal(self, w, [leg for p in plans for leg in (p.legs if isinstance(p, Architecture) else [p])])
        for n, p in enumerate(plans, 1):
            self.candidate(n, p)

    def evidence(self, ev: Evidence) -> None:
        """What a calibrated workload was measured on: facts, not inputs (no name, no input colours)."""
        self.section("Evidence: the measured runs these numbers come from")
        span = f"{ev.first_day} to {ev.last_day}" if ev.first_day else "not recorded"
        rows = (("Files", ", ".join(ev.files), "", "files"), ("Calls", ev.calls, "model calls", "calls"),
                ("Runs", ev.runs, "attempts at a task", "runs"), ("Tasks", ev.tasks, "distinct tasks", "tasks"),
                ("Date range", span, "first to last call", "first_day, last_day"))
        for label, value, unit, key in rows:
            put_text(self.ws.cell(self.row, 1), label)
            put(self.ws.cell(self.row, 2), value, None if isinstance(value, str) else COUNT)
            put_text(self.ws.cell(self.row, 3), unit)
            put_text(self.ws.cell(self.row, 4), ", ".join(f"evidence.{k}" for k in key.split(", ")))
            put_text(self.ws.cell(self.row, 5), "Measured, not an input: written by tco runs calibrate; the workload "
                                                "file's comments name the evidence of each number.")
            self.row += 1

    def task_or_human(self, group: str, key: str, value: Any, model: type, tag: str | None = None,
                      at: str = "") -> None:
        name = None if key in TEXT_KEYS else (key if tag is None else f"{key}_{tag}")
        where = f"{group}.{key}" if tag is None else f"{at}.{group}.{key}"
        note = first_line(field_doc(model, key))
        if key in TEXT_KEYS:
            note += " Selects the rate card (not live)."
        fmt = USD if key in MONEY_KEYS else (COUNT if key == "max_attempts" else None)
        self.add(name, value, where, UNITS.get(key, ""), note, fmt)

    def candidate(self, n: int, plan: Job | Architecture) -> None:
        """A candidate's inputs, named `key_n`; a route's stages' `key_n_stage_k`, a chain's steps' `key_n_step_k`."""
        job = plan if isinstance(plan, Job) else plan.whole
        self.section(f"Candidate {n}: {job.candidate.name}")
        c = job.candidate
        if c.route or c.chain or c.attempts or any(getattr(leg, "attempts", None) for leg in c.route or []):
            put_text(self.ws.cell(self.row, 5), NAMING).font = NOTE
            wrap(self.ws.cell(self.row, 5), EXPLANATION_WIDTH)
            self.row += 1
        self.pricing(("candidates", n - 1), job.candidate, job if isinstance(plan, Job) else None)
        if isinstance(plan, Architecture):
            word = "stage" if plan.kind == "route" else "step"
            for k, (leg, given) in enumerate(zip(plan.legs, getattr(job.candidate, plan.kind), strict=True)):
                self.pricing(("candidates", n - 1, plan.kind, k), given, leg, f"{word.capitalize()} {k + 1}: ")

    def pricing(self, path: tuple[str | int, ...], c: Pricing, job: Job | None, say: str = "") -> None:
        """What a candidate, stage or step gives (`job`, where it bills an offer itself): its inputs named with
        the suffix of `tag_of(path)`; each attempt's with `_attempt_k` after it."""
        tag, at = tag_of(path), dotted(path)
        fields = descriptions(Candidate)
        if c.offer is not None:
            self.add(None, c.offer, f"{at}.offer", "vendor/offer", say + first_line(fields["offer"]))
        if getattr(c, "label", ""):
            self.add(None, c.label, f"{at}.label", "", first_line(fields["label"]))
        if getattr(c, "success_rate", None) is not None:
            self.add(f"success_rate_{tag}", c.success_rate, f"{at}.success_rate", UNITS["success_rate"],
                     say + first_line(fields["success_rate"]))
        for k, attempt in enumerate(getattr(c, "attempts", None) or [], 1):
            self.add(f"success_rate_{tag}_attempt_{k}", attempt.success_rate, f"{at}.attempts[{k - 1}].success_rate",
                     UNITS["success_rate"], f"{say}Attempt {k}'s success rate, given the earlier ones failed.")
            for key, value in (attempt.task.model_dump(exclude_none=True) if attempt.task else {}).items():
                self.task_or_human("task", key, value, Task, f"{tag}_attempt_{k}", f"{at}.attempts[{k - 1}]")
        if job is not None and (uses_assumed_share(job) or c.assumed_resolution_share):
            self.add(f"assumed_resolution_share_{tag}", c.assumed_resolution_share, f"{at}.assumed_resolution_share",
                     UNITS["assumed_resolution_share"], first_line(fields["assumed_resolution_share"]))
        for name, share in c.outcome_shares.items():
            self.add(f"outcome_share_{name}_{tag}", share, f"{at}.outcome_shares.{name}", "share of tasks",
                     first_line(fields["outcome_shares"]))
        for key in ("term", "model"):
            if getattr(c, key) is not None:
                self.add(None, getattr(c, key), f"{at}.{key}", "",
                         first_line(fields[key]) + " Selects rates (not live).")
        for key in ("seats", "units"):
            if getattr(c, key) is not None:
                self.add(f"{key}_{tag}", getattr(c, key), f"{at}.{key}", UNITS[key], first_line(fields[key]),
                         COUNT)
        if c.hosting is not None:
            for key, value in c.hosting.model_dump(exclude_none=True).items():
                self.add(f"hosting_{key}_{tag}", value, f"{at}.hosting.{key}", HOSTING_UNITS[key],
                         first_line(field_doc(Hosting, key)), COUNT if "replicas" in key else None)
        for group, model, override in (("task", Task, c.task), ("human", Human, c.human)):
            if override is None:
                continue
            for key, value in override.model_dump(exclude_none=True).items():
                self.task_or_human(group, key, value, model, tag, at)
        candidate_deal(self, path, c)

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
        first, last, exported = self.header_row + 1, self.row - 1, get_column_letter(self.EXPORTED)
        edit_counter(ws, 3, 3, f"$B${first}:$B${last}", f"${exported}${first}:${exported}${last}", "inputs_edited",
                     "Inputs")
        ws.freeze_panes = ws.cell(self.header_row + 1, 1)
        fit_columns(ws, self.header_row, {"E": EXPLANATION_WIDTH}, cap=60)
        page_setup(ws, len(self.COLUMNS), self.row - 1, f"{self.header_row}:{self.header_row}")


def uses_assumed_share(job: Job) -> bool:
    offer = job.ref.offer
    return isinstance(offer, CreditOffer) or (isinstance(offer, PerResolutionOffer)
                                              and offer.counts == "confirmed_and_assumed")
