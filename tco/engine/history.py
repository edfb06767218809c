"""A workload's costs over time: every candidate costed at each date on which a price book it uses changed."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from decimal import Decimal

from tco.engine import architecture
from tco.engine.compare import charge, figures, unknown_tokenizers
from tco.engine.inputs import at_point, inputs
from tco.engine.job import Job
from tco.errors import Problem, TcoError, candidate_error
from tco.models.catalog import BookFile, Catalog, Selection
from tco.models.workload import Workload


@dataclass(frozen=True)
class Absent:
    """A candidate that cannot be bought on a date: why, as a short code and as a sentence."""

    reason: str
    """`no_pricebook` (its vendor has no version yet), `not_offered` (not in the version in force),
    `not_released`, `retired`, or `not_sold` (the version in force does not sell what the candidate asks of it,
    e.g. batch rates before the vendor launched batch)."""
    message: str


@dataclass(frozen=True)
class Entry:
    """One candidate on one date: its result, or why it is absent."""

    candidate: str
    offer: str
    figures: dict[str, Decimal] | None
    """`per_task_cost` and the costs of `tco.engine.compare.FIGURES`; None when absent."""
    absent: Absent | None
    pricebooks: tuple[BookFile, ...]
    """The books its figures come from (its offer's, and those of a spill-over or metering model)."""
    changed: bool = True
    """Whether its books or its absence differ from the previous point (always, at the first)."""
    change: Decimal | None = None
    """Cost per completed task less its value at the previous point, when priced at both."""
    change_share: Decimal | None = None
    """`change` as a share of the previous value."""


@dataclass(frozen=True)
class Point:
    date: dt.date
    entries: tuple[Entry, ...]
    """In the workload's order of candidates."""
    changed: tuple[BookFile, ...]
    """Books in use from this date that were not in use at the previous point (at the first: every book in use)."""


@dataclass(frozen=True)
class History:
    workload: Workload
    start: dt.date
    end: dt.date
    points: list[Point]


def absent(selection: Selection, offer_id: str, reroute: bool = False) -> Absent | None:
    """Why `offer_id` cannot be bought on the selection's date, or None if it can (a retired offer can, where the
    candidate reroutes it to its replacement, as `compare` prices it)."""
    vendor = offer_id.partition("/")[0]
    day = selection.as_of
    if vendor not in selection.books:
        return Absent("no_pricebook", f"no {vendor} price book yet")
    ref = selection.find(offer_id)
    if ref is None:
        return Absent("not_offered", f"not in {vendor} {selection.books[vendor].version}")
    if not ref.offer.released_by(day):
        return Absent("not_released", f"released on {ref.offer.released}")
    if ref.offer.retired_by(day) and not reroute:
        replacement = f", replaced by {ref.offer.replacement}" if ref.offer.replacement else ""
        return Absent("retired", f"retired on {ref.offer.retired}{replacement}")
    return None


def entry(workload: Workload, index: int, selection: Selection) -> Entry:
    """Cost one candidate on the selection's date, or say why it cannot be bought then (a route or chain: any of
    its offers)."""
    candidate = workload.candidates[index]
    legs = architecture.legs_of(candidate)
    label = architecture.offer_label(candidate)
    missing = next((m for m in (absent(selection, leg.offer, bool(leg.reroute_retired)) for leg in legs) if m), None)
    if missing is None:
        try:
            planned = architecture.plan(workload, index, selection)
            jobs = [planned] if isinstance(planned, Job) else list(planned.legs)
            bills = [charge(job) for job in jobs]
            found = figures(planned, bills[0]) if isinstance(planned, Job) else architecture.figures(planned)
        except TcoError as error:
            needs = []
            for leg in legs:
                ref = selection.get(leg.offer)
                needs += [leg.model, getattr(ref.offer, "spillover_offer", None)]
            missing = next((m for m in (absent(selection, n) for n in needs if n) if m), None)
            if missing is None:  # check() found nothing wrong whatever the date, so this date's version cannot price it
                missing = Absent("not_sold", "; ".join(p.message for p in error.problems))
        else:
            books = {job.ref.source.file: job.ref.source for job in jobs}
            for bill in bills:
                for key in ("spillover_offer", "model"):  # the books of offers that meter or carry its usage
                    ref = selection.find(bill.breakdown[key]) if isinstance(bill.breakdown.get(key), str) else None
                    if ref:
                        books[ref.source.file] = ref.source
            found["per_task_cost"] = found["period_cost"] / workload.tasks
            return Entry(candidate.name, label, found, None, tuple(sorted(books.values(), key=lambda b: b.vendor)))
    return Entry(candidate.name, label, None, missing, ())


def state(e: Entry) -> tuple:
    """What a candidate's figures on a date depend on: the books they come from, or why it is absent."""
    return e.absent.reason if e.absent else None, tuple(b.file for b in e.pricebooks)


def since(e: Entry, previous: Entry) -> Entry:
    """`e` with what changed since `previous`, the same candidate at the point before."""
    if e.figures is None or previous.figures is None:
        return replace(e, changed=state(e) != state(previous))
    now, then = e.figures["cost_per_completed_task"], previous.figures["cost_per_completed_task"]
    return replace(e, changed=state(e) != state(previous), change=now - then, change_share=(now - then) / then if then else None)


def dates(catalog: Catalog, start: dt.date | None, end: dt.date) -> list[dt.date]:
    """Every date in [start, end] on which something in the catalog could change a cost: a version taking
    effect, an offer released or retired; and `start` itself."""
    found = {b.version for versions in catalog.books.values() for b in versions}
    found |= {day for versions in catalog.books.values() for b in versions for o in b.book.offers.values()
              for day in (o.released, o.retired) if day is not None}
    return sorted({d for d in found if (start is None or d >= start) and d <= end} | ({start} if start else set()))


def check(workload: Workload, selection: Selection) -> None:
    """What is wrong whatever the date: an unknown tokenizer, two candidates of one name, an offer id in no version."""
    problems: list[Problem] = unknown_tokenizers(workload, selection)
    seen: dict[str, int] = {}
    for index, candidate in enumerate(workload.candidates):
        if seen.setdefault(candidate.name, index) != index:
            problems += candidate_error(index, "label", f"{candidate.name!r} is also candidates[{seen[candidate.name]}]'s "
                                                        "name; give one of them a different `label:`").problems
        legs = [("", candidate)] + [(f"{kind}.{k}.", leg) for kind in ("route", "chain")
                                     for k, leg in enumerate(getattr(candidate, kind) or [])]
        for at, leg in legs:
            for key in ("offer", "model"):
                offer_id = getattr(leg, key)
                if offer_id is not None and offer_id not in selection.known_ids:
                    problems += candidate_error(index, at + key, selection.explain_missing(offer_id)).problems
    if problems:
        raise TcoError(problems)


def history(workload: Workload, catalog: Catalog, start: dt.date | None, end: dt.date) -> History:
    """Each candidate's figures at `start` and at every later date up to `end` on which a price book it uses
    changed or its offer came or went. Without `start`, from the first date on which any candidate is priced.

    Ranges count as their likely values. An offer that cannot be bought on a date is absent then, not an error.
    """
    if start is not None and start > end:
        raise TcoError(f"--from {start} is after --to {end}")
    check(workload, catalog.as_of(end))
    point_workload = at_point(workload, inputs(workload))
    points: list[Point] = []
    for day in dates(catalog, start, end):
        selection = catalog.as_of(day)
        entries = tuple(entry(point_workload, i, selection) for i in range(len(workload.candidates)))
        if points and [state(e) for e in entries] == [state(e) for e in points[-1].entries]:
            continue
        if not points and start is None and all(e.figures is None for e in entries):
            continue
        if points:
            entries = tuple(since(e, p) for e, p in zip(entries, points[-1].entries, strict=True))
        before = {b.file for e in points[-1].entries for b in e.pricebooks} if points else set()
        changed = {b.file: b for e in entries for b in e.pricebooks if b.file not in before}
        points.append(Point(day, entries, tuple(sorted(changed.values(), key=lambda b: (b.vendor, b.version)))))
    return History(point_workload, start or (points[0].date if points else end), end, points)
