"""Ranges, `tco compare --simulate`, `tco sensitivity` and `tco breakeven` on the worked example's offers."""

import json
import math
from decimal import Decimal

import numpy as np
import pytest

from tests.conftest import FIXTURES

BOOKS = ("--pricebooks", str(FIXTURES / "pricebooks"), "--as-of", "2026-06-01")

RANGED = """\
workload: Worked example with ranges
tasks: {low: 8000, likely: 10000, high: 12000}
task:
  calls: 4
  input_tokens: [1800, 2000, 2200, 2000]
  cached_input_share: 0.5
  output_tokens: {mean: 300, sd: 30}
  reasoning_tokens: 500
  format_retry_rate: {successes: 20, trials: 100}
  max_attempts: 1
human:
  hourly_cost: 60
  review_minutes: 2
  task_minutes: 20
candidates:
  - offer: example/x
    success_rate: {successes: 82, trials: 100}
  - offer: example/y
    success_rate: {low: 0.55, likely: 0.65, high: 0.7}
    assumed_resolution_share: 0.3
"""


@pytest.fixture
def run(tco):
    """`tco ARGS… --pricebooks fixtures --as-of 2026-06-01`, checked to succeed; JSON output parsed."""

    def _run(*argv: str) -> dict:
        result = tco(*argv, *BOOKS, "--format", "json")
        assert result.code == 0, result.err
        return json.loads(result.out)

    return _run


def by_name(doc: dict) -> dict:
    return {r["candidate"]: r for r in doc["results"]}


# Ranges


def test_without_simulation_a_range_counts_as_its_likely_value(run, write):
    ranged = by_name(run("compare", str(write("ranged.yaml", RANGED))))
    plain = RANGED
    for old, new in (("{low: 8000, likely: 10000, high: 12000}", "10000"), ("[1800, 2000, 2200, 2000]", "2000"),
                     ("{mean: 300, sd: 30}", "300"), ("{successes: 20, trials: 100}", "0.2058823529411764705882352941"),
                     ("{successes: 82, trials: 100}", "0.8137254901960784313725490196"),
                     ("{low: 0.55, likely: 0.65, high: 0.7}", "0.65")):
        plain = plain.replace(old, new)
    exact = by_name(run("compare", str(write("plain.yaml", plain))))
    assert ranged == exact
    # a pilot counts as its posterior mean under a uniform prior: (82 + 1) / (100 + 2)
    assert ranged["example/x"]["success_rate"] == "0.8137254902"


def test_the_ranges_are_listed_with_the_values_tco_uses(run, write):
    ranges = {r["input"]: r for r in run("compare", str(write("w.yaml", RANGED)))["ranges"]}
    assert list(ranges) == ["tasks", "task.input_tokens", "task.output_tokens", "task.format_retry_rate",
                            "candidates[0].success_rate", "candidates[1].success_rate"]
    assert ranges["tasks"] | {} == {"input": "tasks", "candidate": None, "distribution": "PERT 8,000 / 10,000 / 12,000",
                                    "likely": "10000", "low": "8000", "high": "12000"}
    assert ranges["task.input_tokens"]["likely"] == "2000"  # the mean of the observations
    assert (ranges["task.input_tokens"]["low"], ranges["task.input_tokens"]["high"]) == ("1800", "2200")
    pilot = ranges["candidates[0].success_rate"]
    assert pilot["candidate"] == "example/x"
    # the 5th and 95th percentiles of Beta(83, 19); scipy.stats.beta.ppf gives 0.74726392618, 0.87316607580
    assert (pilot["low"], pilot["high"]) == ("0.7472639262", "0.8731660758")


@pytest.mark.parametrize(("value", "message"), [
    ("{low: 0.9, likely: 0.8, high: 0.95}", "candidates[0].success_rate: expected low ≤ likely ≤ high"),
    ("{low: 0, likely: 0.8, high: 0.9}", "candidates[0].success_rate.low: expected greater than 0, found 0"),
    ("{low: 0.7, likely: 0.8, hihg: 0.9}", "candidates[0].success_rate.hihg: unknown field; expected one of low, likely, high"),
    ("{successes: 120, trials: 100}", "candidates[0].success_rate: expected successes ≤ trials, found 120 > 100"),
    ("{mean: 5, sd: 0.1}", "candidates[0].success_rate.mean: expected less than or equal to 1, found 5"),
    ("{mean: 1.5, sd: 0.1}", "candidates[0].success_rate.mean: expected less than or equal to 1"),
    ("{min: 0.7, max: 0.9}", "candidates[0].success_rate: expected a number, {low, likely, high}, {mean, sd}, "
                             "{successes, trials}, or a list of observed values, found a mapping"),
    ("[]", "candidates[0].success_rate: expected at least 1 item(s), found none"),
])
def test_a_bad_range_is_named_by_file_line_and_field(tco, write, value, message):
    path = write("w.yaml", RANGED.replace("{successes: 82, trials: 100}", value))
    result = tco("compare", str(path), *BOOKS)
    assert result.code == 2
    assert f"w.yaml:17: {message}" in result.err
    assert "Traceback" not in result.err


def test_a_pilot_is_only_for_shares_and_rates(tco, write):
    result = tco("compare", str(write("w.yaml", RANGED.replace("reasoning_tokens: 500", "reasoning_tokens: {successes: 5, trials: 10}"))), *BOOKS)
    assert result.code == 2
    assert ("w.yaml:8: task.reasoning_tokens: expected a number, {low, likely, high}, {mean, sd}, or a list of observed "
            "values, found a mapping") in result.err


def test_a_normal_is_truncated_to_the_valid_values():
    from pydantic import TypeAdapter

    from tco.models.workload import ProbabilityOrRange

    rate = TypeAdapter(ProbabilityOrRange).validate_python({"mean": Decimal("0.95"), "sd": Decimal("0.1")})
    draws = rate.draw(np.random.default_rng(1), 100_000)
    assert 0 < draws.min() and draws.max() <= 1
    assert rate.point() == Decimal("0.95")


# Simulation


def test_a_workload_without_ranges_simulates_to_its_exact_figures(run):
    worked = str(FIXTURES / "worked_example.yaml")
    exact, simulated = by_name(run("compare", worked)), by_name(run("compare", worked, "--simulate", "1000"))
    for name, r in simulated.items():
        for metric in ("success_adjusted_cost", "cost_per_completed_task", "period_cost"):
            assert set(r["simulation"][metric].values()) == {exact[name][metric]}
        assert r["risk"]["p95_over_p50"] == "1"
        assert {k: v for k, v in r.items() if k not in ("simulation", "risk")} == \
               {k: v for k, v in exact[name].items() if k != "risk"}
    assert simulated["X, three attempts"]["simulation"]["probability_cheapest"] == "1"  # the exact ranking's winner
    assert simulated["example/x"]["simulation"]["probability_cheapest"] == "0"


def test_the_same_seed_gives_the_same_figures(tco, write):
    path = str(write("w.yaml", RANGED))
    first, again, other = (tco("compare", path, *BOOKS, "--format", "json", "--simulate", "5000", "--seed", seed).out
                           for seed in ("7", "7", "8"))
    assert first == again
    assert first != other


def test_simulated_percentiles_are_exact_costs_of_draws_within_the_ranges(run, write):
    doc = run("compare", str(write("w.yaml", RANGED)), "--simulate", "20000", "--seed", "3")
    assert doc["simulation"]["draws"] == 20000 and doc["simulation"]["seed"] == 3
    x = by_name(doc)["example/x"]
    spread = {k: Decimal(v) for k, v in x["simulation"]["cost_per_completed_task"].items()}
    assert spread["p5"] < spread["p50"] < spread["p95"]
    assert spread["p5"] < Decimal(x["cost_per_completed_task"]) < spread["p95"]
    period = x["simulation"]["period_cost"]
    assert Decimal(x["risk"]["p95_over_p50"]) == (Decimal(period["p95"]) / Decimal(period["p50"])).quantize(Decimal("1e-10"))
    shares = [Decimal(r["simulation"]["probability_cheapest"]) for r in doc["results"]]
    assert sum(shares) == 1
    counts = doc["simulation"]["histogram"]["counts"]
    assert all(sum(c) == 20000 for c in counts.values())
    assert len(doc["simulation"]["histogram"]["edges"]) == len(counts["example/x"]) + 1


def test_candidates_share_their_draws_so_differences_are_not_noise(run, write):
    # the same offer twice, one a little less successful: with common random numbers it never wins a draw
    twins = RANGED.replace("""  - offer: example/y
    success_rate: {low: 0.55, likely: 0.65, high: 0.7}
    assumed_resolution_share: 0.3
""", """  - offer: example/x
    label: X, a little worse
    success_rate: 0.8
""").replace("{successes: 82, trials: 100}", "0.81")
    doc = by_name(run("compare", str(write("w.yaml", twins)), "--simulate", "5000"))
    assert doc["example/x"]["simulation"]["probability_cheapest"] == "1"
    assert doc["X, a little worse"]["simulation"]["probability_cheapest"] == "0"


def test_simulation_shows_in_every_text_format(tco, write):
    path = str(write("w.yaml", RANGED))
    table = tco("compare", path, *BOOKS, "--simulate", "2000").out
    assert "Simulated cost per completed task" in table and "P50" in table and "Cheapest" in table
    assert "Simulated: 2,000 draws of 6 range(s), seed 0" in table
    assert "P5–P95 per" in tco("compare", path, *BOOKS, "--simulate", "2000", "--wide").out
    markdown = tco("compare", path, *BOOKS, "--simulate", "2000", "--format", "markdown").out
    assert "| P5–P95 per completed task | Cheapest in | Period P95 ÷ P50 |" in markdown
    header, *rows = tco("compare", path, *BOOKS, "--simulate", "2000", "--format", "csv").out.splitlines()
    assert header.endswith(",cost_per_completed_task_p5,cost_per_completed_task_p50,cost_per_completed_task_p95,"
                           "period_cost_p5,period_cost_p50,period_cost_p95,probability_cheapest,p95_over_p50")
    assert len(rows) == 2
    unsimulated = tco("compare", path, *BOOKS).out
    assert "6 input(s) are ranges, each taken at its likely value" in unsimulated


def test_progress_is_reported_once_per_candidate(write):
    import datetime as dt

    from tco.api import comparison_for, simulation_for

    comparison, source = comparison_for(write("w.yaml", RANGED), dt.date(2026, 6, 1), FIXTURES / "pricebooks")
    seen: list[tuple[int, int]] = []
    simulation_for(comparison, source, 100, progress=lambda done, total: seen.append((done, total)))
    assert seen == [(1, 2), (2, 2)]


def test_the_figures_are_the_same_whether_costs_are_kept_or_costed_again(monkeypatch, write):
    """Past KEPT_COSTS the second pass costs each chunk again instead of reading it back: nothing else changes."""
    import datetime as dt

    from tco.api import comparison_for, simulation_for
    from tco.engine import simulate

    comparison, source = comparison_for(write("w.yaml", RANGED), dt.date(2026, 6, 1), FIXTURES / "pricebooks")
    kept = simulation_for(comparison, source, 12_000, seed=4)
    monkeypatch.setattr(simulate, "KEPT_COSTS", 0)
    again = simulation_for(comparison, source, 12_000, seed=4)
    assert kept == again and kept.histogram.counts and sum(kept.histogram.counts["example/x"]) == 12_000


def test_each_chunk_of_a_range_can_be_drawn_again_alone(write):
    """So a candidate's own draws need not be kept while the others are costed."""
    import datetime as dt

    from tco.api import comparison_for
    from tco.engine.simulate import CHUNK, Drawer, draw_inputs

    found = comparison_for(write("w.yaml", RANGED), dt.date(2026, 6, 1), FIXTURES / "pricebooks")[0].inputs
    whole = draw_inputs(found, 2 * CHUNK + 7, seed=9, shared={})
    drawer = Drawer(found, 2 * CHUNK + 7, seed=9, shared={})
    own = next(i.path for i in found if i.candidate == 1)
    assert np.array_equal(drawer.chunk(own, 2), whole[own][2 * CHUNK:]) and len(drawer.chunk(own, 2)) == 7
    assert drawer.at(1, CHUNK + 3)[own] == Decimal(repr(float(whole[own][CHUNK + 3])))


def test_a_pilot_of_a_hundred_million_trials_has_tight_exact_quantiles():
    """The Beta quantile sums only the terms near the mean: a huge pilot costs no more than a square root of it."""
    from tco.models.uncertain import beta_quantile

    n, k = 10**8, 4 * 10**7
    p, sd = (k + 1) / (n + 2), ((k + 1) * (n - k + 1) / ((n + 2) ** 2 * (n + 3))) ** 0.5
    low, high = beta_quantile(k + 1, n - k + 1, 0.05), beta_quantile(k + 1, n - k + 1, 0.95)
    assert abs((p - low) / sd - 1.6449) < 0.01 and abs((high - p) / sd - 1.6449) < 0.01
    for a, b, q in [(83, 19, 0.05), (83, 19, 0.5), (1, 1, 0.95), (3, 400, 0.95)]:  # against the whole binomial tail
        n, x = a + b - 1, beta_quantile(a, b, q)
        assert sum(math.comb(n, j) * x**j * (1 - x) ** (n - j) for j in range(a, n + 1)) == pytest.approx(q, abs=1e-9)


@pytest.mark.parametrize("draws", ["0", "2000000"])
def test_simulate_takes_from_one_to_a_million_draws(tco, write, draws):
    result = tco("compare", str(write("w.yaml", RANGED)), *BOOKS, "--simulate", draws)
    assert result.code == 2
    assert result.err == f"error: --simulate: expected from 1 to 1,000,000 draws, found {int(draws):,}\n"


# Sensitivity


def test_sensitivity_varies_each_range_from_low_to_high(run, write, tco):
    path = write("w.yaml", RANGED)
    doc = run("sensitivity", str(path), "--candidate", "example/x")
    assert doc["candidate"] == "example/x"
    bars = doc["bars"]
    assert [b["input"] for b in bars][0] == "candidates[0].success_rate"  # the widest swing first
    assert [Decimal(b["swing"]) for b in bars] == sorted((Decimal(b["swing"]) for b in bars), reverse=True)
    assert "candidates[1].success_rate" not in [b["input"] for b in bars]  # Y's own range does not move X
    # each end is the cost `tco compare` gives with that one input set to that value
    tokens = next(b for b in bars if b["input"] == "task.input_tokens")
    at_high = by_name(run("compare", str(write("high.yaml", RANGED.replace("[1800, 2000, 2200, 2000]", "2200")))))
    assert tokens["cost_at_high"] == at_high["example/x"]["cost_per_completed_task"]
    table = tco("sensitivity", str(path), *BOOKS).out
    assert "Sensitivity of cost per completed task: example/x" in table and "│" in table and "█" in table


def test_sensitivity_defaults_to_the_cheapest_and_says_when_there_is_nothing_to_vary(run, tco):
    worked = str(FIXTURES / "worked_example.yaml")
    doc = run("sensitivity", worked)
    assert doc["candidate"] == "X, three attempts" and doc["bars"] == []
    assert "No ranges in" in tco("sensitivity", worked, *BOOKS).out


def test_sensitivity_names_the_nearest_candidate(tco):
    result = tco("sensitivity", str(FIXTURES / "worked_example.yaml"), *BOOKS, "--candidate", "example/z")
    assert result.code == 2
    assert "--candidate: no candidate 'example/z' in the workload" in result.err and "did you mean" in result.err


# Break-even


def test_breakeven_finds_the_success_rate_at_which_an_outcome_price_wins(run):
    # X (per token) costs 0.0765 + 2 + 20·(1 − 0.8) = 6.0765 per completed task.
    # Y (per resolution, $0.99, assumed share 0.3) at success s costs 0.99·(s + 0.3·(1 − s)) + 2 + 20·(1 − s)
    # = 22.297 − 19.307·s, which equals 6.0765 at s = 16.2205 / 19.307 = 0.8401357…, reported rounded up to 0.840136
    doc = run("breakeven", str(FIXTURES / "worked_example.yaml"), "example/y", "example/x", "--vary", "success_rate")
    assert doc["input"] == "candidates[2].success_rate" and doc["label"] == "example/y's success_rate"
    [crossing] = doc["crossings"]
    assert crossing["value"] == "0.840136"
    assert (crossing["cheaper_below"], crossing["cheaper_above"]) == ("example/x", "example/y")
    assert doc["text"].startswith("example/y becomes cheaper than example/x at example/y's success_rate = 0.8401 ")


def test_breakeven_says_when_two_candidates_never_cross(run):
    doc = run("breakeven", str(FIXTURES / "worked_example.yaml"), "example/x", "example/y", "--vary", "tasks")
    assert doc["crossings"] == [] and doc["cheaper_throughout"] == "example/x"
    assert doc["searched"] == {"from": "0", "to": "10000000"}
    assert "never cost the same per completed task for tasks from 0 to 10,000,000" in doc["text"]


def test_breakeven_on_a_whole_number_finds_a_whole_number(run):
    # with one attempt, "X, three attempts" is example/x exactly; from a second attempt on it is cheaper
    doc = run("breakeven", str(FIXTURES / "worked_example.yaml"), "X, three attempts", "example/x",
              "--vary", "task.max_attempts", "--to", "20")
    assert doc["input"] == "candidates[1].task.max_attempts"
    assert doc["crossings"] == [{"value": 2, "a_cost": "3.2918", "b_cost": "6.0765",
                                 "cheaper_below": None, "cheaper_above": "X, three attempts"}]
    assert "X, three attempts becomes cheaper at X, three attempts's task.max_attempts = 2" in doc["text"]


@pytest.mark.parametrize(("argv", "message"), [
    (("example/x", "example/y", "--vary", "sucess_rate"), "--vary: 'sucess_rate' is not a number in a workload"),
    (("example/x", "example/x", "--vary", "tasks"), "A and B: both are 'example/x'; name two different candidates"),
    (("example/x", "example/z", "--vary", "tasks"), "B: no candidate 'example/z' in the workload"),
    (("example/x", "example/y", "--vary", "success_rate", "--from", "1.5"), "--from: 1.5 is outside the values"),
    (("example/x", "example/y", "--vary", "tasks", "--from", "ten"), "--from: expected a number, found 'ten'"),
    (("example/x", "example/y", "--vary", "seats"), "--vary: the workload gives no seats"),
    (("example/x", "example/y", "--vary", "candidates[7].success_rate"), "--vary: the workload has 3 candidates"),
    (("example/x", "example/y", "--vary", "tasks", "--from", "500", "--to", "20"), "the search needs --from below --to"),
])
def test_breakeven_rejects_what_it_cannot_search(tco, argv, message):
    result = tco("breakeven", str(FIXTURES / "worked_example.yaml"), *argv, *BOOKS)
    assert result.code == 2, result.out
    assert message in result.err
    assert "Traceback" not in result.err


def test_breakeven_renders_as_text_markdown_and_csv(tco):
    argv = ("breakeven", str(FIXTURES / "worked_example.yaml"), "example/y", "example/x", "--vary", "success_rate", *BOOKS)
    assert "example/y becomes cheaper than example/x" in tco(*argv).out
    assert "| example/y's success_rate | example/y | example/x | Below | Above |" in tco(*argv, "--format", "markdown").out
    header, row = tco(*argv, "--format", "csv").out.splitlines()
    assert header == "input,value,a,a_cost,b,b_cost,cheaper_below,cheaper_above"
    assert row.startswith("candidates[2].success_rate,0.840136,example/y,")


def test_a_yaml_alias_makes_two_candidates_share_one_uncertainty(run, write):
    # the same model sold two ways: one pilot, written once and aliased, is one uncertain quantity
    shared = RANGED.replace("{successes: 82, trials: 100}", "&pilot {successes: 82, trials: 100}") + """\
  - offer: example/x
    label: X again, same pilot
    success_rate: *pilot
  - offer: example/x
    label: X again, a separate pilot with the same result
    success_rate: {successes: 82, trials: 100}
"""
    doc = by_name(run("compare", str(write("w.yaml", shared)), "--simulate", "5000"))
    cheapest = {name: Decimal(r["simulation"]["probability_cheapest"]) for name, r in doc.items()}
    # the aliased twins tie in every draw and split it; the separate pilot wins about half the draws
    assert cheapest["example/x"] == cheapest["X again, same pilot"]
    assert sum(cheapest.values()) == 1
    same = ("success_adjusted_cost", "cost_per_completed_task", "period_cost")
    assert [doc["X again, same pilot"]["simulation"][k] for k in same] == [doc["example/x"]["simulation"][k] for k in same]
    assert 0.4 < cheapest["X again, a separate pilot with the same result"] < 0.6


@pytest.mark.parametrize("example", ["support-bot", "coding-agent", "document-pipeline", "document-pipeline, 15 units"])
def test_the_cost_model_gives_the_same_figures_on_draws_as_on_exact_values(example, write):
    """The simulation runs the one cost model on arrays of draws: draw by draw it agrees with the exact Decimal path."""
    import datetime as dt

    from tco.api import comparison_for
    from tco.engine.compare import figures
    from tco.engine.inputs import with_values
    from tco.engine.job import Job
    from tco.engine.simulate import draw_inputs
    from tests.conftest import REPO

    name, _, units = example.partition(", ")
    path = REPO / "examples" / f"{name}.yaml"
    if units:  # too few provisioned units: demand spills over to the per-token offer in many draws
        path = write("w.yaml", path.read_text().replace("term: month ", f"units: {units.split()[0]}\n    term: month "))
    comparison, source = comparison_for(path, dt.date(2026, 12, 2))
    values = draw_inputs(comparison.inputs, 40, seed=5, shared={})
    varied = with_values(source.workload, values)
    with np.errstate(all="ignore"):
        for r in comparison.results:
            drawn = figures(Job.of(varied, r.index, comparison.selection))
            for k in (0, 13, 39):
                scenario = with_values(source.workload, {
                    i.path: int(values[i.path][k]) if i.range.integer else Decimal(repr(float(values[i.path][k])))
                    for i in comparison.inputs})
                exact = figures(Job.of(scenario, r.index, comparison.selection))
                for metric, value in exact.items():
                    got = drawn[metric] if isinstance(drawn[metric], Decimal) else drawn[metric][k]
                    assert float(got) == pytest.approx(float(value), rel=1e-9), (r.candidate, metric, k)
