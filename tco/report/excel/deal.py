"""The whole deal in the workbook: term, fixed costs and discounts as named inputs, and the Calc rows over them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tco.engine.fixed_costs import DEFAULT_AMORTISE_MONTHS
from tco.engine.job import Job
from tco.errors import dotted
from tco.models.docs import descriptions, field_doc
from tco.models.pricebook import SeatOffer
from tco.models.workload import SEAT_USAGE_CV, Candidate, FixedCost, Pricing, Workload
from tco.report.excel.cells import COUNT, SHARE, USD, Formula, first_line

if TYPE_CHECKING:
    from tco.report.excel.assumptions import Assumptions
    from tco.report.excel.calc import Formulas

UNITS = {"per_month": "USD per month", "per_year": "USD per year", "per_seat_month": "USD per seat per month",
         "one_off": "USD once"}


def per_seat(job: Job) -> bool:
    """Whether the candidate's plan holds each seat's allowance apart (its overage uses seat_usage_cv)."""
    offer = job.ref.offer
    return isinstance(offer, SeatOffer) and offer.allowance is not None and offer.allowance.pooling == "per_seat"


def item_names(path: tuple[str | int, ...]) -> tuple[str, str]:
    """The defined names of a fixed cost's amount and amortise_months, from its path in the workload."""
    suffix = f"{path[1] + 1}" if path[0] == "fixed_costs" else f"{tag_of(path[:-2])}_{path[-1] + 1}"  # type: ignore[operator]
    return f"fixed_cost_{suffix}", f"amortise_months_{suffix}"

def tag_of(at: tuple[str | int, ...]) -> str:
    """The suffix of the inputs of the candidate, stage or step at `at` (`candidates, 0, route, 1` → `1_stage_2`)."""
    tag = f"{at[1] + 1}"  # type: ignore[operator]
    if len(at) > 2:
        tag += f"_{'stage' if at[2] == 'route' else 'step'}_{at[3] + 1}"  # type: ignore[operator]
    return tag


def _items(a: Assumptions, items: list[FixedCost], base: tuple[str | int, ...]) -> None:
    for i, item in enumerate(items):
        path = (*base, i)
        amount, months = item_names(path)
        where = dotted(base)
        key = item.amount_key
        a.add(amount, getattr(item, key), f"{where}[{i}].{key}", UNITS[key],
              f"{item.name}: {first_line(field_doc(FixedCost, key))}", USD)
        if item.amortise_months is not None:
            a.add(months, item.amortise_months, f"{where}[{i}].amortise_months", "months",
                  first_line(field_doc(FixedCost, "amortise_months")), COUNT)


def deal(a: Assumptions, w: Workload, jobs: list[Job]) -> None:
    """The workload's deal: contract term, spread of use across seats, and the fixed costs every candidate bears."""
    spread = any(per_seat(j) for j in jobs) or w.seat_usage_cv is not None
    if w.term_months is None and not w.fixed_costs and not spread:
        return
    a.section("The deal: contract term and costs outside the price books")
    fields = descriptions(Workload)
    if w.term_months is not None:
        a.add("term_months", w.term_months, "term_months", "months", first_line(fields["term_months"]), COUNT)
    if spread:
        given = w.seat_usage_cv is not None
        a.add("seat_usage_cv", w.seat_usage_cv if given else SEAT_USAGE_CV, "seat_usage_cv", "coefficient of variation",
              first_line(fields["seat_usage_cv"]) + ("" if given else " (tco's default: not in the file)"))
    _items(a, w.fixed_costs, ("fixed_costs",))


def candidate_deal(a: Assumptions, path: tuple[str | int, ...], c: Pricing) -> None:
    """A candidate's (or its stage's or step's) discount, tokenizer and own fixed costs."""
    fields = descriptions(Candidate)
    at = dotted(path)
    if c.discount is not None:
        a.add(f"discount_{tag_of(path)}", c.discount, f"{at}.discount", "share of list charges",
              first_line(fields["discount"]))
    if c.tokenizer is not None:
        a.add(None, c.tokenizer, f"{at}.tokenizer", "tokenizer name",
              first_line(fields["tokenizer"]) + " Selects tokenizer ratios on Rates (not live).")
    _items(a, c.fixed_costs, (*path, "fixed_costs"))


def amount_formula(c: Formulas, path: tuple[str | int, ...], item: FixedCost) -> tuple[str, str]:
    """A fixed cost's charge in the period, as a formula over its named inputs, and how."""
    amount, months = item_names(path)
    key = item.amount_key
    if key == "per_month":
        return f"{amount}*months_per_period", "per_month × months"
    if key == "per_year":
        return f"{amount}*months_per_period/12", "per_year / 12 × months"
    if key == "per_seat_month":
        return f"{amount}*{c.v('seats')}*months_per_period", "per_seat_month × seats × months"
    spread = months if item.amortise_months is not None else (
        "term_months" if c.job.workload.term_months is not None else str(DEFAULT_AMORTISE_MONTHS))
    return f"{amount}/{spread}*months_per_period", f"one_off / {spread} × months"


def deal_rows(c: Formulas, tail: dict[str, Any]) -> dict[str, Any]:
    """Rows for the discount and the fixed costs, and the scheme's tail with them applied (tco/engine/fixed_costs.py)."""
    b, job = c.b, c.job
    discount, items = job.candidate.discount, job.fixed_costs
    if discount is None and not items:
        return tail
    E, S = b.refs["breakdown.expected_attempts"], b.refs["breakdown.task_success_rate"]
    keep = "1"
    if discount is not None:
        listed = b.add("List charges", Formula(tail["period_cost"]), USD, "breakdown.list_charges", tail["period_how"],
                       "USD per period")
        d = b.add("Discount", Formula(c.name("discount")), SHARE, "breakdown.discount", f"input {c.name('discount')}", "share")
        b.add("Discount amount", Formula(f"{listed}*{d}"), USD, "breakdown.discount_amount", "list charges × discount",
              "USD per period")
        tail = {**tail, "period_cost": listed}
        keep = f"(1-{d})"
    cells = []
    for path, item in items:
        formula, how = amount_formula(c, path, item)
        key = f"breakdown.fixed.{item.name}" if "." not in item.name else None
        cells.append(b.add(f"Fixed: {item.name}", Formula(formula), USD, key, how, "USD per period"))
    fixed = b.add("Fixed costs", Formula("+".join(cells)), USD, "breakdown.fixed_costs", "sum of the items",
                  "USD per period") if items else "0"
    out = {**tail, "period_cost": f"({tail['period_cost']})*{keep}+{fixed}",
           "period_how": f"{tail['period_how']}{' less discount' if discount is not None else ''}"
                         f"{' + fixed costs' if items else ''}",
           "fixed": f"({tail['fixed']})*{keep}+{fixed}"}
    if not tail.get("failure_share"):
        out["failure"] = f"({tail['failure']})*{keep}+{fixed}*({E}-{S})/{E}"
        out["failure_how"] = f"({tail['failure_how']}) × (1 − discount) + fixed costs × (E − S)/E"
    return out


def contract_row(c: Formulas, period: str, more: list[Formulas] | None = None) -> None:
    """The term's bill, one-offs counted once (tco/engine/contract.py), when the workload has term_months; `more`:
    the stages or steps, whose own one-offs count too."""
    job = c.job
    if job.workload.term_months is None:
        return
    spread, whole = [], []
    for each in (c, *(more or [])):
        for path, item in each.job.fixed_costs:
            if item.one_off is not None:
                spread.append(f"({amount_formula(each, path, item)[0]})")
                whole.append(item_names(path)[0])
    less = "".join(f"-{s}" for s in spread)
    once = "".join(f"+{w}" for w in whole)
    c.b.add("Contract cost", Formula(f"term_months*({period}{less})/months_per_period{once}"), USD, "contract_cost",
            "term_months × (period cost − spread one-offs) / months + one-offs once", "USD per term")
