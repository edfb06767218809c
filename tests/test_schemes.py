"""Each billing scheme against a hand calculation, run through `tco compare --format json`.

Every expected figure is worked out in the comment beside it from DESIGN.md (the cost model) and the
price-book fields of ACME below, never by calling tco's engine. Token prices are per million tokens, so
"1500 × $2" in a comment means 1500 tokens at $2/M = 3000 µ$ = $0.003.
"""

import json
import shutil

import pytest

from tests.conftest import FIXTURES

SOURCE = "source_urls: [https://example.com/test], retrieved: 2026-01-01"
SOURCE_LINES = SOURCE.replace(", ", "\n        ")

ACME = f"""\
    # yaml-language-server: $schema=../../../pricebooks/pricebook.schema.json
    # A test vendor with one offer per rule under test.
    vendor: acme
    version: 2026-01-01
    currency: USD
    offers:
      wide:
        {{scheme: per_token, name: Wide, tokenizer: wide, rates: {{input_mtok: 2, output_mtok: 10}}, {SOURCE}}}
      std:
        scheme: per_token
        name: Standard
        tokenizer: o200k
        rates: {{input_mtok: 2, output_mtok: 10}}
        service_tiers:
          batch: {{input_mtok: 1, output_mtok: 5}}
        {SOURCE_LINES}
      timed:
        scheme: per_token
        name: Time of day
        tokenizer: o200k
        rates: {{input_mtok: 2, output_mtok: 10}}
        service_tiers:
          batch: {{input_mtok: 1, output_mtok: 5}}
          off_peak: {{input_mtok: 0.5, output_mtok: 4}}
        {SOURCE_LINES}
      free-writes:
        {{scheme: per_token, name: Free cache writes, tokenizer: o200k,
         rates: {{input_mtok: 2, cache_write_mtok: 0, output_mtok: 10}}, {SOURCE}}}
      cachey:
        scheme: per_token
        name: Cachey
        tokenizer: o200k
        rates: {{input_mtok: 3, cached_input_mtok: 0.30, cache_write_mtok: 3.75, cache_write_1h_mtok: 6, output_mtok: 15}}
        {SOURCE_LINES}
      thinker:
        {{scheme: per_token, name: Thinker, tokenizer: o200k,
         rates: {{input_mtok: 1, output_mtok: 10, reasoning_mtok: 4}}, {SOURCE}}}
      whole:
        scheme: per_token
        name: Whole-request long context
        tokenizer: o200k
        rates: {{input_mtok: 1, output_mtok: 5}}
        context_tiers:
          - {{above_input_tokens: 1000, rule: whole_request, rates: {{input_mtok: 2, output_mtok: 7.5}}}}
        {SOURCE_LINES}
      marginal:
        scheme: per_token
        name: Marginal long context
        tokenizer: o200k
        rates: {{input_mtok: 1, output_mtok: 5}}
        context_tiers:
          - {{above_input_tokens: 1000, rule: marginal, rates: {{input_mtok: 2, output_mtok: 7.5}}}}
        {SOURCE_LINES}
      premium-seat:
        scheme: seat
        name: Seat with premium requests
        seat_month: {{monthly: 19}}
        allowance: {{unit: request, per_seat_month: 300}}
        overage_per_unit: 0.04
        model_multipliers: {{acme/thinker: 3, acme/std: 1}}
        {SOURCE_LINES}
      usage-seat:
        scheme: seat
        name: Seat with dollars of API-rate usage
        seat_month: {{monthly: 20}}
        allowance: {{unit: usd, per_seat_month: 20}}
        overage_per_unit: 1
        {SOURCE_LINES}
      team-seat:
        {{scheme: seat, name: Team, seat_month: {{monthly: 30, annual: 25}}, min_seats: 5, {SOURCE}}}
      flat-seat:
        {{scheme: seat, name: Unlimited, seat_month: {{monthly: 125}}, usage_limits: none, {SOURCE}}}
      flex-credits:
        scheme: credit
        name: Flex credits
        price_per_credit: 0.01
        packs: [{{credits: 100000, price: 500}}]
        credits_per: {{action: 20}}
        included_credits_month: 50000
        {SOURCE_LINES}
      resolution-credits:
        {{scheme: credit, name: Credits per resolution, price_per_credit: 0.01, credits_per: {{resolution: 50}}, {SOURCE}}}
      fin-like:
        scheme: per_resolution
        name: Resolutions, assumed ones too
        per_resolution: 0.99
        counts: confirmed_and_assumed
        platform_fee_month: 49
        included_resolutions_month: 200
        {SOURCE_LINES}
      verified:
        {{scheme: per_resolution, name: Verified resolutions, per_resolution: 1.5, counts: confirmed_only, {SOURCE}}}
      outcomes:
        scheme: per_resolution
        name: Resolutions and other outcomes
        per_resolution: 0.99
        counts: confirmed_and_assumed
        other_outcomes:
          procedure_handoff: {{fee: 0.99, task_done: false}}
          qualification: {{fee: 9.99, task_done: true}}
          disqualification: {{fee: 0.99, task_done: true}}
        {SOURCE_LINES}
      chat:
        {{scheme: per_conversation, name: Conversations, per_conversation: 2, per_action: 0.10, {SOURCE}}}
      ptu:
        scheme: provisioned
        name: Provisioned, 15 units then fives
        tokenizer: o200k
        terms: {{hourly: {{unit_hour: 1}}, month: {{unit_month: 260}}}}
        min_units: 15
        unit_increment: 5
        throughput: {{tokens_per_minute_per_unit: 1000, weights: {{input: 1, cached_input: 0, output: 4}}}}
        spillover_offer: acme/std
        {SOURCE_LINES}
      reserved:
        scheme: provisioned
        name: Provisioned, any number of units
        tokenizer: o200k
        terms: {{month: {{unit_month: 100}}}}
        throughput: {{tokens_per_minute_per_unit: 1000, weights: {{input: 1, cached_input: 0, output: 4}}}}
        spillover_offer: acme/std
        {SOURCE_LINES}
"""

HUMAN = "{hourly_cost: 60, review_minutes: 1, task_minutes: 10}"
"""$1 of review per attempt; a person doing the task costs $10."""


@pytest.fixture
def compare(tco, write, tmp_path):
    """`compare(WORKLOAD_YAML)` → the JSON results by candidate name, on the acme book and the fixture tokenizers."""
    books = tmp_path / "books"
    write("books/acme/2026-01-01.yaml", ACME)
    shutil.copy(FIXTURES / "pricebooks" / "tokenizers.yaml", books / "tokenizers.yaml")

    def run(workload: str) -> dict[str, dict]:
        path = write("workload.yaml", workload)
        result = tco("compare", str(path), "--pricebooks", str(books), "--as-of", "2026-06-01", "--format", "json")
        assert result.code == 0, result.err
        return {r["candidate"]: r for r in json.loads(result.out)["results"]}

    return run


# --- per_token -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "ratio", "call_charge"),
    [
        # wide makes 1.5× the prose tokens of o200k: 1000 in → 1500, 100 out → 150.
        # 1500 × $2 + 150 × $10 = 3000 + 1500 µ$ = $0.0045
        ("prose", "1.5", "0.0045"),
        # and 2× the code tokens: 2000 × $2 + 200 × $10 = 4000 + 2000 µ$ = $0.006
        ("code", "2", "0.006"),
    ],
)
def test_token_counts_are_converted_to_the_offers_tokenizer(compare, content, ratio, call_charge):
    r = compare(f"""
        workload: tokenizer
        tasks: 1000
        tokenizer: o200k
        content: {content}
        task: {{calls: 1, input_tokens: 1000, output_tokens: 100}}
        human: {HUMAN}
        candidates:
          - {{offer: acme/wide, success_rate: 0.8}}
    """)["acme/wide"]
    assert r["breakdown"]["tokenizer_ratio"] == ratio
    assert r["breakdown"]["call_charge"] == call_charge


def test_cache_writes_are_priced_by_their_lifetime(compare):
    results = compare(f"""
        workload: cache
        tasks: 1000
        task: {{calls: 1, input_tokens: 10000, cached_input_share: 0.8, cache_write_tokens: 2000, output_tokens: 100}}
        human: {HUMAN}
        candidates:
          - {{offer: acme/cachey, label: 5m, success_rate: 0.8}}
          - {{offer: acme/cachey, label: 1h, success_rate: 0.8, task: {{cache_write_ttl: 1h}}}}
    """)
    # uncached 10000 × 0.2 = 2000 × $3    = 6000 µ$
    # cached   10000 × 0.8 = 8000 × $0.30 = 2400 µ$
    # output                  100 × $15   = 1500 µ$
    # 5m write               2000 × $3.75 = 7500 µ$  → 17400 µ$ = $0.0174
    # 1h write               2000 × $6    = 12000 µ$ → 21900 µ$ = $0.0219
    five, hour = results["5m"]["breakdown"], results["1h"]["breakdown"]
    assert five["call_charge_by_kind"]["cache_write"] == "0.0075"
    assert five["call_charge"] == "0.0174"
    assert hour["call_charge_by_kind"]["cache_write"] == "0.012"
    assert hour["call_charge"] == "0.0219"


def test_reasoning_is_billed_at_its_own_rate_or_else_as_output(compare):
    results = compare(f"""
        workload: reasoning
        tasks: 1000
        task: {{calls: 1, input_tokens: 1000, output_tokens: 100, reasoning_tokens: 500}}
        human: {HUMAN}
        candidates:
          - {{offer: acme/thinker, success_rate: 0.8}}
          - {{offer: acme/std, success_rate: 0.8}}
    """)
    # thinker: 1000 × $1 + 100 × $10 + 500 × $4 (reasoning_mtok) = 1000 + 1000 + 2000 µ$ = $0.004
    thinker = results["acme/thinker"]["breakdown"]
    assert thinker["call_charge_by_kind"]["reasoning"] == "0.002"
    assert thinker["call_charge"] == "0.004"
    # std has no reasoning_mtok: 1000 × $2 + 100 × $10 + 500 × $10 = 2000 + 1000 + 5000 µ$ = $0.008
    std = results["acme/std"]["breakdown"]
    assert std["call_charge_by_kind"]["reasoning"] == "0.005"
    assert std["call_charge"] == "0.008"


def test_a_zero_cache_write_rate_is_a_price_not_a_missing_one(compare):
    r = compare(f"""
        workload: free cache writes
        tasks: 1000
        task: {{calls: 1, input_tokens: 1000, cache_write_tokens: 1000, output_tokens: 100}}
        human: {HUMAN}
        candidates:
          - {{offer: acme/free-writes, success_rate: 0.8}}
    """)["acme/free-writes"]
    # 1000 × $2 + 1000 written × $0 + 100 × $10 = 2000 + 0 + 1000 µ$ = $0.003 (tco bills the writes at $2: $0.005)
    assert r["breakdown"]["call_charge"] == "0.003"


def test_whole_request_tier_bills_every_token_at_the_tier_rate(compare):
    results = compare(f"""
        workload: long context
        tasks: 1000
        task: {{calls: 1, input_tokens: 1500, output_tokens: 100}}
        human: {HUMAN}
        candidates:
          - {{offer: acme/whole, label: over, success_rate: 0.8}}
          - {{offer: acme/whole, label: at threshold, success_rate: 0.8, task: {{input_tokens: 1000}}}}
    """)
    # 1500 > 1000: all of it at the tier, output too: 1500 × $2 + 100 × $7.50 = 3000 + 750 µ$ = $0.00375
    assert results["over"]["breakdown"]["call_charge"] == "0.00375"
    # 1000 is not above 1000: base rates, 1000 × $1 + 100 × $5 = 1500 µ$ = $0.0015
    assert results["at threshold"]["breakdown"]["call_charge"] == "0.0015"


def test_long_context_threshold_counts_cache_writes(compare):
    r = compare(f"""
        workload: long context with cache writes
        tasks: 1000
        task: {{calls: 1, input_tokens: 900, cache_write_tokens: 200, output_tokens: 100}}
        human: {HUMAN}
        candidates:
          - {{offer: acme/whole, success_rate: 0.8}}
    """)["acme/whole"]
    # prompt 900 + 200 = 1100 > 1000 → tier; the tier has no cache-write rate, so writes bill as tier input:
    # 900 × $2 + 200 × $2 + 100 × $7.50 = 1800 + 400 + 750 µ$ = $0.00295
    assert r["breakdown"]["call_charge"] == "0.00295"


def test_marginal_tier_bills_only_the_input_past_the_threshold(compare):
    r = compare(f"""
        workload: long context
        tasks: 1000
        task: {{calls: 1, input_tokens: 1500, output_tokens: 100}}
        human: {HUMAN}
        candidates:
          - {{offer: acme/marginal, success_rate: 0.8}}
    """)["acme/marginal"]
    # first 1000 × $1 + the 500 past it × $2 + output at the base rate 100 × $5 = 1000 + 1000 + 500 µ$ = $0.0025
    assert r["breakdown"]["call_charge_by_kind"]["input"] == "0.002"
    assert r["breakdown"]["call_charge"] == "0.0025"


def test_batch_share_is_billed_at_batch_rates(compare):
    r = compare(f"""
        workload: batch
        tasks: 1000
        task: {{calls: 1, input_tokens: 1000, output_tokens: 100, batch_share: 0.25}}
        human: {HUMAN}
        candidates:
          - {{offer: acme/std, success_rate: 0.8}}
    """)["acme/std"]
    # standard 1000 × $2 + 100 × $10 = $0.003; batch 1000 × $1 + 100 × $5 = $0.0015
    # 0.75 × 0.003 + 0.25 × 0.0015 = 0.00225 + 0.000375 = $0.002625
    assert r["breakdown"]["call_charge"] == "0.002625"


def test_off_peak_share_is_billed_at_off_peak_rates_beside_batch(compare):
    r = compare(f"""
        workload: time of day
        tasks: 1000
        task: {{calls: 1, input_tokens: 1000, output_tokens: 100, batch_share: 0.25, off_peak_share: 0.5}}
        human: {HUMAN}
        candidates:
          - {{offer: acme/timed, success_rate: 0.8}}
          - {{offer: acme/std, success_rate: 0.8}}
    """)
    # timed: standard $0.003, batch $0.0015, off-peak 1000 × $0.5 + 100 × $4 = $0.0009
    # 0.25 × 0.003 + 0.25 × 0.0015 + 0.5 × 0.0009 = 0.00075 + 0.000375 + 0.00045 = $0.001575
    assert r["acme/timed"]["breakdown"]["call_charge"] == "0.001575"
    # std sells no off-peak rates: its off-peak calls are billed at standard rates, as with no share at all
    assert r["acme/std"]["breakdown"]["call_charge"] == "0.002625"


def test_batch_and_off_peak_shares_above_one_are_an_error(tco, write, tmp_path):
    write("books/acme/2026-01-01.yaml", ACME)
    shutil.copy(FIXTURES / "pricebooks" / "tokenizers.yaml", tmp_path / "books" / "tokenizers.yaml")
    path = write("workload.yaml", f"""
        workload: too many shares
        tasks: 1000
        task: {{calls: 1, input_tokens: 1000, output_tokens: 100, batch_share: 0.6, off_peak_share: 0.5}}
        human: {HUMAN}
        candidates:
          - {{offer: acme/timed, success_rate: 0.8}}
          - {{offer: acme/std, success_rate: 0.8}}
    """)
    result = tco("compare", str(path), "--pricebooks", str(tmp_path / "books"), "--as-of", "2026-06-01")
    assert result.code == 2
    # at the workload's own task line, once, whether or not an offer sells off-peak rates
    [line] = result.err.splitlines()
    assert line.endswith("workload.yaml:4: task.off_peak_share: batch_share + off_peak_share is above 1: a call is billed "
                         "on one tier only")


def test_per_token_customer_pays_for_failed_attempts(compare):
    r = compare(f"""
        workload: per-token risk
        tasks: 1000
        task: {{calls: 1, input_tokens: 1100, output_tokens: 100, max_attempts: 2}}
        human: {HUMAN}
        candidates:
          - {{offer: acme/std, success_rate: 0.8}}
    """)["acme/std"]
    # A = 1100 × $2 + 100 × $10 = $0.0032;  E = (1 − 0.2²)/0.8 = 1.2;  S = 1 − 0.2² = 0.96
    # per_task = A·E = 0.00384;  success_adjusted = 0.00384 / 0.96 = 0.004
    # cost_per_completed_task = 0.00384 + 1.2 × $1 review + 0.04 × $10 = 1.60384
    # failure spend = 1000 × 0.0032 × (1.2 − 0.96) = 0.768
    assert r["per_task_cost"] == "0.00384"
    assert r["success_adjusted_cost"] == "0.004"
    assert r["cost_per_completed_task"] == "1.60384"
    assert r["period_cost"] == "3.84"
    assert r["risk"] == {"fixed_commitment": "0", "variable_spend": "3.84", "customer_failure_spend": "0.768",
                         "failure_bearer": "customer", "volume_bearer": "shared"}


# --- seat ----------------------------------------------------------------------------------------------


def test_seat_allowance_in_requests_times_multiplier_with_overage(compare):
    r = compare(f"""
        workload: premium requests
        tasks: 1000
        seats: 10
        task: {{calls: 1, input_tokens: 1000, output_tokens: 100, requests: 2, max_attempts: 2}}
        human: {HUMAN}
        candidates:
          - {{offer: acme/premium-seat, model: acme/thinker, success_rate: 0.8}}
    """)["acme/premium-seat"]
    # E = 1.2; requests = 1000 tasks × 1.2 × 2 requests × 3 (thinker's multiplier) = 7200
    # included = 10 seats × 300 = 3000; overage = (7200 − 3000) × $0.04 = $168
    # seats 10 × $19 = $190; period = 190 + 168 = $358; per task $0.358
    b = r["breakdown"]
    assert (b["usage"], b["included"], b["excess"], b["overage"]) == ("7200", "3000", "4200", "168")
    assert r["period_cost"] == "358"
    assert r["per_task_cost"] == "0.358"
    # failed attempts (E − S)/E = (1.2 − 0.96)/1.2 = 0.2 of the bill: 71.6
    # fixed 190 is more than half of 358: the customer carries a volume surprise
    assert r["risk"] == {"fixed_commitment": "190", "variable_spend": "168", "customer_failure_spend": "71.6",
                         "failure_bearer": "customer", "volume_bearer": "customer"}


def test_seat_allowance_in_api_rate_dollars(compare):
    r = compare(f"""
        workload: usage pool
        tasks: 10000
        seats: 3
        task: {{calls: 2, input_tokens: 1000, output_tokens: 100}}
        human: {HUMAN}
        candidates:
          - {{offer: acme/usage-seat, model: acme/wide, success_rate: 0.8}}
    """)["acme/usage-seat"]
    # at acme/wide's API rates (1.5× tokens): 1500 × $2 + 150 × $10 = $0.0045 a call, × 2 calls = $0.009 an attempt
    # usage = 10000 × 1 × 0.009 = $90; included 3 × $20 = $60; overage (90 − 60) × $1 = $30
    # period = 3 × $20 + $30 = $90; per task $0.009
    b = r["breakdown"]
    assert (b["api_usd_per_attempt"], b["usage"], b["included"], b["overage"]) == ("0.009", "90", "60", "30")
    assert r["period_cost"] == "90"
    assert r["per_task_cost"] == "0.009"
    assert (r["risk"]["failure_bearer"], r["risk"]["volume_bearer"]) == ("customer", "customer")


def test_seat_minimum_is_billed(compare):
    results = compare(f"""
        workload: small team
        tasks: 1000
        seats: 3
        task: {{calls: 1, input_tokens: 1000, output_tokens: 100}}
        human: {HUMAN}
        candidates:
          - {{offer: acme/team-seat, success_rate: 0.8}}
          - {{offer: acme/team-seat, label: annual, term: annual, success_rate: 0.8}}
    """)
    # 3 seats wanted, 5 the minimum: 5 × $30 = $150 monthly (the first term), 5 × $25 = $125 annual
    monthly, annual = results["acme/team-seat"], results["annual"]
    assert monthly["breakdown"]["seats_billed"] == 5
    assert monthly["period_cost"] == "150"
    assert monthly["per_task_cost"] == "0.15"
    assert annual["period_cost"] == "125"
    assert any("minimum is 5 seats" in w for w in monthly["warnings"])


def test_flat_seat_leaves_volume_risk_with_the_vendor(compare):
    r = compare(f"""
        workload: flat fee
        tasks: 1000
        seats: 4
        task: {{calls: 1, input_tokens: 1000, output_tokens: 100}}
        human: {HUMAN}
        candidates:
          - {{offer: acme/flat-seat, success_rate: 0.8}}
    """)["acme/flat-seat"]
    # 4 × $125 = $500, nothing metered; per task $0.50; failed attempts (1 − 0.8) of it = $100
    assert r["period_cost"] == "500"
    assert r["per_task_cost"] == "0.5"
    assert r["risk"] == {"fixed_commitment": "500", "variable_spend": "0", "customer_failure_spend": "100",
                         "failure_bearer": "customer", "volume_bearer": "vendor"}


def test_break_even_of_a_seat_plan_is_the_smallest_rate_that_beats_a_person(compare):
    results = compare("""
        workload: break-even
        tasks: 1000
        seats: 4
        task: {calls: 1, input_tokens: 1000, output_tokens: 100}
        human: {hourly_cost: 60, review_minutes: 1, task_minutes: 10, failure_cost: 2}
        candidates:
          - {offer: acme/flat-seat, label: just below, success_rate: 0.291666}
          - {offer: acme/flat-seat, label: at, success_rate: 0.291667}
    """)
    # per task $0.50 (4 × $125 / 1000); review $1; a failed task costs a person $10 + $2 damage:
    # cost_per_completed_task(s) = 0.5 + 1 + (1 − s) × 12 ≤ 10  ⇔  s ≥ 3.5/12 = 0.2916666…  → 0.291667
    below, at = results["just below"], results["at"]
    assert at["break_even_success_rate"] == below["break_even_success_rate"] == "0.291667"
    assert at["human_baseline"] == "10"
    assert below["cost_per_completed_task"] == "10.000008"  # 1.5 + 0.708334 × 12: above the baseline
    assert at["cost_per_completed_task"] == "9.999996"  # 1.5 + 0.708333 × 12: at or below it


# --- credit --------------------------------------------------------------------------------------------


def test_credits_past_the_included_ones_are_bought_in_whole_packs(compare):
    r = compare(f"""
        workload: agent actions
        tasks: 10000
        task: {{calls: 1, input_tokens: 1000, output_tokens: 100, actions: 3}}
        human: {HUMAN}
        candidates:
          - {{offer: acme/flex-credits, success_rate: 0.8}}
    """)["acme/flex-credits"]
    # 3 actions × 20 credits = 60 an attempt; 10000 tasks × E 1 × 60 = 600000 credits
    # past the 50000 included: 550000 → ceil(5.5) = 6 packs × $500 = $3000
    # (pay-as-you-go: 550000 × $0.01 = $5500; 5 packs + 50000 pay-as-you-go would also be $3000)
    b = r["breakdown"]
    assert (b["credits"], b["billable_credits"], b["purchase"]) == ("600000", "550000", "6 × pack of 100,000")
    assert r["period_cost"] == "3000"
    assert r["per_task_cost"] == "0.3"
    # failed attempts use 10000 × 0.2 × 60 = 120000 of the 600000 credits: 3000 × 0.2 = $600
    assert r["risk"] == {"fixed_commitment": "0", "variable_spend": "3000", "customer_failure_spend": "600",
                         "failure_bearer": "customer", "volume_bearer": "shared"}


def test_credits_are_bought_pay_as_you_go_when_a_pack_costs_more(compare):
    r = compare(f"""
        workload: a few agent actions
        tasks: 1000
        task: {{calls: 1, input_tokens: 1000, output_tokens: 100, actions: 3}}
        human: {HUMAN}
        candidates:
          - {{offer: acme/flex-credits, success_rate: 0.8}}
    """)["acme/flex-credits"]
    # 1000 × 60 = 60000 credits; 10000 past the included 50000: × $0.01 = $100, less than one $500 pack
    assert r["breakdown"]["purchase"] == "pay-as-you-go"
    assert r["period_cost"] == "100"


def test_credits_per_resolution_share_failure_like_per_resolution(compare):
    r = compare(f"""
        workload: support on credits
        tasks: 1000
        task: {{calls: 1, input_tokens: 1000, output_tokens: 100}}
        human: {HUMAN}
        candidates:
          - {{offer: acme/resolution-credits, success_rate: 0.6, assumed_resolution_share: 0.5}}
    """)["acme/resolution-credits"]
    # billed 1000 × (0.6 + 0.4 × 0.5) = 800 resolutions × 50 credits × $0.01 = $400, of which the 200 assumed
    # ones ($100) pay for failure; the other 200 failed tasks cost nothing: the same bill as a per_resolution
    # offer at $0.50 with confirmed_and_assumed, which tco rightly calls "shared"
    assert r["risk"]["failure_bearer"] == "shared"


# --- per_resolution ------------------------------------------------------------------------------------


def test_per_resolution_with_platform_fee_included_resolutions_and_assumed_ones(compare):
    r = compare(f"""
        workload: support
        tasks: 1000
        task: {{calls: 1, input_tokens: 1000, output_tokens: 100}}
        human: {HUMAN}
        candidates:
          - {{offer: acme/fin-like, success_rate: 0.6, assumed_resolution_share: 0.5}}
    """)["acme/fin-like"]
    # billed per task S + (1 − S)·a = 0.6 + 0.4 × 0.5 = 0.8 → 800 resolutions; 200 included → 600 × $0.99 = $594
    # period = $49 platform fee + $594 = $643; per task $0.643
    b = r["breakdown"]
    assert (b["billed_resolutions"], b["billable_resolutions"], b["resolution_fees"]) == ("800", "600", "594")
    assert r["period_cost"] == "643"
    assert r["per_task_cost"] == "0.643"
    # failure spend: the 200 assumed resolutions, paid in the share 600/800 that is not included:
    # 200 × 0.99 × 0.75 = 148.5, plus the platform fee's failed share 49 × 0.4 = 19.6 → 168.1
    # (DESIGN.md gives tasks·fee·(1−S)·a = 198 and is silent on included resolutions and platform fees)
    assert r["risk"] == {"fixed_commitment": "49", "variable_spend": "594", "customer_failure_spend": "168.1",
                         "failure_bearer": "shared", "volume_bearer": "shared"}


def test_per_resolution_confirmed_only_ignores_assumed_resolutions(compare):
    r = compare(f"""
        workload: support
        tasks: 1000
        task: {{calls: 1, input_tokens: 1000, output_tokens: 100}}
        human: {HUMAN}
        candidates:
          - {{offer: acme/verified, success_rate: 0.6, assumed_resolution_share: 0.5}}
    """)["acme/verified"]
    # only the 600 real resolutions are billed: 600 × $1.50 = $900; nothing is billed for a failure
    assert r["period_cost"] == "900"
    assert r["per_task_cost"] == "0.9"
    assert r["success_adjusted_cost"] == "1.5"  # the fee per resolution, exactly
    assert r["risk"] == {"fixed_commitment": "0", "variable_spend": "900", "customer_failure_spend": "0",
                         "failure_bearer": "vendor", "volume_bearer": "shared"}
    assert any("confirmed resolutions only" in w for w in r["warnings"])


def test_per_resolution_bills_procedure_handoffs_on_tasks_a_person_finishes(compare):
    r = compare(f"""
        workload: support with procedures
        tasks: 1000
        task: {{calls: 1, input_tokens: 1000, output_tokens: 100}}
        human: {HUMAN}
        candidates:
          - offer: acme/outcomes
            success_rate: 0.6
            assumed_resolution_share: 0.25
            outcome_shares: {{procedure_handoff: 0.2}}
    """)["acme/outcomes"]
    # resolutions: S + (1 − S)·a = 0.6 + 0.4 × 0.25 = 0.7 → 700 × $0.99 = $693
    # handoffs: 1000 × 0.2 = 200 conversations × $0.99 = $198, billed on tasks a person then finishes
    # period = 693 + 198 = $891; per task $0.891
    b = r["breakdown"]
    assert (b["billed_resolutions"], b["resolution_fees"]) == ("700", "693")
    assert b["other_outcome_fees"] == {"procedure_handoff": "198"}
    assert r["per_task_cost"] == "0.891"
    # failure spend: the 100 assumed resolutions (100 × 0.99 = 99) and every handoff (198) → 297
    assert r["risk"] == {"fixed_commitment": "0", "variable_spend": "891", "customer_failure_spend": "297",
                         "failure_bearer": "shared", "volume_bearer": "shared"}
    assert r["warnings"] == []


def test_per_resolution_qualifications_take_the_place_of_resolutions(compare):
    r = compare(f"""
        workload: inbound leads
        tasks: 1000
        task: {{calls: 1, input_tokens: 1000, output_tokens: 100}}
        human: {HUMAN}
        candidates:
          - offer: acme/outcomes
            success_rate: 0.9
            outcome_shares: {{qualification: 0.3, disqualification: 0.6}}
    """)["acme/outcomes"]
    # every task the AI completes (S = 0.9) ends in a qualification or a disqualification, so no resolution is
    # billed: MAX(0, 0.9 − (0.3 + 0.6)) = 0. Fees: 300 × $9.99 = $2,997 and 600 × $0.99 = $594 → $3,591
    b = r["breakdown"]
    assert (b["billed_resolutions"], b["resolution_fees"]) == ("0", "0")
    assert b["other_outcome_fees"] == {"qualification": "2997", "disqualification": "594"}
    assert r["per_task_cost"] == "3.591"
    assert r["success_adjusted_cost"] == "3.99"  # 3.591 / 0.9
    # + 1 attempt reviewed (1 min at $60/h = $1) + 0.1 failed × 10 min by hand ($10) = 3.591 + 1 + 1
    assert r["cost_per_completed_task"] == "5.591"
    assert r["risk"]["customer_failure_spend"] == "0"
    assert r["risk"]["failure_bearer"] == "vendor"


def test_outcome_shares_name_an_outcome_the_offer_bills(tco, write, tmp_path):
    write("books/acme/2026-01-01.yaml", ACME)
    shutil.copy(FIXTURES / "pricebooks" / "tokenizers.yaml", tmp_path / "books" / "tokenizers.yaml")
    for offer, shares, expected in (
        ("acme/outcomes", "{procedure_handof: 0.1}", "did you mean 'procedure_handoff'"),
        ("acme/verified", "{qualification: 0.1}", "bills no other outcomes"),
    ):
        path = write("workload.yaml", f"""
            workload: leads
            tasks: 100
            task: {{calls: 1, input_tokens: 10, output_tokens: 10}}
            human: {HUMAN}
            candidates:
              - {{offer: {offer}, success_rate: 0.5, outcome_shares: {shares}}}
        """)
        result = tco("compare", str(path), "--pricebooks", str(tmp_path / "books"), "--as-of", "2026-06-01")
        assert result.code == 2
        assert "outcome_shares" in result.err and expected in result.err
        assert "Traceback" not in result.err


# --- per_conversation ----------------------------------------------------------------------------------


def test_per_conversation_with_per_action(compare):
    r = compare(f"""
        workload: service agent
        tasks: 1000
        task: {{calls: 1, input_tokens: 1000, output_tokens: 100, actions: 3, max_attempts: 2}}
        human: {HUMAN}
        candidates:
          - {{offer: acme/chat, success_rate: 0.8}}
    """)["acme/chat"]
    # one conversation per task: 1000 × $2 = $2000; actions every attempt: 1000 × E 1.2 × 3 × $0.10 = $360
    # period $2360; per task $2.36
    b = r["breakdown"]
    assert (b["conversation_fees"], b["action_fees"]) == ("2000", "360")
    assert r["per_task_cost"] == "2.36"
    # failure: conversations of failed tasks 2000 × (1 − 0.96) = 80, actions of failed attempts 360 × 0.2 = 72
    assert r["risk"] == {"fixed_commitment": "0", "variable_spend": "2360", "customer_failure_spend": "152",
                         "failure_bearer": "customer", "volume_bearer": "shared"}


# --- provisioned ---------------------------------------------------------------------------------------

def provisioned(peak_factor, candidates: str) -> str:
    """The provisioned workload at `peak_factor`, with these candidate lines."""
    return f"""
        workload: provisioned
        tasks: 40000
        working_hours: 125
        peak_factor: {peak_factor}
        task: {{calls: 1, input_tokens: 1100, output_tokens: 100}}
        human: {HUMAN}
        candidates:
    """ + candidates


# weighted tokens an attempt: 1100 input × 1 + 100 output × 4 = 1500
# average demand: 40000 × 1500 / (125 h × 60) = 60,000,000 / 7500 = 8000 tokens a minute


def test_provisioned_units_cover_the_peak_in_whole_increments(compare):
    results = compare(provisioned(2, """
          - {offer: acme/ptu, success_rate: 0.8}
          - {offer: acme/ptu, label: month, term: month, success_rate: 0.8}
    """))
    # peak 2 × 8000 = 16000/min → 16 units; above the minimum 15, so 15 + one increment of 5 = 20 units
    # capacity 20000 ≥ peak: nothing spills; utilisation 8000 / 20000 = 0.4
    hourly, month = results["acme/ptu"], results["month"]
    b = hourly["breakdown"]
    assert (b["units"], b["utilisation"], b["spill_share"]) == (20, "0.4", "0")
    assert hourly["period_cost"] == "14600"  # 20 units × $1 × 730 hours, used or not
    assert hourly["per_task_cost"] == "0.365"
    assert month["period_cost"] == "5200"  # 20 × $260
    assert month["per_task_cost"] == "0.13"
    assert month["risk"] == {"fixed_commitment": "5200", "variable_spend": "0", "customer_failure_spend": "1040",
                             "failure_bearer": "customer", "volume_bearer": "customer"}


# The load-duration curve falls in a straight line from the peak; its mean is the average (8000).
# Spilled share = area of the curve above capacity / area under it (8000 × 1).
# Spill-over is priced on acme/std: 1100 × $2 + 100 × $10 = $0.0032 an attempt; all 40000 attempts = $128.
@pytest.mark.parametrize(
    ("peak_factor", "units", "spill_share", "spillover_cost", "period_cost"),
    [
        # peak 12000 < 2 × average: the curve runs 12000 → 4000 over the whole period.
        # Above 10000 for (12000 − 10000)/(12000 − 4000) = 0.25 of the time: ½ × 2000 × 0.25 = 250
        # 250 / 8000 = 0.03125; 128 × 0.03125 = $4; + 10 units × $100
        (1.5, 10, "0.03125", "4", "1004"),
        # capacity 3000 below the curve's low end 4000: everything above it spills, (8000 − 3000)/8000 = 0.625
        # 128 × 0.625 = $80; + 3 × $100
        (1.5, 3, "0.625", "80", "380"),
        # peak 32000 > 2 × average: the curve runs 32000 → 0 over the first 2 × 8000/32000 = 0.5 of the time.
        # Above 10000 for 0.5 × 22000/32000 = 0.34375 of it: ½ × 22000 × 0.34375 = 3781.25
        # 3781.25 / 8000 = 0.47265625; 128 × 0.47265625 = $60.50; + 10 × $100
        (4, 10, "0.47265625", "60.5", "1060.5"),
    ],
)
def test_provisioned_demand_above_bought_units_spills_to_per_token(
    compare, peak_factor, units, spill_share, spillover_cost, period_cost
):
    r = compare(provisioned(peak_factor, f"""
          - {{offer: acme/reserved, units: {units}, success_rate: 0.8}}
    """))["acme/reserved"]
    b = r["breakdown"]
    assert (b["units"], b["spill_share"], b["spillover_cost"]) == (units, spill_share, spillover_cost)
    assert r["period_cost"] == period_cost
    assert r["risk"]["fixed_commitment"] == str(units * 100)
    # the units dominate the bill in every case: a volume surprise is the customer's
    assert (r["risk"]["failure_bearer"], r["risk"]["volume_bearer"]) == ("customer", "customer")
