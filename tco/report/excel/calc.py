"""The Calc sheet: each candidate's figures as live formulas over Assumptions and Rates, rows by pricing scheme."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from tco.engine.architecture import Architecture
from tco.engine.compare import CandidateResult
from tco.engine.job import Job
from tco.engine.per_token import FALLS_BACK, SHARED_TIERS, call_tokens, tokenizer_ratio
from tco.engine.seat import term_of
from tco.models.catalog import OfferRef
from tco.models.pricebook import (
    CreditOffer,
    PerConversationOffer,
    PerResolutionOffer,
    PerTokenOffer,
    ProvisionedOffer,
    RateCard,
    SeatOffer,
    SelfHostedOffer,
)
from tco.report.excel.cells import (
    BLOCK_FILL,
    BOLD,
    COUNT,
    NOT_LIVE,
    NOTE,
    NUMBER,
    SHARE,
    TITLE,
    USD,
    USD_FINE,
    USD_TASK,
    Formula,
    fit_columns,
    header,
    mark_when_stale,
    page_setup,
    put,
    put_text,
    wrap,
)
from tco.report.excel.deal import amount_formula, contract_row, deal_rows
from tco.report.excel.rates import Rates

HOW_WIDTH = 60
"""The How column wraps past this many characters."""

KIND_NAMES = ("input", "cached_input", "cache_write", "output", "reasoning")


def figure(result: CandidateResult, key: str) -> Any:
    """The engine's value of a figure, by its JSON field (`breakdown.units`, `risk.fixed_commitment`)."""
    value: Any = result
    for part in re.split(r"\.|(?=\[)", key):
        if part.startswith("["):
            value = value[int(part[1:-1])]
        elif isinstance(value, dict):
            if part not in value:
                return Decimal(0) if key.endswith("spillover_cost") else None  # costed only when it spills
            value = value[part]
        else:
            value = getattr(value, part)
    return value


@dataclass
class Block:
    """One candidate's figures on the Calc sheet: a row each, value in column C."""

    ws: Worksheet
    n: int
    row: int
    result: CandidateResult
    refs: dict[str, str] = field(default_factory=dict)
    prefix: str = ""
    """A stage's or step's block: its figures are `breakdown.route[k].…` (or `chain[k]`) of the candidate's."""
    label: str = ""
    """Put before each row's label (a stage's or step's name)."""

    def field_of(self, key: str | None) -> str | None:
        """The JSON field a row's figure is: the key itself, or in a stage's block the stage's own."""
        if not key or not self.prefix:
            return key
        if key.startswith("breakdown."):
            return self.prefix + key.removeprefix("breakdown.")
        if key in ("period_cost", "per_task_cost") or (key == "success_rate" and "route" in self.prefix):
            return self.prefix + key
        return None

    def add(self, label: str, value: Any, fmt: str | None, key: str | None = None, how: str = "",
            unit: str = "") -> str:
        """A figure's row; a formula with a JSON field caches the engine's value of that field."""
        ws, r = self.ws, self.row
        written = self.field_of(key)
        assert written or not isinstance(value, Formula) or not key, f"{self.prefix}{key} has no field"
        if isinstance(value, Formula) and written and value.cached is None:
            value = Formula(value.text, figure(self.result, written))
        put(ws.cell(r, 1), self.n)
        put_text(ws.cell(r, 2), self.label + label)
        put(ws.cell(r, 3), value, fmt)
        put_text(ws.cell(r, 4), unit)
        put_text(ws.cell(r, 5), written or "")
        if how:
            cell = put_text(ws.cell(r, 6), how)
            if "not live" in how:
                cell.font = NOTE
                mark_when_stale(ws, [f"C{r}"])
            if len(how) > HOW_WIDTH:
                wrap(cell, HOW_WIDTH)
        self.row += 1
        ref = f"$C${r}"
        if key:
            self.refs[key] = ref
        return ref


Layer = tuple[str, Any]
"""(tag, what): a Pricing (the candidate, a stage or a step) or an Attempt whose keys lie over the ones below it;
its inputs on Assumptions are named `key_tag` (tags `n`, `n_stage_k`, `n_step_k`, `…_attempt_j`)."""


class Formulas:
    """Formulas for one candidate, stage or step: effective inputs, token expressions, per-token call charges."""

    def __init__(self, job: Job, result: CandidateResult, n: int, rates: Rates, block: Block,
                 layers: list[Layer] | None = None, tasks: str = "tasks"):
        self.job, self.result, self.n, self.rates, self.b = job, result, n, rates, block
        parent = job.workload.candidates[job.index]
        self.layers = [*(layers or []), (str(n), parent)]
        self.tag = self.layers[0][0]
        """The tag of this block's own keys (seats, units, hosting, shares, discount)."""
        self.tasks = tasks
        """The tasks this block bills: the workload's, or the share reaching a stage."""

    def v(self, key: str) -> str:
        """The defined name holding this block's value of a workload key: its innermost override's."""
        for i, (tag, layer) in enumerate(self.layers):
            for group in (getattr(layer, "task", None), getattr(layer, "human", None)):
                if group is not None and getattr(group, key, None) is not None and key in type(group).model_fields:
                    return f"{key}_{tag}"
            if key in ("seats", "units") and i == self.own and getattr(layer, key, None) is not None:
                return f"{key}_{tag}"
        return key

    @property
    def own(self) -> int:
        """The layer whose Pricing keys this block bills (past any attempt layer)."""
        return next(i for i, (_, layer) in enumerate(self.layers) if hasattr(layer, "offer"))

    def name(self, key: str) -> str:
        """The defined name of a Pricing key (discount) that a stage takes from the candidate where it gives none."""
        for tag, layer in self.layers[self.own:]:
            if getattr(layer, key, None) is not None:
                return f"{key}_{tag}"
        raise AssertionError(key)

    @property
    def holder(self) -> str:
        """The tag of the success rate (or attempts) this block's attempts succeed at."""
        for tag, layer in self.layers[self.own:]:
            if getattr(layer, "success_rate", None) is not None or getattr(layer, "attempts", None):
                return tag
        raise AssertionError("no success rate")

    def attempts_given(self) -> tuple[str, list[Any]]:
        """The tag and the `attempts:` of the layer holding them."""
        for tag, layer in self.layers[self.own:]:
            if getattr(layer, "success_rate", None) is not None or getattr(layer, "attempts", None):
                return tag, list(getattr(layer, "attempts", None) or [])
        raise AssertionError("no success rate")

    def rate_names(self) -> list[str] | None:
        """With `attempts:`, each attempt's success-rate input."""
        if self.job.rates is None:
            return None
        return [f"success_rate_{self.holder}_attempt_{j}" for j in range(1, len(self.job.rates) + 1)]

    @property
    def s(self) -> str:
        names = self.rate_names()
        return names[0] if names else f"success_rate_{self.holder}"

    @property
    def a(self) -> str:
        return f"assumed_resolution_share_{self.tag}"

    def calls_per_attempt(self) -> str:
        return f"{self.v('calls')}/(1-{self.v('format_retry_rate')})"

    def ratio(self, tokenizer: str) -> str:
        ours = self.rates.tokenizer(self.job, tokenizer)
        theirs = self.rates.tokenizer(self.job, self.job.tokenizer)
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
        """Call charge by kind: with `batch`, each shared tier's share (batch, off-peak) at its rates where the offer
        sells them, the rest at the task's service tier (tco/engine/per_token.py call_charge)."""
        t = self.tokens(ratio)
        service = self.job.task.service_tier
        direct = self.priced_call(ref, t, service)
        assert direct is not None, "the engine accepted this service tier"
        charges, note = direct
        if not batch:
            return charges, note
        mixed = []
        for tier in SHARED_TIERS:
            priced = self.priced_call(ref, t, tier)
            if priced is None:
                if tier not in FALLS_BACK:
                    note += f"; the offer sells no {tier} rates here, so {tier}_share must stay 0"
                continue
            mixed.append((self.v(f"{tier}_share"), priced[0]))
            note += f"; {tier.replace('_', '-')} share at {priced[1].split(' (')[0]}"
        if not mixed:
            return charges, note
        rest = "(1-" + "-".join(b for b, _ in mixed) + ")"
        return {k: f"{rest}*({charges[k]})" + "".join(f"+{b}*({card[k]})" for b, card in mixed) for k in charges}, note


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
    if isinstance(offer, SelfHostedOffer):
        return self_hosted_rows(c)
    raise AssertionError(offer.scheme)


TIER_NOTE = "rate card chosen by tco for the workload as given: tier selection is not live"


def per_token_rows(c: Formulas) -> dict[str, Any]:
    b, job, ref = c.b, c.job, c.job.ref
    offer = ref.offer
    assert isinstance(offer, PerTokenOffer)
    c.rates.text(ref, "tokenizer", offer.tokenizer)
    ratio = b.add("Tokenizer ratio", Formula(f"{c.rates.tokenizer(job, offer.tokenizer)}/"
                                             f"{c.rates.tokenizer(job, job.tokenizer)}"),
                  NUMBER, "breakdown.tokenizer_ratio", f"tokens in {offer.tokenizer} per token in "
                  f"{job.tokenizer} (Rates)", "ratio")
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
    A = b.add("Attempt charge A", Formula(f"{n}*{call}"), USD_FINE, "breakdown.attempt_charge",
              "the task as given: each attempt's own charge follows" if job.attempt_tasks else "", "USD per attempt")
    E, S = b.refs["breakdown.expected_attempts"], b.refs["breakdown.task_success_rate"]
    if job.attempt_tasks:
        return attempts_rows(c, ratio)
    return {"period_cost": f"{c.tasks}*{A}*{E}", "period_how": "tasks × A × E", "fixed": "0",
            "failure": f"{c.tasks}*{A}*({E}-{S})", "failure_how": "tasks × A × (E − S)", "bearer": "customer"}


def reach(names: list[str]) -> list[str]:
    """P(attempt k is made), Π_{j<k}(1 − s_j), for each attempt's success-rate cell or name."""
    return ["1", *("*".join(f"(1-{x})" for x in names[:k]) for k in range(1, len(names)))]


def attempt_blocks(c: Formulas) -> list[tuple[str, Formulas]]:
    """(P(reach attempt k), attempt k's inputs) for attempts that consume differently (`Job.attempt_jobs`); else
    the one block as given, made E times."""
    job = c.job
    if not job.attempt_tasks:
        return [(c.b.refs["breakdown.expected_attempts"], c)]
    tag, attempts = c.attempts_given()
    names = c.rate_names()
    assert names is not None
    return [(r, Formulas(one, c.result, c.n, c.rates, c.b, [(f"{tag}_attempt_{k}", attempt), *c.layers[:-1]], c.tasks))
            for k, (r, (_, one), attempt) in enumerate(zip(reach(names), job.attempt_jobs(), attempts, strict=True), 1)]


def attempts_rows(c: Formulas, ratio: str) -> dict[str, Any]:
    """Attempts that consume differently (tco/engine/per_token.py bill): each attempt's charge A_k over its own
    inputs (`key_tag_attempt_k`), billed Σ_k P(reach k) · A_k per task, the failed ones P(reach k)(1 − s_k) · A_k."""
    b, job = c.b, c.job
    tag, attempts = c.attempts_given()
    names = c.rate_names()
    assert names is not None
    charges = []
    for k, ((_, one), attempt) in enumerate(zip(job.attempt_jobs(), attempts, strict=True), 1):
        each = Formulas(one, c.result, c.n, c.rates, b, [(f"{tag}_attempt_{k}", attempt), *c.layers[:-1]], c.tasks)
        kinds, note = each.call_charge(job.ref, ratio, batch=True)
        b.add(f"Attempt {k} rate card", note, None, None, TIER_NOTE)
        call = "+".join(f"({kinds[kind]})" for kind in KIND_NAMES)
        charges.append(b.add(f"Attempt {k} charge A{k}", Formula(f"({each.calls_per_attempt()})*({call})"), USD_FINE,
                             f"breakdown.attempt_charges[{k - 1}]", f"calls per attempt × call charge, attempt {k}'s "
                             "inputs", "USD per attempt"))
    p = reach(names)
    made = "+".join(f"{r}*{a}" for r, a in zip(p, charges, strict=True))
    failed = "+".join(f"{r}*(1-{s})*{a}" for r, s, a in zip(p, names, charges, strict=True))
    return {"period_cost": f"{c.tasks}*({made})", "period_how": "tasks × Σ_k P(reach k) × A_k", "fixed": "0",
            "failure": f"{c.tasks}*({failed})", "failure_how": "tasks × Σ_k P(reach k) × (1 − s_k) × A_k",
            "bearer": "customer"}


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
    shares = c.job.candidate.outcome_shares
    done = [f"outcome_share_{name}_{c.tag}" for name in shares if offer.other_outcomes[name].task_done]
    real = f"MAX({S}-({'+'.join(done)}),0)" if done else S
    per_task = b.add("Billed resolutions per task", Formula(f"{real}+{assumed}"), NUMBER,
                     "breakdown.billed_resolutions_per_task",
                     "MAX(0, S − outcomes that complete the task) + assumed" if done else "S + assumed", "per task")
    billed = b.add("Billed resolutions", Formula(f"{c.tasks}*{per_task}"), NUMBER, "breakdown.billed_resolutions", "",
                   "per period")
    included = b.add("Included resolutions", Formula(f"{inc}*months_per_period"), NUMBER,
                     "breakdown.included_resolutions", "", "per period")
    billable = b.add("Billable resolutions", Formula(f"MAX({billed}-{included},0)"), NUMBER,
                     "breakdown.billable_resolutions", "MAX(0, billed − included)", "per period")
    fees = b.add("Resolution fees", Formula(f"{billable}*{fee}"), USD, "breakdown.resolution_fees", "", "USD per period")
    fixed = b.add("Platform fees", Formula(f"{plat}*months_per_period"), USD, "breakdown.platform_fees", "",
                  "USD per period")
    paid = f"IF({billed}<>0,{billable}/{billed},0)"
    outcome_fees, handed_on = [], []
    for name in shares:
        rate = c.rates.rate(ref, f"other_outcomes.{name}.fee", offer.other_outcomes[name].fee, "USD per outcome", USD_TASK)
        cell = b.add(f"{name} fees", Formula(f"{c.tasks}*outcome_share_{name}_{c.tag}*{rate}"), USD,
                     f"breakdown.other_outcome_fees.{name}", f"tasks × outcome_shares.{name} × fee", "USD per period")
        outcome_fees.append(cell)
        if not offer.other_outcomes[name].task_done:
            handed_on.append(cell)
    others = "".join(f"+{cell}" for cell in outcome_fees)
    handed = "".join(f"+{cell}" for cell in handed_on)
    bearer = f"OR({assumed}<>0{''.join(f',{cell}<>0' for cell in handed_on)})"
    return {"period_cost": f"{fixed}+{fees}{others}",
            "period_how": "platform fees + resolution fees" + (" + other outcome fees" if others else ""),
            "fixed": fixed,
            "failure": f"{c.tasks}*{assumed}*{fee}*{paid}{handed}+{fixed}*({E}-{S})/{E}",
            "failure_how": "tasks × assumed × fee × billable share" + (" + fees of outcomes that hand the task on"
                                                                        if handed else "") + " + fixed × (E − S)/E",
            "bearer": Formula(f'IF({bearer},"shared","vendor")')}


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
    billable = b.add("Billable conversations", Formula(f"MAX({c.tasks}-{inc}*months_per_period,0)"), NUMBER,
                     "breakdown.billable_conversations", "MAX(0, tasks − included)", "per period")
    conv = b.add("Conversation fees", Formula(f"{billable}*{fee}"), USD, "breakdown.conversation_fees", "",
                 "USD per period")
    actions = b.add("Action fees", Formula(f"{c.tasks}*{E}*{c.v('actions')}*{act}"), USD, "breakdown.action_fees",
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
    term = term_of(job, offer.seat_month)
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
            if allowance.token_rate_mtok is not None:
                per_attempt, how = token_rate_rows(c, usd, allowance.token_rate_mtok), "API-rate cost + token rate"
            if allowance.unit == "credit":
                per_credit = c.rates.rate(ref, "allowance.usd_per_credit", allowance.usd_per_credit, "USD per credit",
                                          USD_FINE)
                per_attempt, how = f"{usd}/{per_credit}", "API-rate cost / usd_per_credit"
        unit = f"{allowance.unit}s"
        per = b.add("Usage per attempt", Formula(per_attempt), NUMBER, "breakdown.usage_per_attempt", how,
                    f"{unit} per attempt")
        used = b.add("Usage", Formula(f"{c.tasks}*{E}*{per}"), NUMBER, "breakdown.usage", "tasks × E × usage per attempt",
                     f"{unit} per period")
        allow = c.rates.rate(ref, "allowance.per_seat_month", allowance.per_seat_month, f"{unit} per seat per month")
        included = b.add("Included", Formula(f"{seats}*{allow}*months_per_period"), NUMBER, "breakdown.included",
                         "seats billed × allowance per seat × months", f"{unit} per period")
        if allowance.pooling == "per_seat":
            excess = per_seat_excess_rows(c, used, allow, unit)
        else:
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
            "failure_share": True, "bearer": "customer",
            "unmetered": offer.allowance is None and offer.usage_limits == "none"}


def token_rate_rows(c: Formulas, usd: str, rate_mtok: Decimal) -> str:
    """A per-token surcharge on the attempt's tokens in the model's tokenizer (tco/engine/usage.py token_rate_per_attempt)."""
    b, job = c.b, c.job
    ref = job.selection.find(job.candidate.model or "")
    assert ref is not None and isinstance(ref.offer, PerTokenOffer)
    t = c.tokens(c.ratio(ref.offer.tokenizer))
    tokens = b.add("Tokens per attempt", Formula(f"({c.calls_per_attempt()})*({t['I']}+{t['W']}+{t['O']}+{t['R']})"),
                   NUMBER, "breakdown.tokens_per_attempt", "calls per attempt × (input + cache writes + output + "
                   "reasoning) × ratio", "tokens")
    rate = c.rates.rate(job.ref, "allowance.token_rate_mtok", rate_mtok, "USD per million tokens", USD_FINE)
    tr = b.add("Token-rate cost per attempt", Formula(f"{tokens}*{rate}/1000000"), USD_FINE,
               "breakdown.token_rate_usd_per_attempt", "tokens × token_rate_mtok / 1,000,000", "USD per attempt")
    return f"{usd}+{tr}"


def per_seat_excess_rows(c: Formulas, used: str, allow: str, unit: str) -> str:
    """Expected use past per-seat allowances, each user's monthly use lognormal (tco/engine/seat_spread.py):
    users × months × (m·Φ(d1) − a·Φ(d2))."""
    b = c.b
    users = c.v("seats")
    cv = b.add("Seat usage spread", Formula("seat_usage_cv"), NUMBER, "breakdown.seat_usage_cv",
               "input seat_usage_cv: coefficient of variation of one seat's monthly use", "cv")
    m = b.add("Usage per seat per month", Formula(f"{used}/({users}*months_per_period)"), NUMBER,
              "breakdown.usage_per_seat_month", "usage / (seats × months)", f"{unit} per seat")
    s = f"SQRT(LN(1+{cv}^2))"
    d1 = f"(LN({m})+LN(1+{cv}^2)/2-LN({allow}))/{s}"
    expected = f"{m}*NORMSDIST({d1})-{allow}*NORMSDIST({d1}-{s})"
    return b.add("Excess", Formula(f"{users}*months_per_period*IF({m}<=0,0,IF({allow}<=0,{m},IF({cv}=0,"
                                   f"MAX({m}-{allow},0),{expected})))"), NUMBER, "breakdown.excess",
                 "seats × months × E[max(X − a, 0)], X lognormal: m·Φ(d1) − a·Φ(d2)", f"{unit} per period")


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
    credits = b.add("Credits", Formula(f"{c.tasks}*{cpt}"), NUMBER, "breakdown.credits", "", "credits per period")
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
    T = c.tasks
    failed = f"({T}*({E}-{S})*{cpa}+{T}*(1-{S})*{conversation}+{T}*{resolution}*(1-{S})*{a})"
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
    term = term_of(job, offer.terms)
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
    avg = b.add("Average tokens per minute", Formula(f"{c.tasks}*{E}*{wtpa}/(working_hours*60)"), NUMBER,
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
    period, how = spillover_rows(c, offer.spillover_offer, share, fixed, job.candidate.units is not None,
                                 "capacity fees")
    return {"period_cost": period, "period_how": how, "fixed": fixed, "failure_share": True, "bearer": "customer"}


def spillover_rows(c: Formulas, offer_id: str | None, share: str, fixed: str, fixed_capacity: bool,
                   fees: str) -> tuple[str, str]:
    """The spill-over rows of capacity billed whether used or not (tco/engine/provisioned.py spillover): the
    period cost and how it is built."""
    b, job = c.b, c.job
    spill = job.selection.find(offer_id) if offer_id is not None else None
    spills_now = bool(c.result.breakdown.get("spill_share"))
    if spill is not None and isinstance(spill.offer, PerTokenOffer) and (spills_now or fixed_capacity):
        b.add("Spill-over offer", offer_id, None, "breakdown.spillover_offer", "serves demand above capacity (not live)")
        c.rates.text(spill, "tokenizer", spill.offer.tokenizer)
        ratio = c.ratio(spill.offer.tokenizer)
        made = []
        for r, each in attempt_blocks(c):  # one block, E times, unless attempts consume differently
            charges, note = each.call_charge(spill, ratio, batch=False)  # overflow is real-time
            call = "+".join(f"({charges[k]})" for k in KIND_NAMES)
            made.append(f"{r}*({each.calls_per_attempt()})*({call})")
        b.add("Spill-over rate card", note, None, None, TIER_NOTE)
        cost = b.add("Spill-over cost", Formula(f"{c.tasks}*({'+'.join(made)})*{share}"), USD,
                     "breakdown.spillover_cost", "tasks × Σ_k P(reach attempt k) × spill-over attempt charge × spill "
                     "share", "USD per period")
        return f"{fixed}+{cost}", f"{fees} + spill-over cost"
    if fixed_capacity:
        what = f"{offer_id} is not a per_token offer in force" if offer_id is not None else "the offer has no spillover_offer"
        b.add("Spill-over", f"{what}: spill-over not costed", None, None, "not live")
    return fixed, fees


def self_hosted_rows(c: Formulas) -> dict[str, Any]:
    b, job, ref = c.b, c.job, c.job.ref
    offer = ref.offer
    assert isinstance(offer, SelfHostedOffer)
    E = b.refs["breakdown.expected_attempts"]
    hosting = job.candidate.hosting
    given = set(hosting.model_dump(exclude_none=True)) if hosting is not None else set()

    def setting(key: str, entry: str, value: Any, unit: str, fmt: str | None = None) -> str:
        """The candidate's hosting input where given, else the price book's entry (on Rates)."""
        return f"hosting_{key}_{c.tag}" if key in given else c.rates.rate(ref, entry, value, unit, fmt)

    c.rates.text(ref, "tokenizer", offer.tokenizer)
    c.rates.rate(ref, "gpus_per_replica", offer.gpus_per_replica, "GPUs", COUNT)
    tp = offer.throughput
    if tp is not None and tp.concurrency is not None:
        c.rates.rate(ref, "throughput.concurrency", tp.concurrency, "requests in flight", COUNT)
    out_tps = setting("output_tokens_per_second", "throughput.output_tokens_per_second",
                      tp.output_tokens_per_second if tp else None, "tokens/s per replica")
    pre_tps = setting("prefill_tokens_per_second", "throughput.prefill_tokens_per_second",
                      tp.prefill_tokens_per_second if tp else None, "tokens/s per replica")
    t = c.tokens(c.ratio(offer.tokenizer))
    prefill = b.add("Prefill tokens per call", Formula(f"{t['I']}*(1-{t['h']})+{t['W']}"), NUMBER,
                    "breakdown.prefill_tokens_per_call", "uncached input + cache writes, × ratio (cache hits skip prefill)",
                    "tokens")
    output = b.add("Output tokens per call", Formula(f"{t['O']}+{t['R']}"), NUMBER, "breakdown.output_tokens_per_call",
                   "output + reasoning, × ratio", "tokens")
    rspa = b.add("Replica-seconds per attempt", Formula(f"({c.calls_per_attempt()})*({prefill}/{pre_tps}+{output}/{out_tps})"),
                 NUMBER, "breakdown.replica_seconds_per_attempt",
                 "calls per attempt × (prefill / prefill tok/s + output / output tok/s)", "seconds")
    if job.attempt_tasks:  # each attempt's own tokens (tco/engine/self_hosted.py)
        ratio = c.ratio(offer.tokenizer)
        seconds = []
        for r, each in attempt_blocks(c):
            t = each.tokens(ratio)
            seconds.append(f"{r}*({each.calls_per_attempt()})*(({t['I']}*(1-{t['h']})+{t['W']})/{pre_tps}"
                           f"+({t['O']}+{t['R']})/{out_tps})")
        demand = b.add("Demand", Formula(f"{c.tasks}*({'+'.join(seconds)})"), NUMBER, "breakdown.demand_replica_seconds",
                       "tasks × Σ_k P(reach attempt k) × attempt k's replica-seconds", "replica-seconds")
    else:
        demand = b.add("Demand", Formula(f"{c.tasks}*{E}*{rspa}"), NUMBER, "breakdown.demand_replica_seconds",
                       "tasks × E × replica-seconds per attempt", "replica-seconds")
    util = setting("target_utilisation", "target_utilisation", offer.target_utilisation, "share of replica time", SHARE)
    per_replica = f"hours_per_period*3600*{util}"
    fixed_replicas = "replicas" in given
    if fixed_replicas:
        replicas = b.add("Replicas", Formula(f"hosting_replicas_{c.tag}"), COUNT, "breakdown.replicas",
                         "as run (candidate's hosting.replicas)", "replicas")
    else:
        lo = setting("min_replicas", "min_replicas", offer.min_replicas, "replicas", COUNT)
        replicas = b.add("Replicas", Formula(f"MAX({lo},CEILING(ROUND({demand}/({per_replica}),9),1))"), COUNT,
                         "breakdown.replicas", "MAX(min_replicas, ⌈demand / (hours × 3600 × target utilisation)⌉)",
                         "replicas")
    b.add("GPUs", Formula(f"{replicas}*{c.rates.rate(ref, 'gpus_per_replica', offer.gpus_per_replica, 'GPUs', COUNT)}"),
          COUNT, "breakdown.gpus", "replicas × gpus_per_replica", "GPUs")
    cap = b.add("Capacity", Formula(f"{replicas}*{per_replica}"), NUMBER, "breakdown.capacity_replica_seconds",
                "replicas × hours × 3600 × target utilisation", "replica-seconds")
    share = b.add("Spill share", Formula(f"IF({demand}>{cap},({demand}-{cap})/{demand},0)"), SHARE,
                  "breakdown.spill_share", "demand above capacity / demand", "share")
    b.add("Utilisation", Formula(f"{demand}*(1-{share})/({replicas}*hours_per_period*3600)"), SHARE,
          "breakdown.utilisation", "demand served / replica time", "share")
    if offer.owned is None:
        hourly = setting("instance_hour", "instance_hour", offer.instance_hour, "USD per replica-hour", USD)
        unit_cost, how = f"{hourly}*hours_per_period", "instance_hour × hours"
    else:
        o = offer.owned
        r = lambda name, unit, fmt=USD: c.rates.rate(ref, f"owned.{name}", getattr(o, name), unit, fmt)  # noqa: E731
        capex = b.add("Capex per period", Formula(f"{r('capex', 'USD per replica')}/"
                                                  f"{r('amortise_months', 'months', COUNT)}*months_per_period"),
                      USD, "breakdown.capex_per_period", "capex / amortise_months × months", "USD per replica")
        power = b.add("Power per period", Formula(f"{r('power_kw', 'kW per replica', NUMBER)}*"
                                                  f"{r('price_per_kwh', 'USD per kWh', USD_FINE)}*hours_per_period"),
                      USD, "breakdown.power_per_period", "power_kw × price_per_kwh × hours", "USD per replica")
        ops = b.add("Ops per period", Formula(f"{r('ops_per_month', 'USD per replica-month')}*months_per_period"), USD,
                    "breakdown.ops_per_period", "ops_per_month × months", "USD per replica")
        unit_cost, how = f"{capex}+{power}+{ops}", "capex + power + ops"
    per_unit = b.add("Replica cost per period", Formula(unit_cost), USD, "breakdown.replica_cost_per_period", how,
                     "USD per replica")
    fixed = b.add("Replica fees", Formula(f"{replicas}*{per_unit}"), USD, "breakdown.replica_fees",
                  "replicas × replica cost, busy or idle", "USD per period")
    period, how = spillover_rows(c, offer.spillover_offer, share, fixed, fixed_replicas, "replica fees")
    return {"period_cost": period, "period_how": how, "fixed": fixed, "failure_share": True, "bearer": "customer"}


def success_rows(c: Formulas, with_s: bool = True) -> tuple[str, str]:
    """The rows of s, S and E (tco/engine/attempts.py): T alike attempts at s, or `attempts:` each at its own rate."""
    b = c.b
    if with_s:
        b.add("Success rate per attempt s", Formula(c.s), SHARE, "success_rate", f"input {c.s} (Assumptions)", "share")
    names = c.rate_names()
    if names is None:
        T = c.v("max_attempts")
        S = b.add("Task success S", Formula(f"1-(1-{c.s})^{T}"), SHARE, "breakdown.task_success_rate",
                  "1 − (1 − s)^max_attempts", "share")
        E = b.add("Expected attempts E", Formula(f"{S}/{c.s}"), NUMBER, "breakdown.expected_attempts", "S / s",
                  "attempts")
        return S, E
    S = b.add("Task success S", Formula("1-" + "*".join(f"(1-{x})" for x in names)), SHARE,
              "breakdown.task_success_rate", f"1 − Π_k (1 − s_k), s_k = {names[0].removesuffix('1')}k", "share")
    E = b.add("Expected attempts E", Formula("+".join(reach(names))), NUMBER, "breakdown.expected_attempts",
              "Σ_k Π_{j<k} (1 − s_j): each attempt times the chance it is made", "attempts")
    return S, E


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
        header(self.ws, self.header_row, self.COLUMNS, numeric=[1, 3])
        self.row = self.header_row + 1
        self.blocks: dict[int, Block] = {}

    def title(self, n: int, text: str, result: CandidateResult) -> Block:
        """A candidate's block, under its title row."""
        ws = self.ws
        self.row += 1
        for col in range(1, len(self.COLUMNS) + 1):
            ws.cell(self.row, col).fill = BLOCK_FILL
        put(ws.cell(self.row, 1), n).font = BOLD
        put_text(ws.cell(self.row, 2), text).font = BOLD
        block = Block(ws, n, self.row + 1, result)
        self.blocks[n] = block
        return block

    def candidate(self, n: int, job: Job, result: CandidateResult) -> Block:
        """A candidate on one offer (its attempts alike or not)."""
        block = self.title(n, f"{job.candidate.name} — {job.ref.id} ({job.ref.offer.scheme})", result)
        c = Formulas(job, result, n, self.rates, block)
        S, E = success_rows(c)
        tail = deal_rows(c, scheme_rows(c))
        period = block.add("Period cost", Formula(tail["period_cost"]), USD, "period_cost", tail["period_how"],
                           "USD per period")
        review = f"{E}*{c.v('hourly_cost')}*{c.v('review_minutes')}/60"
        failure = (f"{period}*({E}-{S})/{E}", "period cost × (E − S)/E") if tail.get("failure_share") else (
            tail["failure"], tail["failure_how"])
        self.people(c, period, S, E, review, "E × H × review/60", tail["fixed"], failure, [tail])
        return block

    def architecture(self, n: int, arch: Architecture, result: CandidateResult) -> Block:
        """A route or a chain: each stage or step a block of its own, built as a plain candidate's on the tasks
        that reach it, and the candidate's figures over theirs (tco/engine/architecture.py)."""
        block = self.title(n, f"{result.candidate} — {result.offer} ({result.scheme})", result)
        parent, kind = arch.workload.candidates[arch.index], arch.kind
        word = "Stage" if kind == "route" else "Step"
        legs: list[tuple[Formulas, dict[str, Any], str, str, str]] = []  # (formulas, tail, period, S, E)
        for k, (job, leg) in enumerate(zip(arch.legs, getattr(parent, kind), strict=True)):
            put_text(self.ws.cell(block.row, 2), f"{word} {k + 1}: {job.ref.id} ({job.ref.offer.scheme})").font = BOLD
            b = Block(self.ws, n, block.row + 1, result, prefix=f"breakdown.{kind}[{k}].", label=f"{word} {k + 1}: ")
            tasks = "tasks"
            if kind == "route":
                earlier = "*".join(f"(1-{S_j})" for _, _, _, S_j, _ in legs) or "1"
                share = b.add("Share of tasks reaching it", Formula(earlier), SHARE, "breakdown.reach_share",
                              "Π over the earlier stages of (1 − S)", "share")
                tasks = f"(tasks*{share})"
            c = Formulas(job, result, n, self.rates, b, [(f"{n}_{word.lower()}_{k + 1}", leg)], tasks)
            S, E = success_rows(c, with_s=kind == "route")
            tail = deal_rows(c, scheme_rows(c))
            period = b.add("Period cost", Formula(tail["period_cost"]), USD, "period_cost",
                           tail["period_how"] + (" (on the tasks reaching it)" if kind == "route" else ""),
                           "USD per period")
            b.add("Per task cost", Formula(f"{period}/tasks"), USD_TASK, "per_task_cost", "period cost / tasks",
                  "USD per task of the workload")
            legs.append((c, tail, period, S, E))
            block.row = b.row
        whole = Formulas(arch.whole, result, n, self.rates, block)
        first = legs[0][0]
        block.add("Success rate per attempt s", Formula(first.s), SHARE, "success_rate",
                  f"input {first.s} (Assumptions): " + ("the first stage's" if kind == "route" else "the chain's"),
                  "share")
        if kind == "route":
            reached = [leg[0].b.refs["breakdown.reach_share"] for leg in legs]
            S = block.add("Task success S", Formula(f"1-{reached[-1]}*(1-{legs[-1][3]})"), SHARE,
                          "breakdown.task_success_rate", "1 − Π over the stages of (1 − S_k)", "share")
            E = block.add("Expected attempts E", Formula("+".join(f"{r}*{leg[4]}" for r, leg in zip(reached, legs,
                                                                                                  strict=True))),
                          NUMBER, "breakdown.expected_attempts", "Σ_k share reaching stage k × E_k", "attempts")
            review = "+".join(f"{r}*{leg[4]}*{leg[0].v('hourly_cost')}*{leg[0].v('review_minutes')}/60"
                              for r, leg in zip(reached, legs, strict=True))
            review_how = "Σ_k share reaching k × E_k × H × review/60 (each stage's people)"
        else:
            S = block.add("Task success S", Formula(legs[0][3]), SHARE, "breakdown.task_success_rate",
                          "the chain's (its first step's)", "share")
            E = block.add("Expected attempts E", Formula(legs[0][4]), NUMBER, "breakdown.expected_attempts",
                          "the chain's: every step runs on every attempt", "attempts")
            review = f"{E}*{whole.v('hourly_cost')}*{whole.v('review_minutes')}/60"
            review_how = "E × H × review/60"
        items = []
        for path, item in arch.whole.fixed_costs:
            formula, how = amount_formula(whole, path, item)
            key = f"breakdown.fixed.{item.name}" if "." not in item.name else None
            items.append(block.add(f"Fixed: {item.name}", Formula(formula), USD, key, how, "USD per period"))
        fixed = block.add("Fixed costs", Formula("+".join(items)), USD, "breakdown.fixed_costs",
                          "the candidate's and the workload's, borne once", "USD per period") if items else "0"
        periods = "+".join(leg[2] for leg in legs)
        period = block.add("Period cost", Formula(f"{periods}+{fixed}"), USD, "period_cost",
                           f"Σ {word.lower()} period costs" + (" + fixed costs" if items else ""), "USD per period")
        commitment = "+".join(f"({leg[1]['fixed']})" for leg in legs) + f"+{fixed}"
        failed = []
        for _, tail, leg_period, S_k, E_k in legs:
            failed.append(f"{leg_period}*({E_k}-{S_k})/{E_k}" if tail.get("failure_share") else f"({tail['failure']})")
        failure = (f"{'+'.join(failed)}+{fixed}*({E}-{S})/{E}",
                   f"Σ {word.lower()} failure spend + fixed costs × (E − S)/E")
        self.people(whole, period, S, E, review, review_how, commitment, failure, [leg[1] for leg in legs],
                    [leg[0] for leg in legs])
        return block

    def people(self, c: Formulas, period: str, S: str, E: str, review: str, review_how: str, fixed: str,
               failure: tuple[str, str], tails: list[dict[str, Any]], legs: list[Formulas] | None = None) -> None:
        """The candidate's figures past its period cost: per task, people's costs, term and risk."""
        block, result = c.b, c.result
        per_task = block.add("Per task cost", Formula(f"{period}/tasks"), USD_TASK, "per_task_cost",
                             "period cost / tasks", "USD per task")
        block.add("Success-adjusted cost", Formula(f"{per_task}/{S}"), USD_TASK, "success_adjusted_cost",
                  "per task cost / S", "USD per task done by AI")
        H, tm, fc = c.v("hourly_cost"), c.v("task_minutes"), c.v("failure_cost")
        base = block.add("Human baseline", Formula(f"{H}*{tm}/60"), USD_TASK, "human_baseline",
                         "hourly_cost × task_minutes / 60", "USD per task")
        waiting, waiting_how = "", ""
        if result.latency_seconds is not None:
            latency = block.add("Latency per task", result.latency_seconds, NUMBER, "latency_seconds",
                                f"{NOT_LIVE}: E × calls × (ttft + (output + reasoning) / speed)", "seconds")
            ref = block.add("Waiting cost", Formula(f"{latency}*{c.v('waiting_share')}*{H}/3600"), USD_TASK,
                            "waiting_cost", "latency × waiting_share × H / 3600", "USD per task")
            waiting, waiting_how = f"+{ref}", " + waiting"
        cpct = block.add("Cost per completed task", Formula(f"{per_task}+{review}+(1-{S})*({base}+{fc}){waiting}"),
                         USD_TASK, "cost_per_completed_task",
                         f"per task + {review_how} + (1 − S) × (baseline + failure_cost){waiting_how}", "USD per task")
        be = result.break_even_success_rate
        block.add("Break-even success rate", be if be is not None else "never", SHARE, "break_even_success_rate",
                  f"{NOT_LIVE}: solved numerically for the workload as exported", "share")
        block.add("Period TCO", Formula(f"tasks*{cpct}"), USD, "period_tco", "tasks × cost per completed task",
                  "USD per period")
        contract_row(c, period, legs)
        fixed = block.add("Fixed commitment", Formula(fixed), USD, "risk.fixed_commitment",
                          "owed whatever the volume", "USD per period")
        block.add("Variable spend", Formula(f"{period}-{fixed}"), USD, "risk.variable_spend", "period cost − fixed",
                  "USD per period")
        block.add("Customer failure spend", Formula(failure[0]), USD, "risk.customer_failure_spend", failure[1],
                  "USD per period")
        bearers = [t["bearer"] for t in tails]
        if all(isinstance(x, str) for x in bearers):
            bearer: Any = bearers[0] if len(set(bearers)) == 1 else "shared"
        else:
            each = [x.text if isinstance(x, Formula) else f'"{x}"' for x in bearers]
            bearer = Formula(each[0] if len(each) == 1 else
                             f'IF(AND({",".join(f"{each[0]}={x}" for x in each[1:])}),{each[0]},"shared")')
        block.add("Failure paid by", bearer, None, "risk.failure_bearer",
                  "" if len(tails) == 1 else "the stages' or steps' one payer, else shared")
        if all(t.get("unmetered") for t in tails):
            block.add("Volume risk", "vendor", None, "risk.volume_bearer", "a flat fee covers unbounded use")
        else:
            block.add("Volume risk", Formula(f'IF(AND({period}<>0,{fixed}*2>{period}),"customer","shared")'), None,
                      "risk.volume_bearer", "customer when fixed commitment is over half the bill, else shared")
        for warning in result.warnings:
            block.add("Warning", warning, None, None, "from tco, as exported")
        self.row = block.row


    def finish(self) -> None:
        ws = self.ws
        ws.freeze_panes = ws.cell(self.header_row + 1, 1)
        fit_columns(ws, self.header_row, {"C": 18, "F": HOW_WIDTH}, cap=HOW_WIDTH)
        page_setup(ws, len(self.COLUMNS), self.row - 1, f"{self.header_row}:{self.header_row}")
