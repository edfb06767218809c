"""Draft new price-book versions for our per-token offers from the pydantic/genai-prices package data.

genai-prices (https://github.com/pydantic/genai-prices) keeps per-provider price data as Python objects in
`genai_prices.data.providers`: each `Provider` has `models`, each `ModelInfo` has `prices` (one `ModelPrice`, or
`ConditionalPrice`s gated by a start date or a time of day) and `price_variants` (partial prices selected by
request context such as `{"processing": "batch"}`). A price is a `Decimal` in USD per million tokens, or
`TieredPrices` (a base and tiers above an input-token threshold, billed on the whole request).

The drafts keep our ids, names, tokenizers, notes and structure; they change only rates that both sides carry and
that differ. Every other difference (a service tier or long-context tier one side lacks, or any rate of a model
that several of our offers match, such as a reseller's Global and Data Zone deployments) is reported, not drafted.
This module reads the data by its shape, so tests can hand it a small fake instead of the package.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from tco.errors import TcoError
from tco.models.catalog import BookFile, Catalog
from tco.models.pricebook import PerTokenOffer, PriceBook, RateCard

SOURCE = "genai-prices"
REPOSITORY = "https://github.com/pydantic/genai-prices"

PROVIDERS: dict[str, str] = {"xai": "x-ai", "aws-bedrock": "aws", "bedrock": "aws"}
"""tco vendor → genai-prices provider id, where the two differ (by default they are the same, as for azure and
the hosts groq, fireworks, cerebras and together). aws-bedrock offers name their Bedrock model id (`global.anthropic.…`
for a Global cross-Region profile), which picks the matching genai-prices entry. genai-prices' `huggingface_together`
is Hugging Face's router to Together, priced as Hugging Face lists it, so it maps to no vendor."""

RATE_KEYS: dict[str, tuple[str, ...]] = {
    "input_mtok": ("input_text_mtok", "input_mtok"),
    "cached_input_mtok": ("cache_text_read_mtok", "cache_read_mtok"),
    "cache_write_mtok": ("cache_text_write_5m_mtok", "cache_text_write_mtok", "cache_write_5m_mtok", "cache_write_mtok"),
    "cache_write_1h_mtok": ("cache_text_write_1h_mtok", "cache_write_1h_mtok"),
    "output_mtok": ("output_text_mtok", "output_mtok"),
    "reasoning_mtok": ("output_text_reasoning_mtok", "output_reasoning_mtok"),
}
"""Our rate field → the genai-prices price keys for text, most specific first."""

SERVICE_TIERS: dict[str, dict[str, str]] = {
    "batch": {"processing": "batch"},
    "flex": {"service_tier": "flex"},
    "priority": {"service_tier": "priority"},
}
"""Our service tier → the genai-prices request context that selects its price variant."""


# --- reading genai-prices data -------------------------------------------------------------------------------


def load_providers() -> tuple[list[Any], str]:
    """The installed package's providers and a label naming its version."""
    try:
        from importlib.metadata import version

        from genai_prices.data import providers
    except ImportError:
        raise TcoError("genai-prices is not installed; install the extra: pip install 'tco[import]'") from None
    return list(providers), f"{SOURCE} {version('genai-prices')}"


def _values(price: Any) -> dict[str, Any]:
    """A ModelPrice (or a mapping, in tests) as {price key: Decimal | TieredPrices}, set keys only."""
    items = price.items() if isinstance(price, Mapping) else vars(price).items()
    return {k: v for k, v in items if v is not None and not k.startswith("_")}


def _active(constraint: Any, at: dt.datetime) -> bool:
    if constraint is None:
        return True
    if hasattr(constraint, "start_date"):
        return at.date() >= constraint.start_date
    if hasattr(constraint, "start_time"):
        now = at.time()
        start, end = (t.replace(tzinfo=None) for t in (constraint.start_time, constraint.end_time))
        return start <= now < end if start <= end else (now >= start or now < end)
    return bool(constraint.active(at))


def _conditional(model: Any, at: dt.datetime) -> Any:
    """The model's price entry in force at `at`: the last conditional price whose constraint holds (the first if
    none does), or the model's only price."""
    prices = model.prices
    if not isinstance(prices, list):
        return None
    chosen = prices[0] if prices else None
    for conditional in reversed(prices):
        if _active(conditional.constraint, at):
            return conditional
    return chosen


def _standard(model: Any, at: dt.datetime) -> dict[str, Any]:
    """The model's standard prices at `at`."""
    if not isinstance(model.prices, list):
        return _values(model.prices)
    chosen = _conditional(model, at)
    return {} if chosen is None else _values(chosen.prices)


def _since(model: Any, at: dt.datetime) -> dt.date | None:
    chosen = _conditional(model, at)
    return getattr(getattr(chosen, "constraint", None), "start_date", None)


def _variant(model: Any, context: Mapping[str, str], at: dt.datetime) -> dict[str, Any]:
    """Only the keys the matching price variants set (first match wins per key, as genai-prices resolves them)."""
    found: dict[str, Any] = {}
    for variant in getattr(model, "price_variants", None) or ():
        if not _active(variant.constraint, at):
            continue
        if all(context.get(k) == v for k, v in variant.when.items()):
            for key, value in _values(variant.prices).items():
                found.setdefault(key, value)
    return found


def _peak(model: Any, day: dt.date) -> tuple[dt.datetime, bool]:
    """The instant of `day` whose standard prices are highest (tco books carry peak rates), and whether prices
    vary by time of day at all."""
    instants = [dt.datetime.combine(day, dt.time(hour, 30)) for hour in range(24)]

    def weight(at: dt.datetime) -> tuple[Decimal, Decimal]:
        card = _card(_standard(model, at))
        return tuple(_base(card.get(k)) or Decimal(0) for k in ("output_mtok", "input_mtok"))  # type: ignore[return-value]

    weights = [weight(at) for at in instants]
    best = max(range(24), key=lambda i: weights[i])
    return instants[best], len(set(weights)) > 1


def _card(values: Mapping[str, Any]) -> dict[str, Any]:
    """genai-prices price keys → our rate fields."""
    card = {}
    for ours, keys in RATE_KEYS.items():
        for key in keys:
            if key in values:
                card[ours] = values[key]
                break
    return card


def _base(price: Any) -> Decimal | None:
    return getattr(price, "base", price)


def _tiers(price: Any) -> dict[int, Decimal]:
    return {int(t.start): t.price for t in getattr(price, "tiers", None) or ()}


def _is_match(model: Any, ref: str) -> bool:
    if hasattr(model, "is_match"):
        return bool(model.is_match(ref))
    return bool(model.match.is_match(ref.lower()))


def _slug(name: str) -> str:
    return "-".join(name.lower().split())


def find_model(provider: Any, offer_key: str, offer: PerTokenOffer) -> tuple[Any, str] | None:
    """The genai-prices model for one of our offers, by its `model` field, its id, then its name: an exact model
    id first, then the package's own matching rules. Returns the model and the reference that matched."""
    refs = list(dict.fromkeys(r for r in (offer.model, offer_key, _slug(offer.name)) if r))
    for ref in refs:
        for model in provider.models:
            if model.id.lower() == ref.lower():
                return model, ref
    for ref in refs:
        for model in provider.models:
            if _is_match(model, ref):
                return model, ref
    return None


# --- comparing -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RateDifference:
    """One rate where genai-prices and our book differ. `ours` None: our offer lacks the rate (or the whole
    service or context tier); `drafted` False: a person must decide, the draft leaves it as ours."""

    offer: str
    field: str
    ours: Decimal | None
    theirs: Decimal | None
    model: str
    drafted: bool
    note: str = ""


@dataclass(frozen=True)
class OfferMatch:
    offer: str
    model: str | None
    """The genai-prices model id, or None when no model matched."""
    matched_by: str | None = None
    time_of_day: bool = False
    """genai-prices prices this model by time of day; the peak rates were compared."""
    since: dt.date | None = None
    """The date genai-prices gives for the start of the compared prices, when it gives one."""


@dataclass(frozen=True)
class NewOffer:
    """A genai-prices model none of our offers matches: drafted as a new offer, or skipped with the reason."""

    offer: str
    model: str
    drafted: bool
    note: str
    """Where the tokenizer came from, or why it was skipped."""


@dataclass
class ImportResult:
    source: str
    as_of: dt.date
    version: dt.date
    matches: list[OfferMatch]
    differences: list[RateDifference]
    new_offers: list[NewOffer] = field(default_factory=list)
    drafts: dict[str, PriceBook] = field(default_factory=dict)
    """Vendor → the new version, only for vendors with a drafted difference."""
    based_on: dict[str, BookFile] = field(default_factory=dict)
    written: list[Path] = field(default_factory=list)


def _effective(card: RateCard, name: str) -> Decimal:
    """What our engine bills for a rate our card leaves out (per_token.card_charge's fall-backs)."""
    value = getattr(card, name)
    if value is not None:
        return value
    fallback = {"cached_input_mtok": "input_mtok", "cache_write_mtok": "input_mtok",
                "cache_write_1h_mtok": "cache_write_mtok", "reasoning_mtok": "output_mtok"}[name]
    return _effective(card, fallback)


def _compare_card(offer_id: str, model_id: str, path: str, ours: RateCard | None, theirs: Mapping[str, Any],
                  tier: int | None = None) -> list[RateDifference]:
    """Differences between one of our rate cards and genai-prices prices (at a context-tier threshold, if given)."""
    out = []
    for name, price in theirs.items():
        value = _base(price) if tier is None else _tiers(price).get(tier)
        if value is None:
            continue
        if ours is None:
            out.append(RateDifference(offer_id, f"{path}.{name}", None, value, model_id, False,
                                      f"our offer has no {path} rates"))
            continue
        if _effective(ours, name) == value:
            continue
        have = getattr(ours, name)
        note = "" if have is not None else f"ours billed as {_effective(ours, name)}"
        out.append(RateDifference(offer_id, f"{path}.{name}", have, value, model_id, True, note))
    return out


def compare_offer(offer_id: str, offer: PerTokenOffer, model: Any, at: dt.datetime) -> list[RateDifference]:
    """Every rate of one offer that differs from the genai-prices model at instant `at`."""
    standard = _card(_standard(model, at))
    contexts: dict[str, dict[str, Any]] = {"rates": standard}
    for tier, context in SERVICE_TIERS.items():
        variant = _card(_variant(model, context, at))
        if variant:
            contexts[f"service_tiers.{tier}"] = variant
    out: list[RateDifference] = []
    for path, theirs in contexts.items():
        tier_name = path.rpartition(".")[2] if path != "rates" else None
        ours = offer.rates if tier_name is None else offer.service_tiers.get(tier_name)  # type: ignore[arg-type]
        out += _compare_card(offer_id, model.id, path, ours, theirs)
        thresholds = sorted({t for price in theirs.values() for t in _tiers(price)})
        ctx = {t.above_input_tokens: (i, t) for i, t in enumerate(offer.context_tiers)}
        for threshold in thresholds:
            if threshold not in ctx:
                for name, price in theirs.items():
                    if threshold in _tiers(price):
                        out.append(RateDifference(
                            offer_id, f"context_tiers[above {threshold}].{path}.{name}", None,
                            _tiers(price)[threshold], model.id, False, "our offer has no context tier there"))
                continue
            i, ctier = ctx[threshold]
            card = ctier.rates if tier_name is None else ctier.service_tiers.get(tier_name)  # type: ignore[arg-type]
            out += _compare_card(offer_id, model.id, f"context_tiers[{i}].{path}", card, theirs, tier=threshold)
        if path == "rates":
            for threshold, (i, _) in ctx.items():
                if threshold not in thresholds:
                    out.append(RateDifference(offer_id, f"context_tiers[{i}]", None, None, model.id, False,
                                              f"genai-prices has no tier above {threshold} input tokens"))
    return out


def _set(data: dict[str, Any], path: str, value: Decimal) -> None:
    keys = path.replace("[", ".").replace("]", "").split(".")
    for key in keys[:-1]:
        data = data[int(key)] if isinstance(data, list) else data[key]  # type: ignore[assignment]
    data[keys[-1]] = value


def _provenance(provider: Any, source: str, day: dt.date) -> tuple[list[str], str]:
    """The source URLs of a drafted offer (the vendor page genai-prices cites, then its data file) and the words
    naming both: the vendor page was not read by the import, and the note says so."""
    data = f"{REPOSITORY}/blob/main/prices/providers/{provider.id}.yml"
    cited = [str(u) for u in (getattr(provider, "pricing_urls", None) or ())][:1]
    where = f"; genai-prices cites {cited[0]}, which this import did not read" if cited else ""
    return [*cited, data], f"from {source} on {day}{where}"


def draft_offer(offer: PerTokenOffer, differences: Iterable[RateDifference], model: str, source: str,
                provider: Any, day: dt.date, prices_on: dt.date | None = None) -> PerTokenOffer:
    """Our offer with the drafted rates, a note saying where they came from, and the genai-prices data as a source."""
    changed = [d for d in differences if d.drafted]
    data = offer.model_dump()
    for d in changed:
        _set(data, d.field, d.theirs)  # type: ignore[arg-type]
    urls, origin = _provenance(provider, source, day)
    have = {str(u) for u in offer.source_urls}
    data["source_urls"] = [*offer.source_urls, *(u for u in urls if u not in have)]
    data["retrieved"] = day
    summary = ", ".join(f"{d.field} {d.ours if d.ours is not None else '(absent)'} → {d.theirs}" for d in changed)
    when = f", prices in force on {prices_on}" if prices_on else ""
    note = (f"Drafted by `tco pricebook import genai-prices` {origin} (model {model}{when}): {summary}. "
            "Check each against the vendor's own page before publishing.")
    data["notes"] = f"{offer.notes} {note}".strip()
    return PerTokenOffer.model_validate(data)


def _key(model_id: str) -> str:
    return re.sub(r"[^a-z0-9.\-]+", "-", model_id.lower()).strip("-.") or "model"


def nearest_tokenizer(catalog: Catalog, vendor: str, model_id: str) -> tuple[str, str] | None:
    """The tokenizer of the per-token offer whose model id is most like `model_id` (the vendor's own first, then
    any vendor's), and that offer's id."""
    newest = catalog.as_of(dt.date.max).offers
    offers = [(oid, ref.offer) for oid, ref in newest.items() if isinstance(ref.offer, PerTokenOffer)]
    for pool in ([o for o in offers if o[0].startswith(f"{vendor}/")], offers):
        if pool:
            def likeness(item: tuple[str, PerTokenOffer]) -> float:
                return difflib.SequenceMatcher(None, model_id.lower(), (item[1].model or item[0]).lower()).ratio()
            oid, offer = max(pool, key=likeness)
            return offer.tokenizer, oid
    return None


def new_offer(model: Any, provider: Any, catalog: Catalog, vendor: str, source: str,
              day: dt.date) -> tuple[str, PerTokenOffer | None, str]:
    """A draft offer for a genai-prices model we lack: its standard, service-tier and long-context rates, a
    tokenizer copied from our most similar offer, and the provenance; or None and the reason it cannot be drafted."""
    key = _key(model.id)
    at, _ = _peak(model, day)
    standard = _card(_standard(model, at))
    if "input_mtok" not in standard or "output_mtok" not in standard:
        return key, None, "no text input and output price (not a text-generation model?)"
    found = nearest_tokenizer(catalog, vendor, model.id)
    if found is None:
        return key, None, "no per-token offer to take a tokenizer from"
    tokenizer, like = found
    urls, origin = _provenance(provider, source, day)
    thresholds = sorted({t for price in standard.values() for t in _tiers(price)})
    data: dict[str, Any] = {
        "scheme": "per_token", "name": getattr(model, "name", None) or model.id, "model": model.id,
        "tokenizer": tokenizer, "rates": {k: _base(v) for k, v in standard.items()},
        "service_tiers": {tier: {k: _base(v) for k, v in card.items()}
                          for tier, context in SERVICE_TIERS.items()
                          if (card := {**{k: _base(v) for k, v in standard.items()}, **_card(_variant(model, context, at))})
                          and _card(_variant(model, context, at))},
        "context_tiers": [{"above_input_tokens": t, "rule": "whole_request",
                           "rates": {k: _tiers(v).get(t, _base(v)) for k, v in standard.items()}} for t in thresholds],
        "source_urls": urls, "retrieved": day,
        "notes": (f"New offer drafted by `tco pricebook import genai-prices` {origin} (model {model.id}). Tokenizer "
                  f"{tokenizer} copied from {like}, the most similar offer we carry; genai-prices gives no release "
                  f"or shutdown dates, so set `released:` (and `deprecated:`/`retired:` when announced). Check every "
                  f"rate against the vendor's own page before publishing."),
    }
    try:
        return key, PerTokenOffer.model_validate(data), f"tokenizer {tokenizer} from {like}"
    except ValidationError as e:
        return key, None, f"its prices do not make a valid offer ({e.errors()[0]['msg']})"


def _offers_by_model(vendor: str, found: Mapping[str, tuple[Any, str] | None]) -> dict[str, list[str]]:
    """genai-prices model id → the ids of our offers it matched."""
    out: dict[str, list[str]] = {}
    for key, hit in found.items():
        if hit is not None:
            out.setdefault(hit[0].id, []).append(f"{vendor}/{key}")
    return out


def _undrafted_if_shared(diffs: list[RateDifference], offers: list[str]) -> list[RateDifference]:
    """Differences a person must decide when one genai-prices model matches several of our offers (a reseller's
    Global and Data Zone deployments of one model, say): one price cannot be right for all of them."""
    if len(offers) < 2:
        return diffs
    note = "one genai-prices model for " + ", ".join(offers) + "; not drafted"
    return [replace(d, drafted=False, note=f"{d.note}; {note}" if d.note else note) for d in diffs]


Progress = Callable[[int, int], None]


def sells_tokens(book: PriceBook) -> bool:
    return any(o.scheme in ("per_token", "provisioned") for o in book.offers.values())


def draft(catalog: Catalog, providers: Iterable[Any], source: str, as_of: dt.date, version: dt.date,
          progress: Progress | None = None) -> ImportResult:
    """Compare every per-token offer in the newest version of each vendor with genai-prices as of `as_of`, and
    draft a version dated `version` for each vendor with a rate to update or a model we lack (vendors that sell
    tokens only: a seat plan's book gets no per-token offers)."""
    by_id = {p.id: p for p in providers}
    newest = catalog.as_of(dt.date.max)
    result = ImportResult(source, as_of, version, [], [])
    for done, (vendor, book) in enumerate(sorted(newest.books.items())):
        if progress:
            progress(done, len(newest.books))
        provider = by_id.get(PROVIDERS.get(vendor, vendor))
        offers = dict(book.book.offers)
        drafted = False
        matched: set[str] = set()
        found_by_key = {key: find_model(provider, key, offer) if provider is not None else None
                        for key, offer in book.book.offers.items() if isinstance(offer, PerTokenOffer)}
        sharing = _offers_by_model(vendor, found_by_key)
        for key, found in found_by_key.items():
            offer = book.book.offers[key]
            oid = f"{vendor}/{key}"
            if found is None:
                result.matches.append(OfferMatch(oid, None))
                continue
            model, ref = found
            matched.add(model.id)
            at, varies = _peak(model, as_of)
            result.matches.append(OfferMatch(oid, model.id, ref, varies, _since(model, at)))
            diffs = _undrafted_if_shared(compare_offer(oid, offer, model, at), sharing[model.id])
            result.differences += diffs
            if any(d.drafted for d in diffs):
                offers[key] = draft_offer(offer, diffs, model.id, source, provider, as_of)
                drafted = True
        if provider is not None and sells_tokens(book.book):
            for model in provider.models:
                if model.id in matched or getattr(model, "deprecated", False):
                    continue
                key, new, why = new_offer(model, provider, catalog, vendor, source, as_of)
                result.new_offers.append(NewOffer(f"{vendor}/{key}", model.id, new is not None, why))
                if new is not None and key not in offers:
                    offers[key] = new
                    drafted = True
        if drafted:
            result.drafts[vendor] = book.book.model_copy(update={"version": version, "offers": offers})
            result.based_on[vendor] = book
    return result


def _start_dates(model: Any) -> set[dt.date]:
    entries = [*(model.prices if isinstance(model.prices, list) else ()), *(getattr(model, "price_variants", None) or ())]
    return {d for e in entries if (d := getattr(getattr(e, "constraint", None), "start_date", None))}


def draft_history(catalog: Catalog, providers: Iterable[Any], source: str, since: dt.date, until: dt.date,
                  day: dt.date) -> list[ImportResult]:
    """Dated versions from genai-prices' start-date history: per vendor, one on `since` and one on each later date
    before `until` on which a price of a model we carry starts or one of our offers is released (dates we already
    have a version for are left out).
    Each holds the vendor's version in force that day (if any) with our per-token offers on sale then (`released`
    on or before it, not yet `retired`) at genai-prices' prices of that day; before the vendor's first version, an
    offer without a `released` date is left out, since it is not known to have been on sale."""
    by_id = {p.id: p for p in providers}
    results = []
    for vendor, versions in sorted(catalog.books.items()):
        provider = by_id.get(PROVIDERS.get(vendor, vendor))
        if provider is None:
            continue
        ours: dict[str, tuple[PerTokenOffer, Any]] = {}
        for bf in versions:
            for key, offer in bf.book.offers.items():
                found = find_model(provider, key, offer) if isinstance(offer, PerTokenOffer) else None
                if found and offer.released is not None:
                    ours[key] = (offer, found[0])
        sharing = _offers_by_model(vendor, {key: (model, "") for key, (_, model) in ours.items()})
        starts = {d for offer, model in ours.values() for d in (*_start_dates(model), offer.released)
                  if d and since < d < until}
        have = {b.version for b in versions}
        for when in sorted(({since} | starts) - have):
            base = ([b for b in versions if b.version <= when] or versions[:1])[-1]
            result = ImportResult(source, when, when, [], [])
            offers: dict[str, Any] = dict(base.book.offers) if base.version <= when else {}  # the rest as published
            for key, (offer, model) in ours.items():
                if not offer.released <= when or (offer.retired is not None and offer.retired <= when):  # type: ignore[operator]
                    continue
                oid = f"{vendor}/{key}"
                at, varies = _peak(model, when)
                result.matches.append(OfferMatch(oid, model.id, None, varies, _since(model, at)))
                diffs = _undrafted_if_shared(compare_offer(oid, offer, model, at), sharing[model.id])
                result.differences += diffs
                drafted = any(d.drafted for d in diffs)
                offers[key] = draft_offer(offer, diffs, model.id, source, provider, day, when) if drafted else offer
            if offers:
                result.drafts[vendor] = PriceBook(vendor=vendor, version=when, currency=base.book.currency, offers=offers)
                result.based_on[vendor] = base
                results.append(result)
    return results


# --- writing drafts ------------------------------------------------------------------------------------------


def _yaml_value(value: Any) -> Any:
    """Plain data for the YAML writer; URLs become text."""
    if isinstance(value, dict):
        return {k: _yaml_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_yaml_value(v) for v in value]
    if value is None or isinstance(value, (str, int, Decimal, dt.date, bool)):
        return value
    return str(value)


FIRST = ("scheme", "name", "model", "tokenizer")
LAST = ("source_urls", "retrieved", "notes")


def _ordered(offer: dict[str, Any]) -> dict[str, Any]:
    """Fields in the order the bundled books use: what it is, its prices, then where they come from."""
    keys = [k for k in FIRST if k in offer] + [k for k in offer if k not in FIRST + LAST] + [k for k in LAST if k in offer]
    return {k: offer[k] for k in keys}


def render_yaml(book: PriceBook, header: str = "") -> str:
    """A price book as YAML in the style of the bundled files: rate cards on one line, notes folded."""
    import yaml

    class Flow(dict):
        pass

    class Folded(str):
        pass

    class Dumper(yaml.SafeDumper):
        def ignore_aliases(self, data: Any) -> bool:  # tco refuses YAML aliases in price books
            return True

    def decimal(dumper: yaml.SafeDumper, value: Decimal) -> yaml.Node:
        text = format(value.normalize(), "f")
        return dumper.represent_scalar("tag:yaml.org,2002:int" if "." not in text else "tag:yaml.org,2002:float", text)

    Dumper.add_representer(Decimal, decimal)
    Dumper.add_representer(Flow, lambda d, v: d.represent_mapping("tag:yaml.org,2002:map", v.items(), flow_style=True))
    Dumper.add_representer(Folded, lambda d, v: d.represent_scalar("tag:yaml.org,2002:str", v, style=">"))

    def styled(value: Any, key: str = "") -> Any:
        if isinstance(value, dict):
            if key.endswith(("rates",)) or (value and all(k.endswith("_mtok") for k in value)):
                return Flow(value)
            return {k: styled(v, k) for k, v in value.items()}
        if isinstance(value, list):
            return [styled(v) for v in value]
        if key == "notes" and isinstance(value, str) and len(value) > 80:
            return Folded(value)
        return value

    data = _yaml_value(book.model_dump(exclude_defaults=True))
    data = {"vendor": book.vendor, "version": book.version, "currency": book.currency,
            "offers": {k: _ordered(v) for k, v in data["offers"].items()}}
    body = yaml.dump(styled(data), Dumper=Dumper, sort_keys=False, allow_unicode=True, width=110)
    return "# yaml-language-server: $schema=../pricebook.schema.json\n" + header + body


def write_drafts(result: ImportResult, output: Path, newest: Mapping[str, dt.date] | None = None) -> list[Path]:
    """Write each draft to `output/<vendor>/<version>.yaml`; refuse (writing nothing) if any file exists or a
    draft would be dated on or before the vendor's newest version in `newest`."""
    from tco.files.output import write_atomic

    targets = {vendor: output / vendor / f"{book.version}.yaml" for vendor, book in result.drafts.items()}
    problems = [f"{path} exists; drafts never overwrite a price-book version (pick another --version or --output)"
                for path in targets.values() if path.exists()]
    for vendor, book in result.drafts.items():
        if newest and vendor in newest and book.version <= newest[vendor]:
            problems.append(f"{vendor}: --version {book.version} is not after the newest version {newest[vendor]}; "
                            "a new version must be the newest")
    if problems:
        raise TcoError("; ".join(problems) if len(problems) == 1 else "\n".join(problems))
    written = []
    for vendor, path in targets.items():
        based = result.based_on[vendor]
        header = (f"# Drafted by `tco pricebook import genai-prices` from {result.source} (prices as of {result.as_of}),\n"
                  f"# based on {vendor}/{based.version}.yaml. Check every changed rate against the vendor's page.\n")
        write_atomic(path, render_yaml(result.drafts[vendor], header).encode(), parents=True)
        written.append(path)
    result.written = written
    return written
