"""The self_hosted scheme against hand calculations, run through `tco compare --format json`.

Every expected figure is worked out in the comment beside it from the price-book fields of HOST below.

The workload: a month (730 hours), one call per attempt of 2000 input and 300 output tokens, one attempt.
One call takes 2000 / 10000 prefill tok/s + 300 / 1000 output tok/s = 0.2 + 0.3 = 0.5 replica-seconds.
One replica at target utilisation 0.5 serves 730 × 3600 × 0.5 = 1,314,000 replica-seconds a month.
"""

import json
import shutil

import pytest

from tests.conftest import FIXTURES

SOURCE = "source_urls: [https://example.com/test], retrieved: 2026-01-01"
SOURCE_LINES = SOURCE.replace(", ", "\n        ")

HOST = f"""\
    vendor: host
    version: 2026-01-01
    currency: USD
    offers:
      api:
        {{scheme: per_token, name: API, tokenizer: o200k, rates: {{input_mtok: 2, output_mtok: 10}}, {SOURCE}}}
      rented:
        scheme: self_hosted
        name: Rented 8-GPU replica
        tokenizer: o200k
        gpus_per_replica: 8
        throughput: {{output_tokens_per_second: 1000, prefill_tokens_per_second: 10000, concurrency: 64}}
        target_utilisation: 0.5
        instance_hour: 10
        spillover_offer: host/api
        {SOURCE_LINES}
      owned:
        scheme: self_hosted
        name: Owned 8-GPU server
        tokenizer: o200k
        gpus_per_replica: 8
        throughput: {{output_tokens_per_second: 1000, prefill_tokens_per_second: 10000}}
        target_utilisation: 0.5
        owned: {{capex: 120000, amortise_months: 24, power_kw: 10, price_per_kwh: 0.1, ops_per_month: 1000}}
        {SOURCE_LINES}
      bare:
        {{scheme: self_hosted, name: Instance only, tokenizer: o200k, gpus_per_replica: 8, instance_hour: 10, {SOURCE}}}
"""


def workload(tasks, candidates: str) -> str:
    return f"""
        workload: self-hosted
        tasks: {tasks}
        task: {{calls: 1, input_tokens: 2000, output_tokens: 300}}
        candidates:
    """ + candidates


@pytest.fixture
def books(write, tmp_path):
    write("books/host/2026-01-01.yaml", HOST)
    shutil.copy(FIXTURES / "pricebooks" / "tokenizers.yaml", tmp_path / "books" / "tokenizers.yaml")
    return tmp_path / "books"


@pytest.fixture
def compare(tco, write, books):
    """`compare(WORKLOAD_YAML, *args)` → the JSON results by candidate name."""

    def run(text: str, *args: str) -> dict[str, dict]:
        path = write("workload.yaml", text)
        result = tco("compare", str(path), "--pricebooks", str(books), "--as-of", "2026-06-01", "--format", "json", *args)
        assert result.code == 0, result.err
        return {r["candidate"]: r for r in json.loads(result.out)["results"]}

    return run


def test_rented_replicas_are_sized_to_demand_at_the_target_utilisation(compare):
    # 7,884,000 calls × 0.5 s = 3,942,000 replica-seconds = 3 × 1,314,000: exactly 3 replicas, half busy
    r = compare(workload(7884000, "      - {offer: host/rented, success_rate: 0.8}"))["host/rented"]
    b = r["breakdown"]
    assert (b["replica_seconds_per_attempt"], b["demand_replica_seconds"]) == ("0.5", "3942000")
    assert (b["replicas"], b["gpus"], b["utilisation"], b["spill_share"]) == (3, 24, "0.5", "0")
    assert b["replica_cost_per_period"] == "7300"  # $10 × 730 hours
    assert r["period_cost"] == "21900"  # 3 replicas × $7300, busy or idle
    assert "spillover_cost" not in b
    # the customer pays for idle replicas: the whole bill is a fixed commitment
    assert r["risk"]["fixed_commitment"] == "21900"
    assert (r["risk"]["failure_bearer"], r["risk"]["volume_bearer"]) == ("customer", "customer")


def test_owned_hardware_costs_amortised_capex_power_and_ops(compare):
    # per replica a month: capex 120000 / 24 = 5000; power 10 kW × $0.10 × 730 h = 730; ops 1000 → 6730
    r = compare(workload(7884000, "      - {offer: host/owned, success_rate: 0.8}"))["host/owned"]
    b = r["breakdown"]
    assert (b["capex_per_period"], b["power_per_period"], b["ops_per_period"]) == ("5000", "730", "1000")
    assert b["replica_cost_per_period"] == "6730"
    assert r["period_cost"] == "20190"  # 3 × 6730


def test_a_quarter_scales_hours_and_months_alike(compare):
    # a quarter is 2190 hours and 3 months; tasks × 3 keeps 3 replicas. Owned: 3 × (15000 + 2190 + 3000) = 60570
    text = workload(23652000, "      - {offer: host/owned, success_rate: 0.8}").replace("tasks:", "period: quarter\n        tasks:")
    r = compare(text)["host/owned"]
    assert (r["breakdown"]["replicas"], r["period_cost"]) == (3, "60570")


def test_min_replicas_keep_capacity_running_when_demand_is_small(compare):
    # 1000 calls × 0.5 s = 500 s needs 1 replica; hosting.min_replicas: 2 keeps two: 2 × $7300
    results = compare(workload(1000, """
          - {offer: host/rented, success_rate: 0.8}
          - {offer: host/rented, label: two, hosting: {min_replicas: 2}, success_rate: 0.8}
    """))
    assert (results["host/rented"]["breakdown"]["replicas"], results["host/rented"]["period_cost"]) == (1, "7300")
    assert (results["two"]["breakdown"]["replicas"], results["two"]["period_cost"]) == (2, "14600")


def test_demand_above_fixed_replicas_spills_to_the_api(compare):
    # 10,512,000 × 0.5 s = 5,256,000 s; 2 replicas serve 2 × 1,314,000 = 2,628,000: half spills.
    # On host/api an attempt costs 2000 × $2 + 300 × $10 = $0.007; 10,512,000 × 0.007 × 0.5 = $36,792
    r = compare(workload(10512000, "      - {offer: host/rented, hosting: {replicas: 2}, success_rate: 0.8}"))["host/rented"]
    b = r["breakdown"]
    assert (b["replicas"], b["spill_share"], b["spillover_offer"], b["spillover_cost"]) == (2, "0.5", "host/api", "36792")
    assert r["period_cost"] == "51392"  # 2 × 7300 + 36792
    assert r["risk"]["fixed_commitment"] == "14600"


def test_attempts_that_consume_differently_size_replicas_and_spill_by_their_own_tokens(compare):
    # Attempt 1 takes 0.5 s; the retry reads 7000 tokens: 7000 / 10000 + 0.3 = 1.0 s, reached by half the tasks.
    # Per task 0.5 + 0.5 × 1.0 = 1.0 s; 2,628,000 tasks need 2,628,000 s, and one replica serves 1,314,000: half spills.
    # On host/api attempt 1 costs $0.007 and the retry 7000 × $2 + 300 × $10 per million = $0.017:
    # 2,628,000 × (0.007 + 0.5 × 0.017) × 0.5 = $20,367, beside the replica's 730 × $10 = $7,300.
    retry = "{success_rate: 0.5, task: {input_tokens: 7000}}"
    r = compare(workload(2628000, "      - {offer: host/rented, hosting: {replicas: 1}, "
                                  f"attempts: [{{success_rate: 0.5}}, {retry}]}}"))["host/rented"]
    b = r["breakdown"]
    assert (b["demand_replica_seconds"], b["spill_share"], b["spillover_cost"]) == ("2628000", "0.5", "20367")
    assert r["period_cost"] == "27667"


def test_hosting_overrides_the_offer_throughput_and_price(compare):
    # an instance without a model: the candidate gives the throughput. 2000/20000 + 300/500 = 0.7 s a call;
    # 1,314,000 calls × 0.7 = 919,800 s → 1 replica at $5 × 730 = $3650
    r = compare(workload(1314000, """
          - {offer: host/bare, success_rate: 0.8, hosting: {output_tokens_per_second: 500,
             prefill_tokens_per_second: 20000, instance_hour: 5, target_utilisation: 0.5}}
    """))["host/bare"]
    assert (r["breakdown"]["replica_seconds_per_attempt"], r["breakdown"]["replicas"], r["period_cost"]) == ("0.7", 1, "3650")


def test_a_throughput_range_counts_as_its_likely_value_and_varies_under_simulation(compare):
    # likely 1000 output tok/s: as the offer's own, 3 replicas; at 500 tok/s a call takes 0.2 + 0.6 = 0.8 s,
    # 7,884,000 × 0.8 = 6,307,200 s → 4.8 → 5 replicas: the simulated bill runs from 3 to 5 × $7300
    text = workload(7884000, """
          - {offer: host/rented, success_rate: 0.8,
             hosting: {output_tokens_per_second: {low: 500, likely: 1000, high: 1200}}}
    """)
    r = compare(text)["host/rented"]
    assert (r["breakdown"]["replicas"], r["period_cost"]) == (3, "21900")
    simulated = compare(text, "--simulate", "400", "--seed", "1")["host/rented"]["simulation"]
    low, high = (float(simulated["period_cost"][k]) for k in ("p5", "p95"))
    assert 21900 <= low <= high <= 36500 and high > low


def test_owned_hardware_refuses_an_hourly_price(tco, write, books):
    path = write("w.yaml", workload(1000, "      - {offer: host/owned, hosting: {instance_hour: 5}, success_rate: 0.8}"))
    r = tco("compare", str(path), "--pricebooks", str(books), "--as-of", "2026-06-01")
    assert r.code == 2
    assert "w.yaml:6" in r.err and "hosting.instance_hour" in r.err and "owned hardware" in r.err


def test_an_instance_without_throughput_needs_the_candidate_to_give_it(tco, write, books):
    path = write("w.yaml", workload(1000, "      - {offer: host/bare, success_rate: 0.8}"))
    r = tco("compare", str(path), "--pricebooks", str(books), "--as-of", "2026-06-01")
    assert r.code == 2 and "hosting" in r.err and "output_tokens_per_second" in r.err


def test_hosting_on_another_scheme_is_an_error(tco, write, books):
    path = write("w.yaml", workload(1000, "      - {offer: host/api, hosting: {replicas: 2}, success_rate: 0.8}"))
    r = tco("compare", str(path), "--pricebooks", str(books), "--as-of", "2026-06-01")
    assert r.code == 2 and "hosting" in r.err and "self_hosted" in r.err


def test_a_zero_throughput_in_the_workload_is_located(tco, write, books):
    path = write("w.yaml", workload(1000, """
          - offer: host/rented
            success_rate: 0.8
            hosting:
              output_tokens_per_second: 0
    """))
    r = tco("compare", str(path), "--pricebooks", str(books), "--as-of", "2026-06-01")
    assert r.code == 2 and "Traceback" not in r.err
    assert "w.yaml:10" in r.err and "candidates[0].hosting.output_tokens_per_second" in r.err and "greater than 0" in r.err


@pytest.mark.parametrize(
    ("offer_lines", "line", "field", "says"),
    [
        (["throughput: {output_tokens_per_second: 0, prefill_tokens_per_second: 100}", "instance_hour: 1"],
         10, "offers.x.throughput.output_tokens_per_second", "greater than 0"),
        (["throughput: {output_tokens_per_second: 10, prefill_tokens_per_second: 100}"],
         5, "offers.x", "give exactly one of instance_hour (rented) and owned"),
        (["instance_hour: 1", "owned: {capex: 1, amortise_months: 12}"], 5, "offers.x", "give exactly one of instance_hour"),
    ],
)
def test_bad_self_hosted_offers_are_located(tco, tmp_path, offer_lines, line, field, says):
    lines = ["vendor: bad", "version: 2026-01-01", "currency: USD", "offers:", "  x:", "    scheme: self_hosted",
             "    name: X", "    tokenizer: o200k", "    gpus_per_replica: 1", *("    " + x for x in offer_lines),
             "    source_urls: [https://example.com/test]", "    retrieved: 2026-01-01"]
    (tmp_path / "books" / "bad").mkdir(parents=True)
    (tmp_path / "books" / "bad" / "2026-01-01.yaml").write_text("\n".join(lines) + "\n")
    shutil.copy(FIXTURES / "pricebooks" / "tokenizers.yaml", tmp_path / "books" / "tokenizers.yaml")
    r = tco("pricebook", "validate", str(tmp_path / "books"))
    assert r.code == 2 and "Traceback" not in r.err
    assert f"2026-01-01.yaml:{line}" in r.err and field in r.err and says in r.err


def test_too_few_replicas_without_a_spillover_offer_is_an_error(tco, write, books):
    # host/owned names no spillover_offer: 7,884,000 calls need 3 replicas, and 2 leave demand nowhere to go
    path = write("w.yaml", workload(7884000, "      - {offer: host/owned, hosting: {replicas: 2}, success_rate: 0.8}"))
    r = tco("compare", str(path), "--pricebooks", str(books), "--as-of", "2026-06-01")
    assert r.code == 2 and "w.yaml:6" in r.err
    assert "host/owned has no spillover_offer; run more `hosting.replicas:`" in r.err
