"""What a price-book change does: offers added and removed, rates changed, effect on workloads, and the
immutability of published versions (DESIGN.md, Price books: a price change is a new file, never an edit)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel

from tco.engine import architecture
from tco.engine.compare import CandidateResult, evaluate
from tco.engine.inputs import at_point
from tco.errors import Problem, TcoError
from tco.models.catalog import Catalog, OfferRef, Selection
from tco.models.workload import Workload

NEWEST = dt.date(9999, 12, 31)
"""The as-of date that selects the newest version of every vendor."""


class PublishedVersionChanged(TcoError):
    """A published price-book version was edited, removed or back-dated: a policy failure, not bad input."""

    exit_code = 1


# --- field-by-field differences ------------------------------------------------------------------------------


def flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """A nested model or mapping as `{dotted.path[0]: leaf}`; URLs become text, everything else stays as is."""
    if isinstance(value, BaseModel):
        value = value.model_dump()
    if isinstance(value, Mapping):
        flat: dict[str, Any] = {}
        for key, item in value.items():
            flat |= flatten(item, f"{prefix}.{key}" if prefix else str(key))
        return flat
    if isinstance(value, (list, tuple)):
        flat = {}
        for index, item in enumerate(value):
            flat |= flatten(item, f"{prefix}[{index}]")
        return flat
    if value is not None and not isinstance(value, (str, int, Decimal, dt.date, bool, float)):
        value = str(value)  # HttpUrl and the like
    return {prefix: value}


@dataclass(frozen=True)
class FieldChange:
    """One field of one offer (or tokenizer) that differs between the two sides; None means absent."""

    subject: str
    """`vendor/offer`, or the tokenizer's name."""
    field: str
    """Dotted path inside the offer, e.g. `service_tiers.batch.output_mtok`."""
    old: Any
    new: Any

    @property
    def is_rate(self) -> bool:
        """Decimal fields are rates (prices, fees, ratios)."""
        return isinstance(self.old, Decimal) or isinstance(self.new, Decimal)

    @property
    def percent(self) -> Decimal | None:
        """(new − old) / old × 100, or None where it has no meaning (a rate appearing, disappearing or from 0)."""
        if isinstance(self.old, Decimal) and isinstance(self.new, Decimal) and self.old:
            return (self.new - self.old) / self.old * 100
        return None


def field_changes(subject: str, old: Any, new: Any) -> list[FieldChange]:
    """Every leaf that differs between two versions of one thing, in the order of the newer one."""
    before, after = flatten(old), flatten(new)
    paths = list(after) + [p for p in before if p not in after]
    return [FieldChange(subject, p, before.get(p), after.get(p)) for p in paths if before.get(p) != after.get(p)]


# --- the diff of two catalogs --------------------------------------------------------------------------------


@dataclass(frozen=True)
class VersionChange:
    """Which version of a vendor's book each side has in force (None: the vendor is absent on that side)."""

    vendor: str
    base: dt.date | None
    head: dt.date | None


@dataclass(frozen=True)
class CandidateEffect:
    """One workload candidate costed on both sides; an error says why a side could not cost it."""

    candidate: str
    offer: str
    before: CandidateResult | None
    after: CandidateResult | None
    error_before: str | None = None
    error_after: str | None = None

    @property
    def changed(self) -> bool:
        if self.before is None or self.after is None:
            return (self.before is None) != (self.after is None) or self.error_before != self.error_after
        return (self.before.per_task_cost, self.before.cost_per_completed_task) != (
            self.after.per_task_cost, self.after.cost_per_completed_task)


@dataclass(frozen=True)
class WorkloadEffect:
    name: str
    file: str
    candidates: list[CandidateEffect]

    @property
    def changed(self) -> bool:
        return any(c.changed for c in self.candidates)


@dataclass(frozen=True)
class Violation:
    """A published version that changed: edited in place, removed, or a new version dated before the newest."""

    file: str
    """`vendor/YYYY-MM-DD.yaml`, relative to the price-book directory."""
    kind: Literal["edited", "removed", "backdated"]
    message: str
    """What is wrong and how to fix it, without the file name."""

    def __str__(self) -> str:
        return f"{self.file}: {self.message}"


@dataclass(frozen=True)
class PricebookDiff:
    """Everything a reviewer needs to judge a price-book change."""

    base: str
    head: str
    versions: list[VersionChange]
    added: list[OfferRef]
    removed: list[OfferRef]
    changes: list[FieldChange]
    """Fields of offers present on both sides; rates (Decimal) and other fields."""
    tokenizer_changes: list[FieldChange]
    workloads: list[WorkloadEffect] = field(default_factory=list)
    violations: list[Violation] = field(default_factory=list)

    @property
    def rate_changes(self) -> list[FieldChange]:
        return [c for c in self.changes if c.is_rate]

    @property
    def other_changes(self) -> list[FieldChange]:
        return [c for c in self.changes if not c.is_rate]


def diff_catalogs(base: Catalog, head: Catalog, base_label: str = "base", head_label: str = "head",
                  workloads: Iterable[tuple[Workload, str]] = (), as_of: dt.date = NEWEST) -> PricebookDiff:
    """Compare the versions in force on `as_of` (default: the newest of each vendor) offer by offer, field by
    field, and cost each `(workload, file name)` on both sides."""
    before, after = base.as_of(as_of), head.as_of(as_of)
    versions = [
        VersionChange(v, before.books[v].version if v in before.books else None,
                      after.books[v].version if v in after.books else None)
        for v in sorted(before.books.keys() | after.books.keys())
    ]
    versions = [v for v in versions if v.base != v.head]
    old, new = before.offers, after.offers
    changes = [c for oid in new if oid in old for c in field_changes(oid, old[oid].offer, new[oid].offer)]
    tok_old, tok_new = base.tokenizers.tokenizers, head.tokenizers.tokenizers
    tokenizer_changes = [
        c for name in sorted(tok_old.keys() | tok_new.keys())
        for c in field_changes(name, tok_old.get(name), tok_new.get(name))
    ]
    return PricebookDiff(
        base=base_label, head=head_label, versions=versions,
        added=[ref for oid, ref in new.items() if oid not in old],
        removed=[ref for oid, ref in old.items() if oid not in new],
        changes=changes, tokenizer_changes=tokenizer_changes,
        workloads=[workload_effect(w, file, before, after) for w, file in workloads],
    )


def workload_effect(workload: Workload, file: str, before: Selection, after: Selection) -> WorkloadEffect:
    """Cost every candidate of `workload` on both sides; a candidate one side cannot cost carries the reason.

    Ranges count as their likely values, as in `tco compare`.
    """
    workload = at_point(workload)
    effects = []
    for index, candidate in enumerate(workload.candidates):
        sides: list[tuple[CandidateResult | None, str | None]] = []
        for selection in (before, after):
            lost = [leg.offer for leg in architecture.legs_of(candidate) if selection.find(leg.offer) is None]
            if lost:
                sides.append((None, f"{lost[0]} is not in these price books"))
                continue
            try:
                sides.append((evaluate(architecture.plan(workload, index, selection)), None))
            except TcoError as e:
                sides.append((None, "; ".join(p.message for p in e.problems)))
        (b, eb), (a, ea) = sides
        effects.append(CandidateEffect(candidate.name, architecture.offer_label(candidate), b, a, eb, ea))
    return WorkloadEffect(workload.workload, file, effects)


# --- published versions are immutable ------------------------------------------------------------------------


def _version_of(name: str) -> tuple[str, dt.date] | None:
    vendor, _, filename = name.rpartition("/")
    try:
        return vendor, dt.date.fromisoformat(filename.rsplit(".", 1)[0])
    except ValueError:
        return None  # not a version file; load_catalog reports it


def immutability(base_files: Mapping[str, str], head_files: Mapping[str, str]) -> list[Violation]:
    """Published versions (the files of `base`) must reach `head` byte for byte; a new version must be the newest, or
    older than every published one (history: it prices dates that had no prices, and changes none that had).

    Both mappings are `vendor/YYYY-MM-DD.yaml` → sha256 of the file's bytes.
    """
    newest: dict[str, dt.date] = {}
    oldest: dict[str, dt.date] = {}
    for name in base_files:
        if (parsed := _version_of(name)) is not None:
            vendor, version = parsed
            newest[vendor] = max(version, newest.get(vendor, version))
            oldest[vendor] = min(version, oldest.get(vendor, version))
    violations = []
    for name, sha in sorted(base_files.items()):
        if _version_of(name) is None:
            continue
        vendor = name.rpartition("/")[0]
        if name not in head_files:
            violations.append(Violation(name, "removed", (
                "published version removed; published versions stay, so that earlier --as-of dates "
                f"keep their prices (stop selling an offer by leaving it out of a new {vendor}/ version)")))
        elif head_files[name] != sha:
            violations.append(Violation(name, "edited", (
                "published version edited in place; restore it and put the change in a new file "
                f"{vendor}/YYYY-MM-DD.yaml named by the date the new prices took effect (after {newest[vendor]})")))
    for name in sorted(head_files.keys() - base_files.keys()):
        parsed = _version_of(name)
        if parsed is None:
            continue
        vendor, version = parsed
        if vendor in newest and oldest[vendor] < version < newest[vendor]:
            violations.append(Violation(name, "backdated", (
                f"new version dated {version}, before {vendor}'s newest published version "
                f"{newest[vendor]}; it would rewrite the prices of dates already published — date it after "
                f"{newest[vendor]}, when its prices take effect")))
    return violations


def refuse(violations: Iterable[Violation], base: str) -> PublishedVersionChanged:
    """The error (exit 1) that lists every violation against `base`."""
    problems = [Problem("", None, "", str(v)) for v in violations]
    problems.append(Problem("", None, "", f"published price-book versions must not change (compared with {base}); "
                                          "see CONTRIBUTING.md, 'Record a price change'"))
    return PublishedVersionChanged(problems)


# --- freshness -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StaleOffer:
    offer: str
    version: dt.date
    retrieved: dt.date
    age_days: int


def stale_offers(catalog: Catalog, today: dt.date, max_age_days: int) -> list[StaleOffer]:
    """Offers in the newest version of each vendor whose figures were last checked more than `max_age_days` ago,
    each judged by its own `retrieved` date; an offer retired by `today` needs no re-checking."""
    return [
        StaleOffer(oid, ref.source.version, ref.offer.retrieved, (today - ref.offer.retrieved).days)
        for oid, ref in catalog.as_of(NEWEST).offers.items()
        if (today - ref.offer.retrieved).days > max_age_days and not ref.offer.retired_by(today)
    ]
