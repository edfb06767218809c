"""Measured runs: the aggregation queries over call records, and the statistics made of their results.

Queries are built as DuckDB SQL over a table `calls` of the columns in `tco.files.runs.COLUMNS`; sqlglot turns them
into a warehouse's dialect. Prices come from the price books through the engine's own rate card logic
(`per_token.card_charge`, one token of each kind): each call's long-context tier is found from its prompt size, and
the calls of one run and model are priced together from their summed counts, plus what each call's tier adds,
exactly in SQL DECIMAL (rates to 1e-20 USD per token).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from tco.engine.per_token import CallTokens, card_charge
from tco.errors import TcoError, nearest
from tco.models.catalog import OfferRef, Selection
from tco.models.pricebook import PerTokenOffer, RateCard
from tco.models.tokenizer import REFERENCE, ContentType

KINDS = ("input_tokens", "cached_input_tokens", "cache_write_tokens", "output_tokens", "reasoning_tokens")
GROUPS = ("model", "workflow", "candidate", "day")
DIALECTS = ("bigquery", "snowflake", "spark", "postgres", "duckdb")
RATE_PLACES = 20
Z95 = Decimal("1.959963984540054")


def lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


# -- models to offers -------------------------------------------------------------------------------------------

_DATED = re.compile(r"[-@](\d{4}-\d{2}-\d{2}|\d{8})$")


def resolve_model(name: str, selection: Selection) -> OfferRef | None:
    """The per-token offer a record's `model` names: a tco offer id, or the vendor's model id (as the books' `model`
    field gives it), with or without a provider prefix (`openai/…`) or a dated snapshot suffix (`…-2026-03-05`)."""
    offers = {i: r for i, r in selection.offers.items() if isinstance(r.offer, PerTokenOffer)}
    candidates = [name]
    if "/" in name:
        candidates.append(name.split("/", 1)[1])
    candidates += [_DATED.sub("", c) for c in candidates if _DATED.search(c)]
    for c in candidates:
        if c in offers:
            return offers[c]
        for ref in offers.values():
            if c in (ref.offer.model, ref.id.split("/", 1)[1]):  # type: ignore[union-attr]
                return ref
    return None


def per_token_offer(offer_id: str, selection: Selection, option: str = "--offer") -> OfferRef:
    ref = selection.find(offer_id)
    if ref is None:
        raise TcoError(f"{option}: {selection.explain_missing(offer_id)}")
    if not isinstance(ref.offer, PerTokenOffer):
        per_token = [i for i, r in selection.offers.items() if isinstance(r.offer, PerTokenOffer)]
        raise TcoError(f"{option}: {offer_id} is a {ref.offer.scheme} offer; runs are repriced on per-token offers"
                       f"{nearest(offer_id, per_token)}")
    return ref


# -- pricing one call in SQL ------------------------------------------------------------------------------------

def _rates(card: RateCard, ratio: Decimal) -> dict[str, Decimal]:
    """USD per recorded token of each kind on `card`, for tokens that count `ratio` of the offer's own: the engine's
    call charge of one token of each kind."""
    one = {
        "uncached": CallTokens(ratio, Decimal(0), Decimal(0), Decimal(0), Decimal(0)),
        "cached": CallTokens(ratio, Decimal(1), Decimal(0), Decimal(0), Decimal(0)),
        "write": CallTokens(Decimal(0), Decimal(0), ratio, Decimal(0), Decimal(0)),
        "output": CallTokens(Decimal(0), Decimal(0), Decimal(0), ratio, Decimal(0)),
        "reasoning": CallTokens(Decimal(0), Decimal(0), Decimal(0), Decimal(0), ratio),
    }
    return {k: sum(card_charge(card, t, "5m").values(), Decimal(0)) for k, t in one.items()}


def _places(value: Decimal) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-RATE_PLACES))


def _decimal(value: Decimal) -> str:
    return f"CAST({_places(value):f} AS DECIMAL(38, {RATE_PLACES}))"


def _card_sql(card: RateCard, ratio: Decimal, below: RateCard | None = None) -> str:
    """SQL for the charge on `card` of the token counts in our columns (less their charge on `below`, if given)."""
    r = {k: _places(v) for k, v in _rates(card, ratio).items()}
    if below is not None:  # the difference of the rates as priced, so that the two add up to the tier's charge
        r = {k: v - _places(_rates(below, ratio)[k]) for k, v in r.items()}
    terms = [("(input_tokens - cached_input_tokens)", r["uncached"]), ("cached_input_tokens", r["cached"]),
             ("cache_write_tokens", r["write"]), ("output_tokens", r["output"]), ("reasoning_tokens", r["reasoning"])]
    return "(" + " + ".join(f"{col} * {_decimal(rate)}" for col, rate in terms if rate) + ")" if any(r.values()) else "0"


def _tiers(ref: OfferRef) -> list[Any]:
    offer = ref.offer
    assert isinstance(offer, PerTokenOffer)
    for tier in offer.context_tiers:
        if tier.rule != "whole_request":
            raise TcoError(f"{ref.id}: its long-context tier above {tier.above_input_tokens:,} tokens is billed "
                           "marginally; tco runs reprices whole_request tiers only")
    return offer.context_tiers


def tier_sql(ref: OfferRef, ratio: Decimal) -> str:
    """SQL for the long-context tier one call's prompt reaches on the offer (0: none; k: the k-th threshold), its
    token counts × `ratio` in the offer's tokenizer."""
    size = "(input_tokens + cache_write_tokens)"  # whole numbers: no DECIMAL product for a ratio of 1
    if ratio != 1:
        size += f" * CAST({ratio:f} AS DECIMAL(38, 18))"
    whens = [f"WHEN {size} > {t.above_input_tokens} THEN {k}" for k, t in reversed(list(enumerate(_tiers(ref), 1)))]
    return f"CASE {' '.join(whens)} ELSE 0 END" if whens else "0"


def cost_sql(ref: OfferRef, ratio: Decimal, tier: str) -> str:
    """SQL for the charge of token counts (one call's, or the sums of calls at the same tier) on the offer at
    standard rates: whole_request tiers bill every token of a call at the tier's rates, so the charge is linear in
    the counts once the tier is known."""
    offer = ref.offer
    assert isinstance(offer, PerTokenOffer)
    tiers = _tiers(ref)
    if not tiers:
        return _card_sql(offer.rates, ratio)
    whens = " ".join(f"WHEN {k} THEN {_card_sql(t.rates, ratio)}" for k, t in enumerate(tiers, 1))
    return f"CASE {tier} {whens} ELSE {_card_sql(offer.rates, ratio)} END"


def tier_extra_sql(ref: OfferRef, ratio: Decimal, tier: str) -> str:
    """SQL for what one call's long-context tier adds to its charge at the offer's standard rates (NULL: none)."""
    offer = ref.offer
    assert isinstance(offer, PerTokenOffer)
    whens = " ".join(f"WHEN {k} THEN {_card_sql(t.rates, ratio, offer.rates)}" for k, t in enumerate(_tiers(ref), 1))
    return f"CASE {tier} {whens} END" if whens else "NULL"


@dataclass(frozen=True)
class Pricing:
    """How records' model names map to offers, and the tokenizer ratios to convert their counts."""

    selection: Selection
    models: dict[str, OfferRef | None]
    content: ContentType = "prose"

    def ratio(self, source: str, target: str) -> Decimal:
        table = self.selection.tokenizers
        return table.ratio(target, self.content)[0] / table.ratio(source, self.content)[0]

    def tokenizer(self, name: str) -> str:
        ref = self.models.get(name)
        return ref.offer.tokenizer if ref else REFERENCE  # type: ignore[union-attr]

    @property
    def unpriced(self) -> list[str]:
        return sorted(n for n, r in self.models.items() if r is None)

    def _by_model(self, sql: Any, default: str, column: str = "model") -> str:
        """CASE over the model names in `column`: `sql(ref)` for each priced one (names sharing an expression share
        a WHEN)."""
        shared: dict[str, list[str]] = {}
        for name, ref in sorted(self.models.items()):
            if ref is not None:
                shared.setdefault(sql(ref), []).append(name)
        whens = [f"WHEN {column} IN ({', '.join(lit(n) for n in names)}) THEN {expr}" for expr, names in shared.items()]
        return f"CASE {' '.join(whens)} ELSE {default} END" if whens else default

    def own_tier_sql(self) -> str:
        """The tier each call reaches on the offer its own model names."""
        return self._by_model(lambda ref: tier_sql(ref, Decimal(1)), "0")

    def own_cost_sql(self, tier: str) -> str:
        """The list price of token counts on the offer their model names (NULL where the books have none)."""
        return self._by_model(lambda ref: cost_sql(ref, Decimal(1), tier), "CAST(NULL AS DECIMAL(38, 20))")

    def own_base_cost_sql(self) -> str:
        """`own_cost_sql` below every long-context tier (what `own_extra_sql` adds to)."""
        return self._by_model(lambda ref: _card_sql(ref.offer.rates, Decimal(1)), "CAST(NULL AS DECIMAL(38, 20))")  # type: ignore[union-attr]

    def own_extra_sql(self, tier: str) -> str:
        """`tier_extra_sql` on the offer each call's own model names."""
        return self._by_model(lambda ref: tier_extra_sql(ref, Decimal(1), tier), "NULL")

    @property
    def tiers(self) -> int:
        """The most long-context tiers any of the models' offers has."""
        return max((len(_tiers(r)) for r in self.models.values() if r is not None), default=0)

    def offer_sql(self, column: str = "model") -> str:
        """The offer id of the model named in `column`, or that name where no offer matches."""
        return self._by_model(lambda ref: lit(ref.id), column, column)

    def _converted(self, ref: OfferRef, sql: Any) -> str:
        """`sql(ratio)` for each tokenizer the records' models count in, converted to `ref`'s (o200k where unknown)."""
        target = ref.offer.tokenizer  # type: ignore[union-attr]
        by_tokenizer: dict[str, list[str]] = {}
        for name in sorted(self.models):
            by_tokenizer.setdefault(self.tokenizer(name), []).append(name)
        whens = [f"WHEN model IN ({', '.join(lit(n) for n in names)}) THEN {sql(self.ratio(tok, target))}"
                 for tok, names in sorted(by_tokenizer.items()) if tok != REFERENCE]
        default = sql(self.ratio(REFERENCE, target))
        return f"CASE {' '.join(whens)} ELSE {default} END" if whens else default

    def reprice_tier_sql(self, ref: OfferRef) -> str:
        return self._converted(ref, lambda ratio: tier_sql(ref, ratio))

    def reprice_cost_sql(self, ref: OfferRef, tier: str) -> str:
        """Token counts on offer `ref`, converted from their own model's tokenizer."""
        return self._converted(ref, lambda ratio: cost_sql(ref, ratio, tier))


def pricing_for(names: list[str], selection: Selection, content: ContentType = "prose") -> Pricing:
    return Pricing(selection, {n: resolve_model(n, selection) for n in names}, content)


def bundled_pricing(selection: Selection, content: ContentType = "prose") -> Pricing:
    """Every per-token offer under its id, its model id and `vendor/model id`, for a query run elsewhere."""
    names: dict[str, OfferRef | None] = {}
    for i, ref in selection.offers.items():
        if isinstance(ref.offer, PerTokenOffer):
            names[i] = ref
            if ref.offer.model:
                names.setdefault(ref.offer.model, ref)
                names.setdefault(f"{i.split('/')[0]}/{ref.offer.model}", ref)
    return Pricing(selection, names, content)


# -- the queries ------------------------------------------------------------------------------------------------

def _where(since: str | None) -> str:
    return f"WHERE timestamp >= CAST({lit(since)} AS TIMESTAMP)" if since else ""


RUN_KEYS = {"model": "model", "candidate": "candidate", "workflow": "workflow", "day": "CAST(day AS VARCHAR)"}
"""Each grouping's key of a run, from its row in `runs`."""
CALL_KEYS = {"model": "model", "candidate": "model", "workflow": "workflow", "day": "CAST(timestamp AS DATE)"}
"""Each grouping's key of one call on its own: its run's key wherever a run's calls agree on it."""
MIXED = {"model": "MIN(model) <> MAX(model)", "candidate": "MIN(model) <> MAX(model)",
         "workflow": "MIN(workflow) <> MAX(workflow) OR COUNT(workflow) NOT IN (0, COUNT(*))",
         "day": "CAST(MIN(timestamp) AS DATE) <> CAST(MAX(timestamp) AS DATE) OR COUNT(timestamp) NOT IN (0, COUNT(*))"}
"""Over a run's calls: whether they may disagree on the key (a run of several models, workflows or days, or some
calls without one)."""
PACK = 1_000_000_000_000_000_000
"""A run's primary model is the smallest `PACK - calls` followed by the name: 18 digits for any count of calls."""


def _runs_cte(pricing: Pricing, since: str | None, by: str) -> str:
    """CTEs `runs` (one row per run, keyed by group `grp`; `mixed` where its calls' own keys may differ from it)
    and `tasks`. The calls are read once, grouped by run: a run of one model is priced from its summed counts, plus
    what each call's long-context tier adds. Only the runs of several models are read again, per model (to price
    each, and find the one a run calls most: ties, the first by name)."""
    call_sums = ", ".join(f"CAST(SUM({k}) AS BIGINT) AS {k}" for k in KINDS)  # not 128-bit: the later sums are faster
    if pricing.tiers:  # a run's charge: its summed counts below every tier, plus what each call's tier adds
        call_sums += f", SUM(CASE WHEN tier > 0 THEN {pricing.own_extra_sql('tier')} END) AS extra"
        list_cost = f"{pricing.own_base_cost_sql()} + COALESCE(extra, 0)"
        tiered = f"SELECT *, {pricing.own_tier_sql()} AS tier FROM calls {_where(since)}"
    else:
        list_cost, tiered = pricing.own_base_cost_sql(), f"SELECT * FROM calls {_where(since)}"
    workflow = "MIN(workflow)" if by == "workflow" else "NULL"
    columns = ["run_id", "task_id", "workflow", "day", "first_at", "last_at", "calls", "retry_calls",
               "calls_with_attempt", "success", "cost", *KINDS, "mixed"]
    first = "calls - retry_calls AS first_calls"  # attempt is 1 or more where given
    return f"""by_run AS (
  SELECT run_id, MIN(model) AS model, MAX(model) AS last_model, MIN(task_id) AS task_id, {workflow} AS workflow,
         CAST(MIN(timestamp) AS DATE) AS day, MIN(timestamp) AS first_at, MAX(timestamp) AS last_at, COUNT(*) AS calls,
         SUM(CASE WHEN attempt > 1 THEN 1 ELSE 0 END) AS retry_calls, COUNT(attempt) AS calls_with_attempt,
         BOOL_OR(success) AS success, CASE WHEN COUNT(cost) = COUNT(*) THEN SUM(cost) END AS cost, {call_sums},
         {MIXED[by]} AS mixed
  FROM ({tiered}) AS tiered GROUP BY run_id
), per_model AS (
  SELECT run_id, model, COUNT(*) AS calls, {call_sums}
  FROM (SELECT c.*{f", {pricing.own_tier_sql()} AS tier" if pricing.tiers else ""}
        FROM calls AS c JOIN (SELECT run_id FROM by_run WHERE model <> last_model) AS several ON several.run_id = c.run_id
        {_where(since)}) AS tiered
  GROUP BY run_id, model
), several_models AS (
  SELECT run_id, SUBSTRING(MIN(CAST({PACK} - calls AS VARCHAR) || model), 19) AS model,
         CASE WHEN COUNT(list_cost) = COUNT(*) THEN SUM(list_cost) END AS list_cost
  FROM (SELECT run_id, model, calls, {list_cost} AS list_cost FROM per_model) AS priced GROUP BY run_id
), run_rows AS (
  SELECT {", ".join(columns)}, {first}, model, {list_cost} AS list_cost FROM by_run WHERE model = last_model
  UNION ALL
  SELECT {", ".join("r." + c for c in columns)}, r.{first}, m.model, m.list_cost
  FROM by_run AS r JOIN several_models AS m ON m.run_id = r.run_id
), runs AS (
  SELECT *, COALESCE({RUN_KEYS[by]}, '(none)') AS grp FROM (SELECT *, {pricing.offer_sql()} AS candidate FROM run_rows) AS r
), tasks AS (
  SELECT grp, task_id, COUNT(*) AS runs, BOOL_OR(success) AS success,
         CASE WHEN COUNT(cost) = COUNT(*) THEN SUM(cost) END AS cost,
         CASE WHEN COUNT(list_cost) = COUNT(*) THEN SUM(list_cost) END AS list_cost
  FROM runs GROUP BY grp, task_id
)"""


def percentile_sql(q: Fraction, upto: str, total: str) -> str:
    """Whether a value whose cumulative count is `upto` of `total` reaches quantile `q`: the first value that does
    is the discrete quantile (as QUANTILE_DISC and PERCENTILE_DISC take it), in whole numbers on any engine."""
    return f"{q.denominator} * {upto} >= {q.numerator} * {total}"


QUANTILES = {"p50": Fraction(1, 2), "p95": Fraction(19, 20)}


def _tally(source: str, keys: str) -> str:
    """How many rows of `source` have each count of each kind of token, per `keys` (one grouping per kind: cheaper
    than one over the rows repeated per kind)."""
    return "\n  UNION ALL ".join(f"SELECT {keys}, {i} AS kind, {k} AS value, COUNT(*) AS n FROM ({source}) AS s{i} "
                                f"GROUP BY {keys}, {k}" for i, k in enumerate(KINDS))


def summary_sql(pricing: Pricing, by: str = "model", since: str | None = None) -> str:
    """One row per group: the sums, counts and percentiles `summarise` turns into the summary. Its result, run in
    any warehouse and saved as CSV, is what `tco runs summary --aggregated` reads. Every percentile is exact: those
    of tokens per call are read off a tally of each count's calls (by each call's own key, corrected for the runs
    whose calls disagree on it; as much memory as there are distinct counts, which repeat a lot), the others from
    the runs and tasks."""
    sums = ", ".join(f"SUM({k}) AS {k}_sum" for k in KINDS)
    kinds = ", ".join(KINDS)
    token_pcts = ",\n         ".join(
        f"MIN(CASE WHEN kind = {i} AND {percentile_sql(q, 'upto', 'total')} THEN value END) AS {k}_{name}"
        for i, k in enumerate(KINDS) for name, q in QUANTILES.items())
    own = CALL_KEYS[by]
    own_grp = f"COALESCE({pricing.offer_sql('own') if by == 'candidate' else 'CAST(own AS VARCHAR)'}, '(none)')"
    return f"""WITH {_runs_cte(pricing, since, by)},
run_stats AS (
  SELECT grp, COUNT(*) AS runs, SUM(CASE WHEN success IS NOT NULL THEN 1 ELSE 0 END) AS runs_with_outcome,
         SUM(CASE WHEN success THEN 1 ELSE 0 END) AS successful_runs,
         SUM(first_calls) AS first_calls,
         QUANTILE_DISC(calls, 0.5) AS calls_per_run_p50, QUANTILE_DISC(calls, 0.95) AS calls_per_run_p95,
         COUNT(cost) AS costed_runs, SUM(cost) AS run_cost_sum,
         COUNT(list_cost) AS listed_runs, SUM(list_cost) AS run_list_cost_sum,
         MIN(first_at) AS first_at, MAX(last_at) AS last_at,
         SUM(calls) AS calls, SUM(retry_calls) AS retry_calls, SUM(calls_with_attempt) AS calls_with_attempt, {sums}
  FROM runs GROUP BY grp
), own_calls AS (
  SELECT {own} AS own, {kinds} FROM calls {_where(since)}
), own_tally AS (
  {_tally("SELECT * FROM own_calls", "own")}
), mixed_calls AS (
  SELECT {own} AS own, r.grp, {", ".join("c." + k for k in KINDS)}
  FROM calls AS c JOIN (SELECT run_id, grp FROM runs WHERE mixed) AS r ON r.run_id = c.run_id {_where(since)}
), mixed_tally AS (
  {_tally("SELECT * FROM mixed_calls", "own, grp")}
), tally AS (
  SELECT grp, kind, value, SUM(n) AS n FROM (
    SELECT {own_grp} AS grp, kind, value, n FROM own_tally
    UNION ALL SELECT {own_grp} AS grp, kind, value, -n FROM mixed_tally
    UNION ALL SELECT grp, kind, value, n FROM mixed_tally) AS t
  GROUP BY grp, kind, value HAVING SUM(n) > 0
), cumulative AS (
  SELECT grp, kind, value, SUM(n) OVER (PARTITION BY grp, kind ORDER BY value NULLS FIRST ROWS UNBOUNDED PRECEDING) AS upto,
         SUM(n) OVER (PARTITION BY grp, kind) AS total
  FROM tally WHERE value IS NOT NULL
), call_stats AS (
  SELECT grp, {token_pcts}
  FROM cumulative GROUP BY grp
), task_stats AS (
  SELECT grp, COUNT(*) AS tasks, MAX(runs) AS max_runs_per_task,
         SUM(CASE WHEN success IS NOT NULL THEN 1 ELSE 0 END) AS tasks_with_outcome,
         SUM(CASE WHEN success THEN 1 ELSE 0 END) AS successful_tasks,
         COUNT(cost) AS costed_tasks, SUM(cost) AS task_cost_sum,
         SUM(CASE WHEN success AND cost IS NOT NULL THEN 1 ELSE 0 END) AS costed_successful_tasks,
         QUANTILE_DISC(cost, 0.5) AS task_cost_p50, QUANTILE_DISC(cost, 0.95) AS task_cost_p95,
         COUNT(list_cost) AS listed_tasks, SUM(list_cost) AS task_list_cost_sum,
         SUM(CASE WHEN success AND list_cost IS NOT NULL THEN 1 ELSE 0 END) AS listed_successful_tasks,
         QUANTILE_DISC(list_cost, 0.5) AS task_list_cost_p50, QUANTILE_DISC(list_cost, 0.95) AS task_list_cost_p95
  FROM tasks GROUP BY grp
)
SELECT * FROM run_stats LEFT JOIN call_stats USING (grp) JOIN task_stats USING (grp) ORDER BY grp"""


def reprice_sql(pricing: Pricing, offers: list[OfferRef], since: str | None = None) -> str:
    """One row: for the records' own bill and each offer, the total and per-task percentiles over every task."""
    tiers = ", ".join(f"{pricing.reprice_tier_sql(ref)} AS t{i}" for i, ref in enumerate(offers))
    tier_names = ", ".join(f"t{i}" for i in range(len(offers)))
    costs = ", ".join(f"{pricing.reprice_cost_sql(ref, f't{i}')} AS o{i}" for i, ref in enumerate(offers))
    sums = ", ".join(f"SUM(o{i}) AS o{i}" for i in range(len(offers)))
    tokens = ", ".join(f"SUM({k}) AS {k}" for k in KINDS)
    stats = ",\n       ".join(
        f"SUM({c}) AS {c}_sum, QUANTILE_DISC({c}, 0.5) AS {c}_p50, QUANTILE_DISC({c}, 0.95) AS {c}_p95"
        for c in ["cost", *(f"o{i}" for i in range(len(offers)))])
    return f"""WITH tiered AS (SELECT *, {tiers} FROM calls {_where(since)}),
per_tier AS (
  SELECT run_id, model, {tier_names}, MIN(task_id) AS task_id, BOOL_OR(success) AS success, COUNT(*) AS calls,
         COUNT(cost) AS costed_calls, SUM(cost) AS cost, {tokens}
  FROM tiered GROUP BY run_id, model, {tier_names}
), priced AS (SELECT *, {costs} FROM per_tier),
runs AS (
  SELECT run_id, MIN(task_id) AS task_id, BOOL_OR(success) AS success,
         CASE WHEN SUM(costed_calls) = SUM(calls) THEN SUM(cost) END AS cost, {sums}
  FROM priced GROUP BY run_id
), tasks AS (
  SELECT task_id, COUNT(*) AS runs, BOOL_OR(success) AS success,
         CASE WHEN COUNT(cost) = COUNT(*) THEN SUM(cost) END AS cost, {sums}
  FROM runs GROUP BY task_id
)
SELECT COUNT(*) AS tasks, SUM(runs) AS runs, SUM(CASE WHEN success THEN 1 ELSE 0 END) AS successful_tasks,
       SUM(CASE WHEN success IS NOT NULL THEN 1 ELSE 0 END) AS tasks_with_outcome,
       COUNT(cost) AS costed_tasks, SUM(CASE WHEN success AND cost IS NOT NULL THEN 1 ELSE 0 END) AS costed_successful_tasks,
       SUM(CASE WHEN cost IS NOT NULL THEN runs ELSE 0 END) AS costed_runs,
       {stats}
FROM tasks"""


def calibrate_sql(pricing: Pricing, since: str | None = None) -> str:
    """Per candidate: the counts `calibrate` needs, and each run's calls and tokens per call for their spread."""
    spread = ", ".join(["STDDEV_SAMP(first_calls) AS calls_sd",
                        *(f"STDDEV_SAMP(CAST({k} AS DOUBLE) / calls) AS {k}_sd" for k in KINDS)])
    return f"""WITH {_runs_cte(pricing, since, "candidate")}
SELECT grp, COUNT(*) AS runs, COUNT(DISTINCT task_id) AS tasks,
       SUM(CASE WHEN success IS NOT NULL THEN 1 ELSE 0 END) AS runs_with_outcome,
       SUM(CASE WHEN success THEN 1 ELSE 0 END) AS successful_runs,
       SUM(calls) AS calls, SUM(first_calls) AS first_calls,
       SUM(retry_calls) AS retry_calls, SUM(calls_with_attempt) AS calls_with_attempt,
       (SELECT MAX(t.runs) FROM tasks AS t WHERE t.grp = runs.grp) AS max_runs,
       {", ".join(f"SUM({k}) AS {k}_sum" for k in KINDS)},
       {spread},
       LIST(first_calls ORDER BY run_id) AS calls_list,
       MIN(first_at) AS first_at, MAX(last_at) AS last_at
FROM runs GROUP BY grp ORDER BY grp"""


def totals_sql(since: str | None = None) -> str:
    """Calls, runs and distinct tasks, and the first and last call."""
    return (f"SELECT COUNT(*) AS calls, COUNT(DISTINCT run_id) AS runs, COUNT(DISTINCT task_id) AS tasks, "
            f"MIN(timestamp) AS first_at, MAX(timestamp) AS last_at FROM calls {_where(since)}")


def paired_sql(pricing: Pricing, since: str | None = None) -> str:
    """One row per (candidate, task): its cost (as billed where every call carries one, else at list price) and
    whether it succeeded."""
    return f"""WITH {_runs_cte(pricing, since, "candidate")}
SELECT grp AS candidate, task_id, COALESCE(cost, list_cost) AS cost, success,
       CASE WHEN cost IS NOT NULL THEN 'billed' WHEN list_cost IS NOT NULL THEN 'list price' END AS basis
FROM tasks ORDER BY candidate, task_id"""


def transpile(sql: str, dialect: str) -> str:
    """The query in a warehouse's dialect."""
    import sqlglot

    if dialect not in DIALECTS:
        raise TcoError(f"--sql: unknown dialect {dialect!r}; expected one of {', '.join(DIALECTS)}{nearest(dialect, DIALECTS)}")
    note = ""
    if dialect == "bigquery":  # BigQuery has PERCENTILE_DISC only as a window function
        sql, note = sql.replace("QUANTILE_DISC(", "APPROX_QUANTILE("), ("-- P50 and P95 of cost and of calls per "
                                                                  "run are BigQuery's APPROX_QUANTILES\n")
    return note + sqlglot.transpile(sql, read="duckdb", write=dialect, pretty=True)[0] + ";\n"


# -- statistics -------------------------------------------------------------------------------------------------

def wilson(successes: int, trials: int) -> tuple[Decimal, Decimal] | None:
    """The 95% Wilson score interval of a success rate."""
    if trials == 0:
        return None
    n, p, z = Decimal(trials), Decimal(successes) / Decimal(trials), Z95
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * ((p * (1 - p) / n + z * z / (4 * n * n)).sqrt()) / (1 + z * z / n)
    return max(Decimal(0), centre - half), min(Decimal(1), centre + half)


def ratio(a: Any, b: Any) -> Decimal | None:
    """a / b as a Decimal, or None where either is missing or b is zero."""
    if a is None or b in (None, 0):
        return None
    return Decimal(a) / Decimal(b)


@dataclass(frozen=True)
class Paired:
    """Candidate `b` against `a` on the tasks both ran."""

    a: str
    b: str
    shared_tasks: int
    cost_per_success: tuple[Decimal | None, Decimal | None]
    success_rate: tuple[Decimal, Decimal]
    cost_difference: Decimal | None
    """b − a, cost per successful task."""
    cost_interval: tuple[Decimal, Decimal] | None
    """The 95% bootstrap interval of `cost_difference` (from floats: exact to the float's shortest repr)."""
    success_difference: Decimal
    success_interval: tuple[Decimal, Decimal] | None
    resamples: int


def _from_float(x: Any) -> Decimal:
    """A bootstrap interval's end to 6 significant figures: an estimate, not a bill (no float noise in its digits)."""
    return Decimal(f"{float(x):.6g}")


def paired_bootstrap(a: str, b: str, rows_a: dict[str, tuple[Decimal, bool]], rows_b: dict[str, tuple[Decimal, bool]],
                     resamples: int = 2000, seed: int = 0) -> Paired:
    """Differences b − a in cost per successful task and in success rate on their shared tasks, each with a 95%
    paired bootstrap interval (shared tasks resampled with replacement, the same draw for both)."""
    import numpy as np

    shared = sorted(set(rows_a) & set(rows_b))
    n = len(shared)
    ca = [rows_a[t][0] for t in shared]
    cb = [rows_b[t][0] for t in shared]
    sa = [rows_a[t][1] for t in shared]
    sb = [rows_b[t][1] for t in shared]
    cps_a, cps_b = ratio(sum(ca, Decimal(0)), sum(sa)), ratio(sum(cb, Decimal(0)), sum(sb))
    rate_a = Decimal(sum(sa)) / n if n else Decimal(0)
    rate_b = Decimal(sum(sb)) / n if n else Decimal(0)
    cost_diff = None if cps_a is None or cps_b is None else cps_b - cps_a
    cost_iv = success_iv = None
    if n >= 2:
        rng = np.random.default_rng(seed)
        fa, fb = np.array(ca, dtype=float), np.array(cb, dtype=float)
        ia, ib = np.array(sa, dtype=float), np.array(sb, dtype=float)
        cost_d, rate_d = [], []
        chunk = max(1, min(resamples, 5_000_000 // n))
        for start in range(0, resamples, chunk):
            k = min(chunk, resamples - start)
            idx = rng.integers(0, n, size=(k, n))
            succ_a, succ_b = ia[idx].sum(axis=1), ib[idx].sum(axis=1)
            with np.errstate(divide="ignore", invalid="ignore"):
                cost_d.append(fb[idx].sum(axis=1) / succ_b - fa[idx].sum(axis=1) / succ_a)
            rate_d.append((succ_b - succ_a) / n)
        cd, rd = np.concatenate(cost_d), np.concatenate(rate_d)
        cd = cd[np.isfinite(cd)]
        if cost_diff is not None and len(cd) >= 0.9 * resamples:
            cost_iv = (_from_float(np.percentile(cd, 2.5)), _from_float(np.percentile(cd, 97.5)))
        success_iv = (_from_float(np.percentile(rd, 2.5)), _from_float(np.percentile(rd, 97.5)))
    return Paired(a, b, n, (cps_a, cps_b), (rate_a, rate_b), cost_diff, cost_iv, rate_b - rate_a, success_iv, resamples)


# -- results ----------------------------------------------------------------------------------------------------

def number(value: Any) -> Decimal | None:
    """A query result's number (from DuckDB, or text from a CSV of the query's result) as a Decimal."""
    if value is None or value == "":
        return None
    if isinstance(value, float):
        return Decimal(repr(value))
    return Decimal(str(value))


def count(value: Any) -> int:
    n = number(value)
    return 0 if n is None else int(n)


def text(value: Any) -> str | None:
    if value is None or value == "":
        return None
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def _s(value: Decimal | None) -> str | None:
    return None if value is None else f"{value.normalize():f}" if value == value.to_integral() else f"{value:f}"


def _stats(total: Any, n: int, p50: Any, p95: Any, places: str | None = None) -> dict[str, str | None]:
    mean = ratio(number(total), n)
    if mean is not None and places:
        mean = mean.quantize(Decimal(places))
    return {"mean": _s(mean), "p50": _s(number(p50)), "p95": _s(number(p95))}


def _costs(row: dict[str, Any], prefix: str, n_runs: str, n_tasks: str, n_success: str) -> dict[str, Any] | None:
    """Cost per run, per task and per successful task, over the runs and tasks whose every call is priced."""
    tasks = count(row[n_tasks])
    if not tasks:
        return None
    total = number(row[f"task_{prefix}_sum"]) or Decimal(0)
    return {"tasks": tasks, "runs": count(row[n_runs]), "total": _s(total),
            "per_run": _s(ratio(number(row[f"run_{prefix}_sum"]), count(row[n_runs]))),
            "per_task": _s(ratio(total, tasks)),
            "per_successful_task": _s(ratio(total, count(row[n_success]))),
            "per_task_p50": _s(number(row[f"task_{prefix}_p50"])), "per_task_p95": _s(number(row[f"task_{prefix}_p95"]))}


def summarise(row: dict[str, Any]) -> dict[str, Any]:
    """One group of the summary from one row of `summary_sql`'s result."""
    row = {k.lower(): v for k, v in row.items()}
    runs, calls = count(row["runs"]), count(row["calls"])
    trials, wins = count(row["runs_with_outcome"]), count(row["successful_runs"])
    interval = wilson(wins, trials)
    attempts = count(row["calls_with_attempt"])
    inputs = number(row["input_tokens_sum"]) or Decimal(0)
    return {
        "group": text(row["grp"]), "runs": runs, "tasks": count(row["tasks"]), "calls": calls,
        "runs_with_outcome": trials, "successful_runs": wins, "successful_tasks": count(row["successful_tasks"]),
        "success_rate": _s(ratio(wins, trials)),
        "success_rate_95": None if interval is None else [_s(interval[0].quantize(Decimal("0.0001"))),
                                                           _s(interval[1].quantize(Decimal("0.0001")))],
        "calls_per_run": _stats(calls, runs, row["calls_per_run_p50"], row["calls_per_run_p95"], "0.01"),
        "tokens_per_call": {k: _stats(row[f"{k}_sum"], calls, row[f"{k}_p50"], row[f"{k}_p95"], "0.01") for k in KINDS},
        "cache_share": _s(None if not inputs else (number(row["cached_input_tokens_sum"]) / inputs).quantize(Decimal("0.0001"))),
        "retry_share": _s(None if not attempts else (Decimal(count(row["retry_calls"])) / attempts).quantize(Decimal("0.0001"))),
        "max_runs_per_task": count(row["max_runs_per_task"]),
        "billed": _costs(row, "cost", "costed_runs", "costed_tasks", "costed_successful_tasks"),
        "list_price": _costs(row, "list_cost", "listed_runs", "listed_tasks", "listed_successful_tasks"),
        "first_at": text(row["first_at"]), "last_at": text(row["last_at"]),
    }


def repriced(row: dict[str, Any], offers: list[OfferRef]) -> dict[str, Any]:
    """`reprice_sql`'s one row as what the runs cost as billed and on each offer."""
    row = {k.lower(): v for k, v in row.items()}
    tasks, runs, wins = count(row["tasks"]), count(row["runs"]), count(row["successful_tasks"])

    def line(column: str, offer: str, tokenizer: str | None, n_tasks: int, n_runs: int, n_wins: int) -> dict[str, Any]:
        total = number(row[f"{column}_sum"])
        return {"offer": offer, "tokenizer": tokenizer, "tasks": n_tasks, "runs": n_runs, "total": _s(total),
                "per_run": _s(ratio(total, n_runs)), "per_task": _s(ratio(total, n_tasks)),
                "per_successful_task": _s(ratio(total, n_wins)),
                "per_task_p50": _s(number(row[f"{column}_p50"])), "per_task_p95": _s(number(row[f"{column}_p95"]))}

    lines = []
    if count(row["costed_tasks"]):
        lines.append(line("cost", "(as billed)", None, count(row["costed_tasks"]), count(row["costed_runs"]),
                          count(row["costed_successful_tasks"])))
    for i, ref in enumerate(offers):
        lines.append(line(f"o{i}", ref.id, ref.offer.tokenizer, tasks, runs, wins))  # type: ignore[union-attr]
    return {"tasks": tasks, "runs": runs, "successful_tasks": wins, "tasks_with_outcome": count(row["tasks_with_outcome"]),
            "offers": lines}


# -- calibration ------------------------------------------------------------------------------------------------

LISTED_RUNS = 30
"""Up to this many runs, calls per run are written as the observed list; past it, as mean and spread."""


@dataclass(frozen=True)
class Entry:
    """One number of a calibrated workload and the evidence behind it."""

    key: str
    value: Any
    comment: str


@dataclass(frozen=True)
class Calibration:
    tasks: Entry
    tokenizer: Entry
    task: list[Entry]
    candidates: list[tuple[str, Entry, list[Entry]]]
    """(offer id, success_rate, task overrides)."""
    evidence: dict[str, Any]
    left_out: list[str]


def _round(value: Decimal, places: str) -> Decimal:
    return value.quantize(Decimal(places)).normalize() if value else Decimal(0)


def _spread(mean: Decimal, sd: Any, places: str) -> Any:
    """`{mean, sd}` where runs differ, else the mean itself."""
    sd = number(sd)
    if sd is None or _round(sd, places) == 0:
        return _round(mean, places)
    return {"mean": _round(mean, places), "sd": _round(sd, places)}


def _task_entries(row: dict[str, Any], scale: Decimal, where: str) -> list[Entry]:
    """A candidate's task numbers from its runs; token counts × `scale` into the workload's tokenizer."""
    runs, calls, first = count(row["runs"]), count(row["calls"]), count(row["first_calls"])
    listed = row["calls_list"]
    if runs <= LISTED_RUNS and isinstance(listed, list) and len(set(listed)) > 1:
        call_value: Any = [int(v) for v in listed]
        call_note = f"calls per run, each of {runs} runs (first tries; retries are format_retry_rate)"
    else:
        call_value = _spread(Decimal(first) / runs, row["calls_sd"], "0.01")
        call_note = f"mean{' and spread' if isinstance(call_value, dict) else ''} of first-try calls per run over {runs:,} runs"
    entries = [Entry("calls", call_value, f"{call_note}, {where}")]
    inputs = number(row["input_tokens_sum"]) or Decimal(0)
    for k in ("input_tokens", "cache_write_tokens", "output_tokens", "reasoning_tokens"):
        mean = (number(row[f"{k}_sum"]) or Decimal(0)) * scale / calls
        sd = number(row[f"{k}_sd"])
        value = _spread(mean, None if sd is None else sd * scale, "0.1")
        if k != "input_tokens" and value == 0:
            continue
        spread_note = ", sd across runs' averages" if isinstance(value, dict) else ""
        converted = f", converted to the workload's tokenizer (×{_round(scale, '0.0001')})" if scale != 1 else ""
        entries.append(Entry(k, value, f"mean per call over {calls:,} calls{spread_note}{converted}, {where}"))
        if k == "input_tokens" and inputs:
            share = _round((number(row["cached_input_tokens_sum"]) or Decimal(0)) / inputs, "0.0001")
            if share:
                entries.append(Entry("cached_input_share", share, f"cached ÷ all input tokens over {calls:,} calls, {where}"))
    if count(row["max_runs"]) > 1:
        entries.append(Entry("max_attempts", count(row["max_runs"]), f"the most runs any task had, {where}"))
    retries = count(row.get("retry_calls"))
    with_attempt = count(row.get("calls_with_attempt"))
    if with_attempt and retries:
        entries.append(Entry("format_retry_rate", _round(Decimal(retries) / with_attempt, "0.0001"),
                             f"{retries:,} repeated calls (attempt > 1) of {with_attempt:,}, {where}"))
    return entries


def calibration(rows: list[dict[str, Any]], totals: dict[str, Any], files: list[str], pricing: Pricing,
                tasks: Decimal | None = None) -> Calibration:
    """A workload's numbers from `calibrate_sql` rows: the most-run candidate's task numbers for the workload, each
    other candidate's as its overrides, and each candidate's success rate as {successes, trials}."""
    usable, left_out = [], []
    for row in rows:
        ref = pricing.selection.find(str(row["grp"]))
        if ref is None or not isinstance(ref.offer, PerTokenOffer):
            left_out.append(f"{row['grp']}: no per-token offer in the price books for this model")
        elif not count(row["runs_with_outcome"]):
            left_out.append(f"{row['grp']}: no run records success, so there is no success rate")
        else:
            usable.append((ref, row))
    if not usable:
        raise TcoError("calibrate: no candidate to write: " + "; ".join(left_out))
    usable.sort(key=lambda p: (-count(p[1]["runs"]), p[0].id))
    first_at, last_at = text(totals["first_at"]) or "", text(totals["last_at"]) or ""
    n_tasks, n_runs, n_calls = count(totals["tasks"]), count(totals["runs"]), count(totals["calls"])
    span = f"{first_at[:10]} to {last_at[:10]}" if first_at else ""
    where = f"{', '.join(files)}{', ' + span if span else ''}"
    if tasks is not None:
        tasks_entry = Entry("tasks", tasks, "given with --tasks")
    else:
        import datetime as dt

        from tco.models.workload import HOURS_PER_PERIOD

        if not span:
            raise TcoError("calibrate: the records carry no timestamps, so tasks per month are unknown; give --tasks N")
        hours = Decimal((dt.datetime.fromisoformat(last_at) - dt.datetime.fromisoformat(first_at)).total_seconds()) / 3600
        if hours < 1:
            raise TcoError(f"calibrate: the records span {hours * 60:.0f} minutes, too short to say tasks per month; give --tasks N")
        tasks_entry = Entry("tasks", _round(n_tasks * HOURS_PER_PERIOD["month"] / hours, "1"),
                            f"{n_tasks:,} tasks in {_round(hours, '0.1')} hours ({span}), scaled to a month of 730 hours")
    lead = usable[0][0]
    tokenizer = lead.offer.tokenizer  # type: ignore[union-attr]
    task = _task_entries(usable[0][1], Decimal(1), f"{lead.id}, {where}")
    candidates = []
    for ref, row in usable:
        wins, trials = count(row["successful_runs"]), count(row["runs_with_outcome"])
        rate = Entry("success_rate", {"successes": wins, "trials": trials},
                     f"{wins:,} successful runs of {trials:,} with an outcome, {where}")
        scale = pricing.ratio(ref.offer.tokenizer, tokenizer)  # type: ignore[union-attr]
        overrides = [] if ref is lead else _task_entries(row, scale, f"{ref.id}, {where}")
        candidates.append((ref.id, rate, overrides))
    evidence = {"files": files, "calls": n_calls, "runs": n_runs, "tasks": n_tasks,
                "first_day": first_at[:10] if span else None, "last_day": last_at[:10] if span else None}
    return Calibration(tasks_entry, Entry("tokenizer", tokenizer, f"the tokenizer of {lead.id}, whose counts these are"),
                       task, candidates, evidence, left_out)
