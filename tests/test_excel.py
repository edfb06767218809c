"""`tco export`: the workbook, recalculated by a real spreadsheet engine (LibreOffice headless), equals the engine.

Every formula cell of every exported workbook is checked against the engine's exact figures (to 1e-9 relative)
and the JSON of `tco compare`; then inputs are edited in the workbook (tasks, success rates, people's cost, an
override, price-book rates), recalculated again, and checked against `tco compare` on the changed files.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import yaml

from tco.api import comparison_for
from tco.cli.app import main
from tco.engine.architecture import plan
from tco.engine.compare import CandidateResult, evaluate
from tco.models.workload import HOURS_PER_PERIOD, MONTHS_PER_PERIOD, Human, Task
from tco.report.excel.cached import sheet_parts, with_cached_values
from tco.report.text import cell_text
from tests.conftest import FIXTURES, REPO

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
IN_CI = os.environ.get("CI", "").lower() == "true"
RELATIVE = 1e-9
AS_OF = "2026-06-01"

# ---------------------------------------------------------------- inputs: one price book and two workloads that
# between them use every scheme and every branch the formulas take (tiers, batch, fallbacks, packs, spill-over)

DATE = dt.date(2026, 1, 1)
SRC = {"source_urls": ["https://example.com/acme"], "retrieved": DATE}
ACME: dict[str, Any] = {
    "vendor": "acme", "version": DATE, "currency": "USD",
    "offers": {
        "long": {"scheme": "per_token", "name": "Acme Long", "tokenizer": "wide",
                 "rates": {"input_mtok": 2, "cached_input_mtok": 0.2, "cache_write_mtok": 2.5, "cache_write_1h_mtok": 4,
                           "output_mtok": 8, "reasoning_mtok": 6},
                 "service_tiers": {"batch": {"input_mtok": 1, "cached_input_mtok": 0.1, "output_mtok": 4},
                                   "off_peak": {"input_mtok": 1.5, "output_mtok": 6}},
                 "context_tiers": [
                     {"above_input_tokens": 4000, "rule": "marginal",
                      "rates": {"input_mtok": 4, "cached_input_mtok": 0.4, "output_mtok": 12},
                      "service_tiers": {"batch": {"input_mtok": 2, "cached_input_mtok": 0.2, "output_mtok": 6},
                                        "off_peak": {"input_mtok": 3, "output_mtok": 9}}},
                     {"above_input_tokens": 6000, "rule": "marginal", "rates": {"input_mtok": 5, "output_mtok": 15},
                      "service_tiers": {"batch": {"input_mtok": 2.5, "output_mtok": 7.5},
                                        "off_peak": {"input_mtok": 4, "output_mtok": 11}}}],
                 **SRC, "notes": '=HYPERLINK("https://evil.example","click") notes that look like a formula'},
        "big": {"scheme": "per_token", "name": "Acme Big", "tokenizer": "o200k",
                "rates": {"input_mtok": 1, "output_mtok": 4},
                "service_tiers": {"flex": {"input_mtok": 0.5, "output_mtok": 2}},
                "context_tiers": [{"above_input_tokens": 3000, "rule": "whole_request",
                                   "rates": {"input_mtok": 2, "cached_input_mtok": 0.5, "output_mtok": 6},
                                   "service_tiers": {"flex": {"input_mtok": 1, "output_mtok": 3}}}], **SRC},
        "seat-requests": {"scheme": "seat", "name": "Acme Seats (requests)", "seat_month": {"monthly": 19, "annual": 15},
                          "min_seats": 30, "allowance": {"unit": "request", "per_seat_month": 300},
                          "overage_per_unit": 0.04, "model_multipliers": {"example/x": 2.5, "acme/big": 0.33}, **SRC},
        "seat-usd": {"scheme": "seat", "name": "Acme Seats (usd)", "seat_month": {"monthly": 40},
                     "allowance": {"unit": "usd", "per_seat_month": 20}, "overage_per_unit": 1, **SRC},
        "seat-credits": {"scheme": "seat", "name": "Acme Seats (credits)", "seat_month": {"monthly": 19},
                         "allowance": {"unit": "credit", "per_seat_month": 1900, "usd_per_credit": 0.01},
                         "overage_per_unit": 0.01, **SRC},
        "seat-flat": {"scheme": "seat", "name": "Acme Seats (flat)", "seat_month": {"monthly": 30}, **SRC},
        "seat-capped": {"scheme": "seat", "name": "Acme Seats (capped)", "seat_month": {"monthly": 10},
                        "allowance": {"unit": "request", "per_seat_month": 100}, **SRC},
        "credits-actions": {"scheme": "credit", "name": "Acme Credits (actions)", "price_per_credit": 0.006,
                            "packs": [{"credits": 100000, "price": 500}, {"credits": 20000, "price": 110}],
                            "credits_per": {"action": 20, "conversation": 5, "resolution": 50},
                            "action_token_limit": 10000, "included_credits_month": 50000, "platform_fee_month": 100,
                            **SRC},
        "credits-api": {"scheme": "credit", "name": "Acme Credits (API)", "packs": [{"credits": 1000, "price": 10}],
                        "credits_per": {"api_usd": 120, "request": 1}, **SRC},
        "fin-like": {"scheme": "per_resolution", "name": "Acme Resolutions", "per_resolution": 0.99,
                     "counts": "confirmed_only", "platform_fee_month": 500, "included_resolutions_month": 1000, **SRC},
        "outcomes": {"scheme": "per_resolution", "name": "Acme Outcomes", "per_resolution": 0.99,
                     "counts": "confirmed_and_assumed", "included_resolutions_month": 100,
                     "other_outcomes": {"procedure_handoff": {"fee": 0.99, "task_done": False},
                                        "qualification": {"fee": 9.99, "task_done": True}}, **SRC},
        "agent": {"scheme": "per_conversation", "name": "Acme Conversations", "per_conversation": 2, "per_action": 0.1,
                  "platform_fee_month": 200, "included_conversations_month": 500, **SRC},
        "seat-teams": {"scheme": "seat", "name": "Acme Teams (per seat)", "seat_month": {"monthly": 40},
                       "allowance": {"unit": "usd", "per_seat_month": 20, "token_rate_mtok": 0.25, "pooling": "per_seat"},
                       "overage_per_unit": 1, **SRC},
        "ptu": {"scheme": "provisioned", "name": "Acme PTU", "tokenizer": "wide",
                "terms": {"hourly": {"unit_hour": 1}, "year": {"unit_month": 221}}, "min_units": 15, "unit_increment": 5,
                "throughput": {"tokens_per_minute_per_unit": 2400,
                               "weights": {"input": 1, "cached_input": 0, "output": 6}},
                "spillover_offer": "acme/long", **SRC},
        "gpu": {"scheme": "self_hosted", "name": "Acme GPU replica", "tokenizer": "wide", "gpus_per_replica": 8,
                "throughput": {"output_tokens_per_second": 2500, "prefill_tokens_per_second": 40000, "concurrency": 64},
                "target_utilisation": 0.6, "instance_hour": 31.92, "spillover_offer": "acme/long", **SRC},
        "rack": {"scheme": "self_hosted", "name": "Acme owned rack", "tokenizer": "o200k", "gpus_per_replica": 8,
                 "throughput": {"output_tokens_per_second": 2000, "prefill_tokens_per_second": 30000},
                 "owned": {"capex": 300000, "amortise_months": 36, "power_kw": 10.2, "price_per_kwh": 0.12,
                           "ops_per_month": 1500}, **SRC},
        "bare": {"scheme": "self_hosted", "name": "Acme bare instance", "tokenizer": "o200k", "gpus_per_replica": 4,
                 "instance_hour": 20, **SRC},
    },
}
ALL_SCHEMES: dict[str, Any] = {
    "workload": "All schemes", "period": "month", "tasks": 12345, "tokenizer": "o200k", "content": "code",
    "task": {"calls": 3, "input_tokens": 2500, "cached_input_share": 0.4, "cache_write_tokens": 300,
             "cache_write_ttl": "1h", "output_tokens": 350, "reasoning_tokens": 700, "format_retry_rate": 0.07,
             "max_attempts": 2, "batch_share": 0.25, "requests": 2, "actions": 3},
    "human": {"hourly_cost": 52.5, "review_minutes": 1.25, "task_minutes": 14, "failure_cost": 6},
    "seats": 25, "working_hours": 200, "peak_factor": 2.2,
    "candidates": [
        {"offer": "acme/long", "success_rate": 0.81},
        {"offer": "acme/long", "label": "Long, big prompts", "success_rate": 0.7,
         "task": {"input_tokens": 3200, "batch_share": 0.6, "off_peak_share": 0.3}, "human": {"hourly_cost": 80}},
        {"offer": "acme/big", "success_rate": 0.6, "task": {"batch_share": 0}},
        {"offer": "acme/big", "label": "=1+1", "success_rate": 0.66,
         "task": {"batch_share": 0, "input_tokens": 4000, "service_tier": "flex", "max_attempts": 1}},
        {"offer": "acme/seat-requests", "model": "example/x", "seats": 40, "term": "annual", "success_rate": 0.75},
        {"offer": "acme/seat-usd", "model": "acme/big", "success_rate": 0.72},
        {"offer": "acme/seat-credits", "model": "acme/long", "success_rate": 0.8},
        {"offer": "acme/seat-flat", "success_rate": 0.5, "seats": 10},
        {"offer": "acme/seat-capped", "success_rate": 0.5},
        {"offer": "acme/credits-actions", "success_rate": 0.77, "assumed_resolution_share": 0.2},
        {"offer": "acme/credits-api", "model": "acme/long", "success_rate": 0.79},
        {"offer": "acme/fin-like", "success_rate": 0.62, "assumed_resolution_share": 0.3},
        {"offer": "example/y", "success_rate": 0.65, "assumed_resolution_share": 0.3},
        {"offer": "acme/agent", "success_rate": 0.68},
        {"offer": "acme/ptu", "term": "year", "success_rate": 0.83, "task": {"batch_share": 0}},
        {"offer": "acme/ptu", "label": "PTU, 15 units", "units": 15, "success_rate": 0.83, "task": {"batch_share": 0}},
        {"offer": "acme/outcomes", "success_rate": 0.5, "assumed_resolution_share": 0.2,
         "outcome_shares": {"procedure_handoff": 0.15, "qualification": 0.1}},
        {"offer": "acme/gpu", "success_rate": 0.8, "task": {"batch_share": 0}},
        {"offer": "acme/gpu", "label": "GPU, 1 slow replica", "success_rate": 0.8, "task": {"batch_share": 0},
         "hosting": {"replicas": 1, "output_tokens_per_second": 20}},
        {"offer": "acme/rack", "success_rate": 0.8, "task": {"batch_share": 0}},
        {"offer": "acme/bare", "success_rate": 0.75, "task": {"batch_share": 0},
         "hosting": {"output_tokens_per_second": 3000, "prefill_tokens_per_second": 50000, "instance_hour": 18,
                     "target_utilisation": 0.5, "min_replicas": 2}},
    ],
}
YEARLY: dict[str, Any] = {
    "workload": "@Yearly, measured in wide", "period": "year", "tasks": 250000, "tokenizer": "wide", "content": "cjk",
    "task": {"calls": 2, "input_tokens": 1800, "output_tokens": 500, "max_attempts": 3, "actions": 2},
    "human": {"hourly_cost": 40, "review_minutes": 3, "task_minutes": 9},
    "working_hours": 2000, "peak_factor": 3,
    "candidates": [
        {"offer": "example/x", "success_rate": 0.7},
        {"offer": "acme/ptu", "success_rate": 0.7},
        {"offer": "acme/ptu", "label": "PTU, 20 units", "units": 20, "success_rate": 0.7},
        {"offer": "acme/gpu", "success_rate": 0.7},
        {"offer": "acme/agent", "success_rate": 0.6},
        {"offer": "example/y", "success_rate": 0.6, "assumed_resolution_share": 0.1},
    ],
}

RANGED: dict[str, Any] = {  # every form of range, shared and per candidate; exported with --simulate
    "workload": "Ranged", "period": "month", "tasks": 20000, "tokenizer": "o200k", "content": "prose",
    "task": {"calls": 3, "input_tokens": [1800, 2000, 2600, 2100], "cached_input_share": 0.5,
             "output_tokens": {"mean": 300, "sd": 60}, "format_retry_rate": {"successes": 5, "trials": 100},
             "max_attempts": 2},
    "human": {"hourly_cost": 45, "review_minutes": {"low": 1, "likely": 2, "high": 4}, "task_minutes": 12},
    "candidates": [
        {"offer": "example/x", "success_rate": {"successes": 82, "trials": 100}},
        {"offer": "acme/big", "label": "=SUM(1,2) big", "success_rate": {"low": 0.6, "likely": 0.7, "high": 0.75},
         "task": {"input_tokens": {"low": 2500, "likely": 3500, "high": 5000}}},
        {"offer": "acme/fin-like", "success_rate": 0.6},
    ],
}
DRAWS, SEED = 2000, 7

DEAL: dict[str, Any] = {  # the whole deal: a term, fixed costs of every kind, discounts, per-seat allowances
    "workload": "The whole deal", "period": "quarter", "tasks": 9000, "tokenizer": "o200k", "content": "prose",
    "seats": 30, "term_months": 24, "seat_usage_cv": 1.3,
    "task": {"calls": 4, "input_tokens": 3000, "cached_input_share": 0.5, "output_tokens": 400, "max_attempts": 2},
    "human": {"hourly_cost": 50, "review_minutes": 2, "task_minutes": 15},
    "fixed_costs": [{"name": "platform", "per_month": 300}, {"name": "integration", "one_off": 12000},
                    {"name": "licence", "per_year": 2400}],
    "candidates": [
        {"offer": "example/x", "success_rate": 0.8, "discount": 0.15, "tokenizer": "wide",
         "fixed_costs": [{"name": "helpdesk", "per_seat_month": 55},
                         {"name": "build", "one_off": 30000, "amortise_months": 18}]},
        {"offer": "acme/seat-teams", "model": "acme/big", "success_rate": 0.7, "discount": 0.1},
        {"offer": "acme/fin-like", "success_rate": 0.6, "fixed_costs": [{"name": "platform", "per_month": 0}]},
    ],
}
NO_PEOPLE: dict[str, Any] = {
    "workload": "Vendors only", "tasks": 5000, "task": {"calls": 2, "input_tokens": 1500, "output_tokens": 300},
    "candidates": [{"offer": "example/x", "success_rate": 0.8}, {"offer": "acme/agent", "success_rate": 0.7}],
}

ARCHITECTURES: dict[str, Any] = {  # attempts, routes and chains over several schemes, with a term and fixed costs
    "workload": "Architectures", "period": "month", "tasks": 8000, "tokenizer": "o200k", "content": "prose",
    "seats": 20, "term_months": 12, "fixed_costs": [{"name": "platform", "per_month": 400}],
    "task": {"calls": 3, "input_tokens": 2500, "cached_input_share": 0.3, "output_tokens": 400, "max_attempts": 2,
             "actions": 2},
    "human": {"hourly_cost": 60, "review_minutes": 2, "task_minutes": 20, "failure_cost": 3},
    "candidates": [
        {"label": "resolutions, then tokens, then an agent", "human": {"hourly_cost": 70},
         "fixed_costs": [{"name": "router", "one_off": 9000}],
         "route": [
             {"offer": "acme/fin-like", "success_rate": 0.5, "human": {"review_minutes": 0.5}},
             {"offer": "acme/long", "discount": 0.1, "task": {"batch_share": 0.2},
              "fixed_costs": [{"name": "fine-tune", "one_off": 5000, "amortise_months": 6}],
              "attempts": [{"success_rate": 0.6}, {"success_rate": 0.7, "task": {"input_tokens": 5000}}]},
             {"offer": "acme/agent", "success_rate": 0.6}]},
        {"label": "tokens + GPU + seats", "success_rate": 0.7, "task": {"max_attempts": 3},
         "fixed_costs": [{"name": "glue", "per_month": 200}],
         "chain": [{"offer": "acme/big"},
                   {"offer": "acme/gpu", "hosting": {"replicas": 2}, "task": {"output_tokens": 150}},
                   {"offer": "acme/seat-usd", "model": "acme/big"}]},
        {"offer": "acme/big", "attempts": [{"success_rate": 0.5}, {"success_rate": 0.6}, {"success_rate": 0.8}]},
        {"label": "writer + critic, the retry longer", "chain": [{"offer": "acme/long"}, {"offer": "acme/big"}],
         "attempts": [{"success_rate": 0.4}, {"success_rate": 0.6, "task": {"output_tokens": 900}}]},
        {"offer": "example/x", "success_rate": 0.8},
    ],
}

RATE_EDITS = {  # (offer, Rates entry) → new value: edited in the workbook and in a copy of the price book
    ("acme/long", "rates.input_mtok"): 2.6,
    ("acme/seat-requests", "seat_month.annual"): 17,
    ("acme/credits-actions", "packs[1].price"): 95,
    ("acme/ptu", "terms.year.unit_month"): 230,
    ("acme/gpu", "instance_hour"): 35,
    ("acme/rack", "owned.capex"): 280000,
}


def write_books(root: Path, acme: dict[str, Any]) -> Path:
    shutil.copytree(FIXTURES / "pricebooks", root)
    (root / "acme").mkdir()
    (root / "acme" / "2026-01-01.yaml").write_text(yaml.safe_dump(acme, sort_keys=False))
    return root


@dataclass
class Case:
    id: str
    workload: Path
    books: Path | None
    as_of: str
    edits: dict[str, Any] = field(default_factory=dict)
    rate_edits: dict[tuple[str, str], Any] = field(default_factory=dict)
    simulate: list[str] = field(default_factory=list)
    """Extra options for `tco export` (--simulate N --seed S)."""

    def args(self, workload: Path | None = None, books: Path | None = None) -> list[str]:
        books = books or self.books
        return [str(workload or self.workload), "--as-of", self.as_of] + (["--pricebooks", str(books)] if books else [])


def cases(tmp: Path) -> list[Case]:
    """Each example workload (bundled price books, today), the worked example, and the two workloads above."""
    found = [Case(p.stem, p, None, dt.date.today().isoformat()) for p in sorted((REPO / "examples").glob("*.yaml"))]
    books = write_books(tmp / "books", ACME)
    (tmp / "all-schemes.yaml").write_text(yaml.safe_dump(ALL_SCHEMES, sort_keys=False))
    (tmp / "yearly.yaml").write_text(yaml.safe_dump(YEARLY, sort_keys=False))
    (tmp / "ranged.yaml").write_text(yaml.safe_dump(RANGED, sort_keys=False))
    (tmp / "deal.yaml").write_text(yaml.safe_dump(DEAL, sort_keys=False))
    (tmp / "no-people.yaml").write_text(yaml.safe_dump(NO_PEOPLE, sort_keys=False))
    (tmp / "architectures.yaml").write_text(yaml.safe_dump(ARCHITECTURES, sort_keys=False))
    found += [
        Case("worked-example", FIXTURES / "worked_example.yaml", FIXTURES / "pricebooks", AS_OF),
        Case("all-schemes", tmp / "all-schemes.yaml", books, AS_OF,
             {"review_minutes": 1.6, "hourly_cost_2": 95, "success_rate_10": 0.6}, RATE_EDITS),
        Case("yearly", tmp / "yearly.yaml", books, AS_OF),
        Case("ranged", tmp / "ranged.yaml", books, AS_OF, simulate=["--simulate", str(DRAWS), "--seed", str(SEED)]),
        Case("deal", tmp / "deal.yaml", books, AS_OF,
             {"term_months": 36, "discount_1": 0.25, "fixed_cost_1": 350, "fixed_cost_1_2": 24000,
              "amortise_months_1_2": 12, "seat_usage_cv": 2.1, "discount_2": 0.3}),
        Case("no-people", tmp / "no-people.yaml", books, AS_OF),
        Case("architectures", tmp / "architectures.yaml", books, AS_OF,
             {"review_minutes_1_stage_1": 0.8, "discount_1_stage_2": 0.2, "hourly_cost_1": 75, "term_months": 18,
              "output_tokens_2_step_2": 200, "batch_share_1_stage_2": 0.4}),
    ]
    for case in found:
        w = comparison_for(case.workload, dt.date.fromisoformat(case.as_of), case.books)[0].workload  # ranges at likely
        plain = [n for n, c in enumerate(w.candidates, 1) if c.offer and not c.attempts]  # one success_rate cell each
        case.edits = {"tasks": int(Decimal(w.tasks) * Decimal("1.37")) + 1,
                      **({"hourly_cost": float(w.human.hourly_cost + Decimal("7.5"))} if w.human else {}),
                      f"success_rate_{plain[0]}": 0.55, f"success_rate_{plain[-1]}": 0.93,
                      **architecture_edits(w), **case.edits}
    return found


def architecture_edits(w: Any) -> dict[str, Any]:
    """Edits of the inputs of attempts, routes and chains (named key_n, key_n_stage_k, key_n_step_k, …_attempt_j):
    a stage's rate, an attempt's rate and what it consumes, a chain's rate."""
    edits: dict[str, Any] = {}
    for n, c in enumerate(w.candidates, 1):
        for kind, word in (("route", "stage"), ("chain", "step")):
            for k, leg in enumerate(getattr(c, kind) or [], 1):
                tag = f"{n}_{word}_{k}"
                if getattr(leg, "success_rate", None) is not None:
                    edits.setdefault(f"success_rate_{tag}", 0.42)
                for j, attempt in enumerate(getattr(leg, "attempts", None) or [], 1):
                    edits.setdefault(f"success_rate_{tag}_attempt_{j}", 0.25 + 0.1 * j)
                    if attempt.task is not None and attempt.task.input_tokens is not None:
                        edits.setdefault(f"input_tokens_{tag}_attempt_{j}", 19000)
        if c.chain and c.success_rate is not None:
            edits.setdefault(f"success_rate_{n}", 0.51)
        if c.offer and c.attempts:
            edits.setdefault(f"success_rate_{n}_attempt_{len(c.attempts)}", 0.7)
    return edits


# ---------------------------------------------------------------- LibreOffice


def need_soffice() -> str:
    if SOFFICE:
        return SOFFICE
    if IN_CI:
        pytest.fail("soffice is not installed: CI must install libreoffice-calc-nogui (see .ci/run)")
    pytest.skip("LibreOffice is not installed here (apt-get install libreoffice-calc-nogui)")


ALWAYS_RECALCULATE = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">
  <prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""
"""LibreOffice's setting "recalculate Excel files on load: always" (by default it shows the cached values)."""


def recalculate(files: list[Path], out: Path) -> dict[Path, Path]:
    """Open each workbook in LibreOffice headless, recalculating every formula on load, and save it again."""
    soffice = need_soffice()
    out.mkdir(parents=True, exist_ok=True)
    profile = out.parent / f"{out.name}-lo-profile"
    (profile / "user").mkdir(parents=True, exist_ok=True)
    (profile / "user" / "registrymodifications.xcu").write_text(ALWAYS_RECALCULATE)
    result = subprocess.run([soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
                             "--nolockcheck", "--convert-to", "xlsx", "--outdir", str(out), *map(str, files)],
                            capture_output=True, text=True, timeout=900)
    done = {f: out / f.name for f in files}
    missing = [str(f) for f, o in done.items() if not o.exists()]
    assert not missing, f"LibreOffice did not convert {missing}: {result.stdout}\n{result.stderr}"
    return done


def export(case: Case, output: Path, workload: Path | None = None, books: Path | None = None) -> None:
    code = main(["export", *case.args(workload, books), "--output", str(output), *case.simulate])
    assert code == 0 and output.exists(), f"tco export failed for {case.id}"


def engine(case: Case, workload: Path | None = None, books: Path | None = None) -> list[CandidateResult]:
    """The engine's exact results, in workload order."""
    comparison, _ = comparison_for(workload or case.workload, dt.date.fromisoformat(case.as_of), books or case.books)
    w, selection = comparison.workload, comparison.selection
    return [evaluate(plan(w, i, selection)) for i in range(len(w.candidates))]


@dataclass
class Exported:
    case: Case
    xlsx: Path
    recalculated: Path | None = None


@pytest.fixture(scope="module")
def workbooks(tmp_path_factory) -> dict[str, Exported]:
    """Every case exported by `tco export`."""
    tmp = tmp_path_factory.mktemp("excel")
    made = {}
    for case in cases(tmp):
        export(case, tmp / f"{case.id}.xlsx")
        made[case.id] = Exported(case, tmp / f"{case.id}.xlsx")
    return made


def poisoned(xlsx: Path, out: Path) -> Path:
    """A copy of the workbook with every formula's cached value wrong: what LibreOffice then shows, it computed."""
    wb = openpyxl.load_workbook(xlsx)
    wrong = {ws.title: {c.coordinate: -1 for row in ws.iter_rows() for c in row if c.data_type == "f"}
             for ws in wb.worksheets}
    out.mkdir(parents=True, exist_ok=True)
    (out / xlsx.name).write_bytes(with_cached_values(xlsx.read_bytes(), wrong))
    return out / xlsx.name


@pytest.fixture(scope="module")
def exported(workbooks, tmp_path_factory) -> dict[str, Exported]:
    """Every exported workbook, and the same recalculated by LibreOffice (from a copy with wrong cached values)."""
    tmp = tmp_path_factory.mktemp("recalculated")
    copies = {e.xlsx: poisoned(e.xlsx, tmp / "poisoned") for e in workbooks.values()}
    calc = recalculate(list(copies.values()), tmp / "out")
    for e in workbooks.values():
        e.recalculated = calc[copies[e.xlsx]]
    return workbooks


@dataclass
class Edited:
    case: Case
    workload: Path
    books: Path | None
    original: Path
    recalculated: Path
    changed: tuple[int, int] = (0, 0)
    """How many inputs and how many rates the edits changed."""


def set_input(wb: openpyxl.Workbook, name: str, value: Any) -> bool:
    """Set a named input; whether that changed it."""
    [(sheet, coord)] = list(wb.defined_names[name].destinations)
    cell = wb[sheet][coord.replace("$", "")]
    assert isinstance(cell.value, (int, float)), f"{name} is not a number input"
    changed, cell.value = cell.value != value, value
    return changed


def set_rate(wb: openpyxl.Workbook, offer: str, entry: str, value: Any) -> bool:
    """Set a rate on the Rates sheet; whether that changed it."""
    ws = wb["Rates"]
    rows = [r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == offer and ws.cell(r, 2).value == entry]
    assert len(rows) == 1, f"{offer} {entry} on Rates: {rows}"
    cell = ws.cell(rows[0], 3)
    changed, cell.value = cell.value != value, value
    return changed


def edit_yaml(data: dict[str, Any], name: str, value: Any) -> None:
    item = re.fullmatch(r"(fixed_cost|amortise_months)_(\d+)(?:_(\d+))?", name)
    if item:  # a fixed cost: the workload's item i, or candidate n's item i
        kind, first, second = item.groups()
        owner, i = (data, int(first)) if second is None else (data["candidates"][int(first) - 1], int(second))
        entry = owner["fixed_costs"][i - 1]
        key = "amortise_months" if kind == "amortise_months" else next(
            k for k in ("per_month", "per_year", "per_seat_month", "one_off") if k in entry)
        entry[key] = value
        return
    match = re.fullmatch(r"(.+?)_(\d+)(?:_(stage|step)_(\d+))?(?:_attempt_(\d+))?", name)
    key, target = (match.group(1), data["candidates"][int(match.group(2)) - 1]) if match else (name, data)
    if match and match.group(3):  # key_n_stage_k: stage k of candidate n's route (step k of its chain)
        target = target["route" if match.group(3) == "stage" else "chain"][int(match.group(4)) - 1]
    if match and match.group(5):  # …_attempt_j: its attempt j
        target = target["attempts"][int(match.group(5)) - 1]
    if key in Task.model_fields:
        target.setdefault("task", {})[key] = value
    elif key in Human.model_fields:
        target.setdefault("human", {})[key] = value
    else:
        target[key] = value


def edit_book(acme: dict[str, Any], offer: str, entry: str, value: Any) -> None:
    node = acme["offers"][offer.split("/", 1)[1]]
    parts = [int(p) if p.isdigit() else p for p in re.split(r"\.|\[|\]\.?", entry) if p]
    for part in parts[:-1]:
        node = node[part]
    node[parts[-1]] = value


@pytest.fixture(scope="module")
def edited(exported, tmp_path_factory) -> dict[str, Edited]:
    """Each exported workbook with inputs changed in the sheet, and the same changes made to the files."""
    tmp = tmp_path_factory.mktemp("edited")
    made = {}
    for key, ex in exported.items():
        case = ex.case
        wb = openpyxl.load_workbook(ex.xlsx)
        data = yaml.safe_load(case.workload.read_text())
        inputs = rates = 0
        for name, value in case.edits.items():
            inputs += set_input(wb, name, value)
            edit_yaml(data, name, value)
        books = case.books
        if case.rate_edits:
            acme = copy.deepcopy(ACME)
            for (offer, entry), value in case.rate_edits.items():
                rates += set_rate(wb, offer, entry, value)
                edit_book(acme, offer, entry, value)
            books = write_books(tmp / f"{key}-books", acme)
        wb.calculation.fullCalcOnLoad = True
        wb.save(tmp / f"{key}.xlsx")
        workload = tmp / f"{key}.yaml"
        workload.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
        made[key] = Edited(case, workload, books, tmp / f"{key}.xlsx", tmp / f"{key}.xlsx", (inputs, rates))
    calc = recalculate([e.original for e in made.values()], tmp / "recalculated")
    for e in made.values():
        e.recalculated = calc[e.original]
    return made


# ---------------------------------------------------------------- what each formula cell should hold


def engine_value(result: CandidateResult, key: str, results: list[CandidateResult]) -> Any:
    """The engine's value of a workbook field for one candidate; None when the engine has no such figure."""
    if key == "rank":
        return 1 + sum(r.cost_per_completed_task < result.cost_per_completed_task for r in results)
    E, S = result.expected_attempts, result.task_success_rate
    fixed_for_success = result.risk.fixed_commitment * S / E
    if key == "split.fixed_for_success":
        return fixed_for_success
    if key == "split.variable_for_success":
        return result.period_cost - result.risk.customer_failure_spend - fixed_for_success
    value: Any = result
    for part in re.split(r"\.|(?=\[)", key):  # breakdown.route[0].attempt_charges[1]
        if part.startswith("["):
            value = value[int(part[1:-1])]
        elif isinstance(value, dict):
            if part not in value:
                return Decimal(0) if key.endswith("spillover_cost") else None
            value = value[part]
        else:
            value = getattr(value, part)
    return value


def json_value(doc_result: dict[str, Any] | None, key: str) -> Any:
    if doc_result is None or key.startswith(("split.", "rank")):
        return None
    value: Any = doc_result
    for part in re.split(r"\.|(?=\[)", key):
        if part.startswith("[") and isinstance(value, list):
            value = value[int(part[1:-1])]
        elif not isinstance(value, dict) or part not in value:
            return None
        else:
            value = value[part]
    return value


def matches(actual: Any, expected: Any, tolerance: float = 0.0) -> tuple[bool, float]:
    """Equal text, or numbers within 1e-9 relative (plus `tolerance`, for the JSON's rounding to 10 places)."""
    if isinstance(expected, str) and not re.fullmatch(r"-?[0-9.]+(E-?[0-9]+)?", expected):
        return actual == expected, 0.0
    if isinstance(actual, bool) or not isinstance(actual, (int, float)):
        return False, float("inf")
    e = float(expected)
    error = abs(actual - e)
    return error <= RELATIVE * abs(e) + tolerance + 1e-12, error / abs(e) if e else error


@dataclass
class Checked:
    formulas: int = 0
    max_relative: float = 0.0
    failures: list[str] = field(default_factory=list)


def formula_cells(wb: openpyxl.Workbook):
    """(sheet, coordinate, field, candidate number) of every formula in the workbook; fails on one it cannot place."""
    summary = wb["Summary"]
    key_row = next(r for r in range(1, 20) if summary.cell(r, 1).value == "rank")
    keys = {c: summary.cell(key_row, c).value for c in range(1, summary.max_column + 1)}
    number_col = next(c for c, k in keys.items() if k == "no")
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type != "f":
                    continue
                if ws.title == "Calc":
                    yield ws.title, cell.coordinate, ws.cell(cell.row, 5).value, ws.cell(cell.row, 1).value
                elif ws.title == "Summary" and cell.row > key_row + 1:
                    yield ws.title, cell.coordinate, keys[cell.column], ws.cell(cell.row, number_col).value
                elif ws.title == "Summary" and str(ws.cell(cell.row, 1).value).startswith("Cheapest"):
                    yield ws.title, cell.coordinate, "verdict.best", None
                elif ws.title == "Assumptions" and ws.cell(cell.row, 1).value in ("months_per_period", "hours_per_period"):
                    yield ws.title, cell.coordinate, f"assumption.{ws.cell(cell.row, 1).value}", None
                elif str(ws.cell(cell.row, 1).value).endswith("edited since export (live):"):
                    yield ws.title, cell.coordinate, f"edits.{ws.title}", None
                elif ws.title == "Summary" and cell.coordinate == "A5":
                    yield ws.title, cell.coordinate, "edits.flag", None
                else:
                    pytest.fail(f"formula {ws.title}!{cell.coordinate} {cell.value} is not one the test can check")


def flag(changed: tuple[int, int]) -> str:
    """What Summary says when `changed` inputs and rates differ from those exported."""
    n = sum(changed)
    if not n:
        return "Inputs and rates are as exported: every figure is current."
    return (f"{n} input(s) or rate(s) differ from those exported: figures marked not live are stale (the verdict, "
            "break-even success, any simulation); run tco export again.")


def check(original: Path, recalculated: Path, results: list[CandidateResult], doc: dict[str, Any],
          period: str, changed: tuple[int, int] = (0, 0)) -> Checked:
    """Every formula's recalculated value against the engine (exact) and the JSON document (rounded); the edit
    counters against `changed` (inputs, rates)."""
    formulas = openpyxl.load_workbook(original)
    values = openpyxl.load_workbook(recalculated, data_only=True)
    names = [r.candidate for r in results]
    by_name = {r["candidate"]: r for r in doc["results"]} if len(set(names)) == len(names) else {}
    out = Checked()
    for sheet, coord, key, n in formula_cells(formulas):
        actual = values[sheet][coord].value
        where = f"{sheet}!{coord} {key} (candidate {n})"
        if key == "verdict.best":
            best = min(results, key=lambda r: r.cost_per_completed_task)
            checks = [(cell_text(best.candidate), 0.0), (cell_text(doc["verdict"]["best"]), 0.0)]
        elif key.startswith("assumption."):
            table = MONTHS_PER_PERIOD if key.endswith("months_per_period") else HOURS_PER_PERIOD
            checks = [(table[period], 0.0)]
        elif key.startswith("edits."):
            expected = {"edits.Assumptions": changed[0], "edits.Rates": changed[1], "edits.flag": flag(changed)}
            checks = [(expected[key], 0.0)]
        else:
            assert key and n, f"{where}: a formula row without a field or candidate"
            result = results[n - 1]
            exact = engine_value(result, key, results)
            assert exact is not None, f"{where}: the engine has no such figure"
            checks = [(exact if not isinstance(exact, str) else exact, 0.0)]
            in_json = json_value(by_name.get(result.candidate), key)
            if in_json is not None:
                checks.append((in_json, 6e-11))
        out.formulas += 1
        for expected, tolerance in checks:
            ok, deviation = matches(actual, expected, tolerance)
            if tolerance == 0.0 and deviation != float("inf"):
                out.max_relative = max(out.max_relative, deviation)
            if not ok:
                out.failures.append(f"{where}: LibreOffice {actual!r}, expected {expected!r}")
    return out


def compare_json(tco, case: Case, workload: Path | None = None, books: Path | None = None) -> dict[str, Any]:
    run = tco("compare", *case.args(workload, books), "--format", "json")
    assert run.code == 0, run.err
    return json.loads(run.out)


# ---------------------------------------------------------------- the checks


def test_every_formula_recalculates_to_the_engine(exported, tco):
    report = []
    for key, ex in exported.items():
        case = ex.case
        results = engine(case)
        doc = compare_json(tco, case)
        period = yaml.safe_load(case.workload.read_text()).get("period", "month")
        checked = check(ex.xlsx, ex.recalculated, results, doc, period)
        assert not checked.failures, f"{key}:\n" + "\n".join(checked.failures[:30])
        assert checked.formulas > 20 * len(results)
        report.append(f"{key}: {checked.formulas} formula cells, max relative deviation {checked.max_relative:.1e}")
    print("\n".join(report))


def test_cached_values_are_the_engines_figures(workbooks, tco):
    """Beside every formula the file stores its value as exported (the engine's figure), so previews that do not
    calculate (mail, Quick Look) show numbers; Excel recalculates on open (fullCalcOnLoad), LibreOffice on edit."""
    for key, ex in workbooks.items():
        case = ex.case
        period = yaml.safe_load(case.workload.read_text()).get("period", "month")
        checked = check(ex.xlsx, ex.xlsx, engine(case), compare_json(tco, case), period)
        assert not checked.failures, f"{key}:\n" + "\n".join(checked.failures[:30])
        assert checked.max_relative < 1e-15  # the engine's Decimal, as the nearest double
    with zipfile.ZipFile(workbooks["all-schemes"].xlsx) as z:
        summary = z.read("xl/worksheets/sheet1.xml").decode()
    assert '<c r="A5" s="' in summary and 't="str"><f>IF(inputs_edited+rates_edited=0' in summary


def test_edited_inputs_recalculate_to_tco_compare_on_the_edited_files(edited, tco):
    report = []
    for key, e in edited.items():
        results = engine(e.case, e.workload, e.books)
        doc = compare_json(tco, e.case, e.workload, e.books)
        period = yaml.safe_load(e.workload.read_text()).get("period", "month")
        checked = check(e.original, e.recalculated, results, doc, period, e.changed)
        assert not checked.failures, f"{key} after editing {e.case.edits}:\n" + "\n".join(checked.failures[:30])
        report.append(f"{key} (edited): {checked.formulas} formula cells, max relative deviation {checked.max_relative:.1e}")
    print("\n".join(report))


def test_edits_move_the_results(edited, exported):
    """The edits matter: tasks and success rates change the figures LibreOffice computes."""
    for key, e in edited.items():
        before = openpyxl.load_workbook(exported[key].recalculated, data_only=True)["Summary"]
        after = openpyxl.load_workbook(e.recalculated, data_only=True)["Summary"]
        col = next(c for c in range(1, 30) if before.cell(6, c).value == "period_tco")
        assert [before.cell(r, col).value for r in range(8, 11)] != [after.cell(r, col).value for r in range(8, 11)]


def test_not_live_figures_hold_the_engines_values_and_say_so(workbooks):
    ex = workbooks["all-schemes"]
    results = engine(ex.case)
    wb = openpyxl.load_workbook(ex.xlsx)
    calc = wb["Calc"]
    seen = 0
    for row in range(1, calc.max_row + 1):
        if calc.cell(row, 5).value == "break_even_success_rate":
            n = calc.cell(row, 1).value
            assert calc.cell(row, 3).data_type == "n"
            assert calc.cell(row, 3).value == pytest.approx(float(results[n - 1].break_even_success_rate), rel=1e-12)
            assert "computed by tco (not live)" in calc.cell(row, 6).value
            seen += 1
    assert seen == len(results)
    rate_cards = [calc.cell(r, 6).value for r in range(1, calc.max_row + 1) if calc.cell(r, 2).value == "Rate card"]
    assert rate_cards and all("tier selection is not live" in text for text in rate_cards)
    notes = [calc.cell(r, 3).value for r in range(1, calc.max_row + 1) if calc.cell(r, 2).value == "Rate card"]
    assert any("marginal bands" in t for t in notes) and any("whole_request" in t for t in notes)


def test_workload_inputs_are_named_rows_with_unit_and_explanation(workbooks):
    ex = workbooks["all-schemes"]
    wb = openpyxl.load_workbook(ex.xlsx)
    names = set(wb.defined_names)
    expected = {"tasks", "seats", "working_hours", "peak_factor", "period", *Human.model_fields,
                *(k for k in Task.model_fields if k not in ("cache_write_ttl", "service_tier"))}
    assert expected <= names
    assert {f"success_rate_{n}" for n in range(1, len(ALL_SCHEMES["candidates"]) + 1)} <= names
    assert {"hourly_cost_2", "input_tokens_2", "batch_share_2", "units_16", "seats_5",
            "assumed_resolution_share_10"} <= names
    ws = wb["Assumptions"]
    rows = {ws.cell(r, 1).value: r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value}
    for name in expected:
        r = rows[name]
        assert ws.cell(r, 3).value and ws.cell(r, 5).value, f"{name} lacks a unit or an explanation"
    assert ws.cell(rows["tasks"], 2).value == 12345
    assert ws.cell(rows["calls"], 5).value == "Model calls per attempt (agent fan-out)."
    keys = {ws.cell(r, 4).value for r in range(1, ws.max_row + 1)}
    assert {"task.cache_write_ttl", "task.service_tier", "tokenizer", "content",
            "candidates[3].task.service_tier", "candidates[4].term", "candidates[4].model"} <= keys


def test_rates_cite_every_book_used(workbooks, tco):
    """Rates lists each file read (path relative to the workload, sha256), then every entry with its version,
    retrieval date and source link."""
    ex = workbooks["all-schemes"]
    doc = compare_json(tco, ex.case)
    ws = openpyxl.load_workbook(ex.xlsx)["Rates"]
    header = next(r for r in range(1, 20) if ws.cell(r, 1).value == "Offer")
    files = [ws.cell(r, 1).value for r in range(5, header - 1)]
    tokenizers = hashlib.sha256((ex.case.books / "tokenizers.yaml").read_bytes()).hexdigest()
    assert files == [f"{b['vendor']} {b['version']}: books/{b['vendor']}/{b['version']}.yaml, sha256 {b['sha256']}"
                     for b in doc["pricebooks"]] + [f"tokenizers: books/tokenizers.yaml, sha256 {tokenizers}"]
    versions = {b["vendor"]: b["version"] for b in doc["pricebooks"]}
    rows = list(ws.iter_rows(min_row=header + 1))
    assert [c.value for c in ws[header]][:8] == ["Offer", "Entry", "Value", "Unit", "Version", "Retrieved", "Source",
                                                 "Notes"]
    for row in rows:
        offer, version, retrieved, source = row[0].value, row[4].value, row[5].value, row[6]
        assert version == (None if offer.startswith("tokenizer ") else versions[offer.split("/")[0]]), offer
        assert re.fullmatch(r"\d{4}-\d\d-\d\d", retrieved)
        assert source.hyperlink is not None and source.hyperlink.target == source.value
    entries = {(r[0].value, r[1].value) for r in rows}
    assert {("acme/long", "context_tiers[1].service_tiers.batch.input_mtok"), ("acme/ptu", "terms.year.unit_month"),
            ("acme/credits-actions", "packs[1].price"), ("tokenizer wide", "tokenizers.wide.ratio.code")} <= entries


def test_text_from_files_can_never_become_a_formula(workbooks):
    exported = workbooks
    for key in ("all-schemes", "yearly", "ranged"):
        ex = exported[key]
        source = openpyxl.load_workbook(ex.xlsx)
        for ws in source.worksheets:
            for row in ws.iter_rows():
                for cell in row:
                    if cell.data_type == "f":
                        assert not re.search(r"HYPERLINK|1\+1|Yearly|SUM\(1", cell.value), cell.value
    wb = openpyxl.load_workbook(exported["all-schemes"].xlsx)
    labels = [c for row in wb["Summary"].iter_rows() for c in row if c.value == "'=1+1"]
    assert labels and all(c.data_type == "s" for c in labels)
    notes = [c for row in wb["Rates"].iter_rows() for c in row if str(c.value).startswith("'=HYPERLINK")]
    assert notes and all(c.data_type == "s" for c in notes)
    yearly = openpyxl.load_workbook(exported["yearly"].xlsx)
    assert yearly["Summary"]["A1"].value == "tco: @Yearly, measured in wide"
    assert yearly["Assumptions"]["A1"].value.startswith("Assumptions: @Yearly")
    assert any(c.value == "'@Yearly, measured in wide" for row in yearly["Assumptions"].iter_rows() for c in row)
    simulation = openpyxl.load_workbook(exported["ranged"].xlsx)["Simulation"]
    labels = [c for row in simulation.iter_rows() for c in row if c.value == "'=SUM(1,2) big"]
    assert len(labels) == 4 and all(c.data_type == "s" for c in labels)  # figures, two ranges, histogram column


def test_text_stays_text_in_libreoffice(exported):
    recalculated = openpyxl.load_workbook(exported["all-schemes"].recalculated, data_only=True)
    assert any(c.value == "'=1+1" for row in recalculated["Summary"].iter_rows() for c in row)
    rates = recalculated["Rates"]
    assert any(str(c.value).startswith("'=HYPERLINK") for row in rates.iter_rows() for c in row)
    simulation = openpyxl.load_workbook(exported["ranged"].recalculated, data_only=True)["Simulation"]
    assert sum(c.value == "'=SUM(1,2) big" for row in simulation.iter_rows() for c in row) == 4


def test_control_characters_and_formula_text_in_names(tco, write, tmp_path):
    workload = write("w.yaml", """\
        workload: "=cmd|' /C calc'!A0 \\a bell"
        tasks: 100
        task: {calls: 1, input_tokens: 100, output_tokens: 10}
        human: {hourly_cost: 50, task_minutes: 10}
        candidates:
          - {offer: example/x, success_rate: 0.5, label: "+SUM(A1:A9)"}
          - {offer: example/x, success_rate: 0.6, label: "-2+3"}
          - {offer: example/y, success_rate: 0.6, label: "@A1"}
        """)
    for simulate in ([], ["--simulate", "50"]):
        out = tmp_path / "w.xlsx"
        run = tco("export", str(workload), "--pricebooks", str(FIXTURES / "pricebooks"), "--as-of", AS_OF, "-o",
                  str(out), *simulate)
        assert run.code == 0, run.err
        wb = openpyxl.load_workbook(out)
        texts = {c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.data_type == "s"}
        assert {"'+SUM(A1:A9)", "'-2+3", "'@A1"} <= texts
        assert any(t.startswith("'=cmd|' /C calc'!A0 \ufffd bell") for t in texts)
        formulas = [c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.data_type == "f"]
        assert not any("cmd" in f or "SUM(A1" in f or "@A1" in f for f in formulas)
    simulated = {c.value for row in wb["Simulation"].iter_rows() for c in row if c.data_type == "s"}
    assert {"'+SUM(A1:A9)", "'-2+3", "'@A1"} <= simulated


def test_finish(workbooks):
    ex = workbooks["all-schemes"]
    wb = openpyxl.load_workbook(ex.xlsx)
    assert wb.sheetnames == ["Summary", "Assumptions", "Rates", "Calc"]
    for ws in wb.worksheets:
        assert ws.freeze_panes, ws.title
        assert ws.print_area, ws.title
        assert ws.page_setup.orientation == "landscape", ws.title
        assert ws.print_title_rows, ws.title
        assert all(d.width and 6 <= d.width <= 120 for d in ws.column_dimensions.values()), ws.title
    calc = wb["Calc"]
    money = [calc.cell(r, 3) for r in range(1, calc.max_row + 1)
             if calc.cell(r, 5).value in ("period_cost", "cost_per_completed_task", "breakdown.call_charge")]
    assert money and all("$" in c.number_format for c in money)
    summary = wb["Summary"]
    assert all("$" in summary.cell(8, c).number_format for c in range(7, 10))
    assert wb.calculation.fullCalcOnLoad
    props = wb.properties
    assert props.title == "tco: All schemes" and props.subject == "All schemes"
    from tco import __version__

    custom = {p.name: p.value for p in wb.custom_doc_props.props}
    assert custom == {"workload": "All schemes", "as_of": AS_OF, "tco_version": __version__,
                      "workload_sha256": custom["workload_sha256"]}
    with zipfile.ZipFile(ex.xlsx) as z:
        charts = sorted(n for n in z.namelist() if n.startswith("xl/charts/chart"))
        assert len(charts) == 3
        assert b'grouping val="stacked"' in z.read(charts[2])
        assert b"Summary" in z.read(charts[0])  # the charts plot the live Summary cells


# ---------------------------------------------------------------- print and preview

PAGE_WIDTH_IN = 11.0
"""Landscape US Letter: narrower across than landscape A4."""
PX_PER_WIDTH = 7
"""Pixels at 96 dpi per unit of column width: the widest digit of Calibri 11, the workbook's font."""
MIN_SCALE = 0.55
"""No sheet prints smaller than this when fitted one page wide: 11 pt text prints at 6 pt or more."""
EMU_PER_PX = 9525


def printed_columns(ws) -> int:
    return openpyxl.utils.column_index_from_string(re.sub(r"[^A-Z]", "", ws.print_area.split(":")[-1]))


def print_width_px(ws) -> float:
    return PX_PER_WIDTH * sum(ws.column_dimensions[openpyxl.utils.get_column_letter(c)].width or 8.43
                              for c in range(1, printed_columns(ws) + 1))


def chart_extents(xlsx: Path, sheet: str) -> list[tuple[int, int, int, int]]:
    """(first column, offset into it, width, height in EMU) of every chart anchored on a sheet, from its drawing."""
    with zipfile.ZipFile(xlsx) as z:
        rels = sheet_parts(z)[sheet].replace("worksheets/", "worksheets/_rels/") + ".rels"
        if rels not in z.namelist():
            return []
        drawing = re.search(r'Target="([^"]*drawings/drawing\d+\.xml)"', z.read(rels).decode())
        if drawing is None:
            return []
        xml = z.read("xl/drawings/" + drawing.group(1).rsplit("/", 1)[1]).decode()
    tag = r"<(?:\w+:)?{}>"
    found = re.findall(tag.format("from") + tag.format("col") + r"(\d+)<.*?" + tag.format("colOff") +
                       r'(\d+)<.*?<(?:\w+:)?ext cx="(\d+)" cy="(\d+)"', xml)
    return [(int(col), int(off), int(cx), int(cy)) for col, off, cx, cy in found]


def test_every_sheet_prints_legibly(workbooks):
    """Landscape, one page wide and as many tall as it takes, at a readable scale; narrow margins, the header
    row repeated on every page, a footer with the file, sheet and page; charts inside the printed width."""
    for key, ex in workbooks.items():
        wb = openpyxl.load_workbook(ex.xlsx)
        for ws in wb.worksheets:
            where = f"{key}: {ws.title}"
            setup, margins = ws.page_setup, ws.page_margins
            assert setup.orientation == "landscape" and ws.sheet_properties.pageSetUpPr.fitToPage, where
            assert (setup.fitToWidth, setup.fitToHeight) == (1, 0), where
            assert margins.left == margins.right == 0.4 and margins.top <= 0.6 and margins.bottom <= 0.6, where
            assert (ws.oddFooter.left.text, ws.oddFooter.center.text, ws.oddFooter.right.text) == (
                "&F", "&A", "page &P of &N"), where
            titles = [int(n) for n in re.findall(r"\d+", ws.print_title_rows)]
            assert titles, where
            width = print_width_px(ws)
            scale = min(1.0, (PAGE_WIDTH_IN - margins.left - margins.right) * 96 / width)
            assert scale >= MIN_SCALE, f"{where} prints at {scale:.0%} of its size"
            right = 0.0
            for col, offset, cx, _ in chart_extents(ex.xlsx, ws.title):
                left = PX_PER_WIDTH * sum(ws.column_dimensions[openpyxl.utils.get_column_letter(c)].width or 8.43
                                          for c in range(1, col + 1)) + offset / EMU_PER_PX
                assert left >= right or left == 0, f"{where}: charts overlap"
                right = left + cx / EMU_PER_PX
                assert right <= width + 1, f"{where}: a chart prints past the page's right edge"
        assert wb["Summary"].print_title_rows == "$6:$7"  # the JSON field names and the headers
        rates = wb["Rates"]
        assert rates.cell(int(rates.print_title_rows.split(":")[0].strip("$")), 1).value == "Offer"
    simulation = openpyxl.load_workbook(workbooks["ranged"].xlsx)["Simulation"]
    assert len(simulation.row_breaks.brk) == 1  # the histograms start a page


def header_rows(ws) -> list[int]:
    return [r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).fill.fgColor.rgb == "00D9E1F2"]


def test_headers_align_with_their_numbers(workbooks):
    """Every header over a column that holds numbers is right-aligned, as the numbers are; the rest left."""
    for key in ("all-schemes", "ranged"):
        values = openpyxl.load_workbook(workbooks[key].xlsx, data_only=True)  # formulas by their cached values
        seen = 0
        for ws in values.worksheets:
            headers = header_rows(ws)
            for row, end in zip(headers, [*headers[1:], ws.max_row + 1], strict=True):
                below = [ws[r] for r in range(row + 1, end)]  # the table under this header
                for cell in ws[row]:
                    if cell.value is None or cell.column > ws.max_column:
                        continue
                    column = [line[cell.column - 1].value for line in below if line[cell.column - 1].value is not None]
                    expected = "right" if any(isinstance(v, (int, float)) for v in column) else "left"
                    assert cell.alignment.horizontal == expected, f"{key} {ws.title}!{cell.coordinate} {cell.value}"
                    seen += 1
        assert seen > 40


def test_every_chart_label_is_shown(workbooks):
    """Category axes label every category (no candidate or bin skipped where labels crowd), and the bar charts
    give each candidate room for its label."""
    for key in ("all-schemes", "ranged"):
        with zipfile.ZipFile(workbooks[key].xlsx) as z:
            charts = [z.read(n).decode() for n in z.namelist() if n.startswith("xl/charts/chart")]
        for chart in charts:
            axes = re.findall(r"<catAx>.*?</catAx>", chart)
            assert axes and all('<tickLblSkip val="1" />' in axis and '<delete val="0" />' in axis for axis in axes)
    candidates = len(ALL_SCHEMES["candidates"])
    heights_cm = [cy / 360000 for *_, cy in chart_extents(workbooks["all-schemes"].xlsx, "Summary")]
    assert len(heights_cm) == 3 and all(h >= 0.8 * candidates for h in heights_cm)


def test_no_machine_paths(workbooks):
    """Files are named relative to the tco package (bundled price books) or to the workload, never by where the
    exporting machine keeps them."""
    local = [str(Path.home()), sys.prefix, str(REPO), str(next(iter(workbooks.values())).xlsx.parent.parent), "../"]
    for key, ex in workbooks.items():
        wb = openpyxl.load_workbook(ex.xlsx)
        texts = [str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.data_type == "s"]
        for text in texts:
            assert not any(path in text for path in local), f"{key}: {text}"
    summary = openpyxl.load_workbook(workbooks["support-bot"].xlsx)["Summary"]
    notes = [str(c.value) for row in summary.iter_rows() for c in row if c.value]
    assert "; workload support-bot.yaml (sha256 " in summary["A2"].value
    assert any(re.fullmatch(r" +anthropic \S+: tco/pricebooks/anthropic/\S+\.yaml, sha256 [0-9a-f]{64}", n)
               for n in notes)
    assert any(n.startswith("    tokenizers: tco/pricebooks/tokenizers.yaml, sha256 ") for n in notes)
    rates = openpyxl.load_workbook(workbooks["all-schemes"].xlsx)["Rates"]
    assert rates["A5"].value.startswith("acme 2026-01-01: books/acme/2026-01-01.yaml, sha256 ")


def test_edits_flag_the_figures_that_are_not_live(edited, exported):
    """After an edit, Summary says how many inputs and rates differ from those exported and that the figures
    marked not live are stale; the edited cells and the not-live figures are shaded (conditional formats)."""
    e = edited["all-schemes"]
    before = openpyxl.load_workbook(exported["all-schemes"].recalculated, data_only=True)
    after = openpyxl.load_workbook(e.recalculated, data_only=True)
    assert e.changed == (len(e.case.edits), len(RATE_EDITS)) == (7, 6)
    assert before["Summary"]["A5"].value == "Inputs and rates are as exported: every figure is current."
    assert after["Summary"]["A5"].value.startswith("13 input(s) or rate(s) differ from those exported: figures "
                                                   "marked not live are stale")
    assert (after["Assumptions"]["C3"].value, after["Rates"]["C3"].value) == (7, 6)
    wb = openpyxl.load_workbook(exported["all-schemes"].xlsx)
    rules = {ws.title: {(str(r.sqref), rule.formula[0]) for r in ws.conditional_formatting for rule in r.rules}
             for ws in wb.worksheets}
    stale = "inputs_edited+rates_edited>0"
    last = 7 + len(ALL_SCHEMES["candidates"])  # one Summary row per candidate from row 8
    assert {(f"K8:K{last}", stale), ("A3", stale), ("A5", stale)} <= rules["Summary"]
    calc = wb["Calc"]
    not_live = {f"C{r}" for r in range(1, calc.max_row + 1) if calc.cell(r, 5).value == "break_even_success_rate"}
    assert not_live <= {where for where, formula in rules["Calc"] if formula == stale}
    assert any(formula.startswith("AND(F") for _, formula in rules["Assumptions"])
    assert any(formula.startswith("AND(I") for _, formula in rules["Rates"])


def test_export_writes_whole_or_not_at_all(tco, tmp_path):
    args = [str(FIXTURES / "worked_example.yaml"), "--pricebooks", str(FIXTURES / "pricebooks"), "--as-of", AS_OF]
    out = tmp_path / "book.xlsx"
    out.write_bytes(b"previous")
    bad = tmp_path / "bad.yaml"
    bad.write_text("workload: x\ntasks: -1\n")
    run = tco("export", str(bad), "-o", str(out))
    assert run.code == 2 and "Traceback" not in run.err
    assert out.read_bytes() == b"previous"
    run = tco("export", *args, "-o", str(out))
    assert run.code == 0, run.err
    assert zipfile.is_zipfile(out) and "wrote" in run.err and run.out == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.yaml", "book.xlsx"]  # no temporary file left
    run = tco("export", *args, "-o", str(tmp_path / "missing" / "book.xlsx"))
    assert run.code == 1 and "does not exist" in run.err  # an output that cannot be written: exit 1
    run = tco("export", *args, "-o", str(tmp_path / "book.csv"))
    assert run.code == 2 and ".xlsx" in run.err


def test_help_does_not_import_openpyxl():
    for argv in (["--help"], ["export", "--help"]):
        run = subprocess.run([sys.executable, "-X", "importtime", "-m", "tco", *argv], capture_output=True, text=True,
                             cwd=REPO)
        assert run.returncode == 0
        assert "openpyxl" not in run.stderr, argv
    assert "export" in subprocess.run([sys.executable, "-m", "tco", "--help"], capture_output=True, text=True,
                                      cwd=REPO).stdout


def test_libreoffice_is_there_in_ci():
    if IN_CI:
        assert SOFFICE, "CI runs without soffice: .ci/run must install libreoffice-calc-nogui"


def test_candidates_on_the_same_offer_keep_their_own_inputs(tco, write, tmp_path):
    """Two candidates on one offer (told apart by a label; the same name twice is an error): each Summary row
    still reads its own Calc block and inputs."""
    workload = write("w.yaml", """\
        workload: twins
        tasks: 1000
        task: {calls: 2, input_tokens: 1000, output_tokens: 100}
        human: {hourly_cost: 50, review_minutes: 1, task_minutes: 10}
        candidates:
          - {offer: example/x, success_rate: 0.5}
          - {offer: example/x, label: "example/x, reviewed prompt", success_rate: 0.9}
        """)
    out = tmp_path / "w.xlsx"
    run = tco("export", str(workload), "--pricebooks", str(FIXTURES / "pricebooks"), "--as-of", AS_OF, "-o", str(out))
    assert run.code == 0, run.err
    wb = openpyxl.load_workbook(out)
    summary, calc = wb["Summary"], wb["Calc"]
    assert [summary.cell(r, 2).value for r in (8, 9)] == [2, 1]  # the 0.9 candidate is cheaper per completed task
    for r in (8, 9):
        n = summary.cell(r, 2).value
        ref = summary.cell(r, 6).value.removeprefix("=Calc!").replace("$", "")
        assert calc[ref].value == f"=success_rate_{n}" and calc.cell(calc[ref].row, 1).value == n


# ---------------------------------------------------------------- --simulate


def test_simulation_sheet_holds_what_tco_compare_simulates(workbooks, tco):
    """`tco export W -o F.xlsx --simulate N --seed S` adds a Simulation sheet with the figures of
    `tco compare W --simulate N --seed S --format json`: percentiles, ranges, histogram, and a small chart of it
    per candidate."""
    ex = workbooks["ranged"]
    run = tco("compare", *ex.case.args(), "--simulate", str(DRAWS), "--seed", str(SEED), "--format", "json")
    assert run.code == 0, run.err
    doc = json.loads(run.out)
    wb = openpyxl.load_workbook(ex.xlsx)
    assert wb.sheetnames == ["Summary", "Simulation", "Assumptions", "Rates", "Calc"]
    ws = wb["Simulation"]
    assert ws["A2"].value.startswith(f"Values computed by tco (not live): {DRAWS:,} draws of the workload's 7 range(s), "
                                     f"seed {SEED}.")
    assert not [c for row in ws.iter_rows() for c in row if c.data_type == "f"]  # values, not formulas

    keys = {ws.cell(7, c).value: c for c in range(3, ws.max_column + 1) if ws.cell(7, c).value}
    assert "simulation.cost_per_completed_task.p50" in keys and "risk.p95_over_p50" in keys
    for r, result in enumerate(doc["results"], 9):  # ranked as tco compare ranks them
        assert ws.cell(r, 2).value == cell_text(result["candidate"])
        for key, col in keys.items():
            ok, _ = matches(ws.cell(r, col).value, json_value(result, key), 6e-11)
            assert ok, f"{result['candidate']} {key}: {ws.cell(r, col).value} in the sheet, {json_value(result, key)} in JSON"
    p50 = ws.cell(9, keys["simulation.cost_per_completed_task.p50"])
    assert p50.number_format == '"$"#,##0.0000'
    assert ws.cell(9, keys["simulation.probability_cheapest"]).number_format == "0.00%"

    rows = {ws.cell(r, 1).value: r for r in range(1, ws.max_row + 1)}
    ranges = [[ws.cell(r, c).value for c in range(1, 7)] for r in range(rows["Input"] + 1, rows["Histogram"] - 1)]
    assert [row[:3] for row in ranges] == [[r["input"], cell_text(r["candidate"] or "all candidates"), r["distribution"]]
                                          for r in doc["ranges"]]
    assert ["task.format_retry_rate", "all candidates", "pilot 5 of 100", pytest.approx(6 / 102),
            pytest.approx(0.0262, abs=1e-4), pytest.approx(0.1013, abs=1e-4)] in ranges  # mean, P5, P95 of Beta(6, 96)

    bins = doc["simulation"]["histogram"]
    below = range(rows["From"] + 1, rows["From"] + len(bins["edges"]))  # a row per bin
    assert [[ws.cell(r, 1).value, ws.cell(r, 2).value] for r in below] == [
        [float(low), float(high)] for low, high in zip(bins["edges"], bins["edges"][1:], strict=False)]
    for col, result in enumerate(doc["results"], 3):
        counts = [ws.cell(r, col).value for r in below]
        assert counts == bins["counts"][result["candidate"]] and sum(counts) == DRAWS
    assert ws.freeze_panes and ws.print_area and ws.print_title_rows and ws.page_setup.orientation == "landscape"

    with zipfile.ZipFile(ex.xlsx) as z:
        charts = [z.read(n) for n in z.namelist() if n.startswith("xl/charts/chart")]
    histograms = [c.decode() for c in charts if b"'Simulation'!" in c]  # over the sheet's counts
    assert len(histograms) == len(doc["results"])  # one small chart per candidate, in ranked order
    header = rows["From"]
    scales = set()
    for col, (chart, result) in enumerate(zip(histograms, doc["results"], strict=True), 3):
        assert 'barDir val="col"' in chart and chart.count("<ser>") == 1
        assert f"<a:t>{result['candidate']}</a:t>" in chart
        letter = openpyxl.utils.get_column_letter(col)
        assert f"'Simulation'!${letter}${header + 1}:${letter}${header + len(bins['counts'][result['candidate']])}" in chart
        assert '<tickLblSkip val="1"' in chart  # every bin labelled
        scales.add(re.search(r'<max val="([0-9.]+)"', chart).group(1))
    assert scales == {str(max(max(c) for c in bins["counts"].values()))}  # one scale of draws for all


def test_without_simulate_ranges_show_their_likely_value(tco, workbooks, tmp_path):
    """Without --simulate there is no Simulation sheet; Assumptions shows each range's likely value and says so."""
    case = workbooks["ranged"].case
    out = tmp_path / "ranged.xlsx"
    run = tco("export", *case.args(), "-o", str(out))
    assert run.code == 0, run.err
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["Summary", "Assumptions", "Rates", "Calc"]
    ws = wb["Assumptions"]
    rows = {ws.cell(r, 4).value: [c.value for c in ws[r]] for r in range(1, ws.max_row + 1)}
    assert rows["task.output_tokens"][1] == 300
    assert rows["task.output_tokens"][4].endswith(" Range: normal mean 300, sd 60; likely value shown.")
    assert rows["candidates[0].success_rate"][1] == pytest.approx(83 / 102)
    assert rows["candidates[0].success_rate"][4].endswith(" Range: pilot 82 of 100; likely value shown.")
    assert rows["candidates[1].task.input_tokens"][1] == 3500
    assert "Range: PERT 2,500 / 3,500 / 5,000" in rows["candidates[1].task.input_tokens"][4]
    assert "Range" not in rows["tasks"][4] and "Range" not in rows["candidates[2].success_rate"][4]


def test_a_term_puts_the_contract_cost_on_the_summary(exported, tco):
    """With term_months the Summary has a live contract-cost column, recalculated to the engine's figure; without, none."""
    deal = exported["deal"]
    summary = openpyxl.load_workbook(deal.recalculated, data_only=True)["Summary"]
    keys = {summary.cell(6, c).value: c for c in range(1, summary.max_column + 1)}
    assert summary.cell(7, keys["contract_cost"]).value == "Contract cost (term)"
    doc = compare_json(tco, deal.case)
    by_no = {i: r for i, r in enumerate(doc["results"], 1)}
    for row in range(8, 8 + len(doc["results"])):
        engine_figure = float(by_no[summary.cell(row, keys["no"]).value]["contract_cost"])
        assert summary.cell(row, keys["contract_cost"]).value == pytest.approx(engine_figure, rel=1e-9)
    plain = openpyxl.load_workbook(exported["all-schemes"].recalculated, data_only=True)["Summary"]
    assert "contract_cost" not in {plain.cell(6, c).value for c in range(1, plain.max_column + 1)}
