"""`tco compare WORKLOAD`: each broken workload is named by file, line and field, with exit code 2."""

import shutil

import pytest

from tests.conftest import FIXTURES

WORKLOAD = """\
workload: Support
tasks: 1000
task:
  calls: 4
  input_tokens: 2000
  cached_input_share: 0.5
  output_tokens: 300
  format_retry_rate: 0.2
  max_attempts: 1
human:
  hourly_cost: 60
  task_minutes: 20
candidates:
  - offer: example/x
    success_rate: 0.8
    task: {calls: 5}
"""


@pytest.fixture
def compare(tco):
    """`tco compare PATH` on the fixture books as of 2026-06-01, checked to fail cleanly unless `ok`."""

    def run(path, pricebooks=FIXTURES / "pricebooks", ok=False):
        result = tco("compare", str(path), "--pricebooks", str(pricebooks), "--as-of", "2026-06-01")
        assert "Traceback" not in result.err
        assert result.code == (0 if ok else 2), result.err
        return result

    return run


@pytest.fixture
def broken(compare, write):
    """Compare the workload above with `old` replaced by `new`; return stderr."""

    def run(old, new):
        assert old in WORKLOAD
        return compare(write("w.yaml", WORKLOAD.replace(old, new, 1))).err

    return run


def test_the_unbroken_workload_runs(compare, write):
    assert compare(write("w.yaml", WORKLOAD), ok=True).err == ""


def test_unknown_offer_names_the_nearest_offer(broken):
    err = broken("offer: example/x", "offer: exmaple/x")
    assert "w.yaml:14: candidates[0].offer: unknown offer 'exmaple/x' — did you mean 'example/x'" in err


@pytest.mark.parametrize(("rate", "expected"), [("0", "expected greater than 0, found 0"),
                                                ("1.2", "expected less than or equal to 1, found 1.2")])
def test_success_rate_is_a_chance_above_0(broken, rate, expected):
    assert f"w.yaml:15: candidates[0].success_rate: {expected}" in broken("success_rate: 0.8", f"success_rate: {rate}")


@pytest.mark.parametrize("tasks", ["0", "-5"])
def test_tasks_must_be_positive(broken, tasks):
    assert f"w.yaml:2: tasks: expected greater than 0, found {tasks}" in broken("tasks: 1000", f"tasks: {tasks}")


def test_share_above_1(broken):
    err = broken("cached_input_share: 0.5", "cached_input_share: 1.5")
    assert "w.yaml:6: task.cached_input_share: expected less than or equal to 1, found 1.5" in err


def test_format_retry_rate_must_be_below_1(broken):
    err = broken("format_retry_rate: 0.2", "format_retry_rate: 1")
    assert "w.yaml:8: task.format_retry_rate: expected less than 1, found 1" in err


def test_unknown_task_key_suggests_the_nearest_name(broken):
    err = broken("output_tokens: 300", "output_token: 300")
    assert "w.yaml:7: task.output_token: unknown field; expected one of calls, input_tokens," in err
    assert "did you mean 'output_tokens'" in err
    assert "w.yaml:3: task.output_tokens: required field is missing" in err


def test_unknown_key_in_a_candidate_override_suggests_the_nearest_name(broken):
    err = broken("task: {calls: 5}", "task: {cals: 5}")
    assert "w.yaml:16: candidates[0].task.cals: unknown field; expected one of calls," in err
    assert "did you mean 'calls'" in err


def test_duplicate_key_names_both_lines(broken):
    assert "w.yaml:5: task.calls: duplicate key (first set on line 4)" in broken("  calls: 4\n", "  calls: 4\n  calls: 5\n")


def test_max_attempts_is_a_whole_number(broken):
    err = broken("max_attempts: 1", "max_attempts: 2.5")
    assert "w.yaml:9: task.max_attempts: expected a whole number, found 2.5" in err


def test_unknown_workload_tokenizer_suggests_the_nearest_tokenizer(broken):
    err = broken("tasks: 1000\n", "tasks: 1000\ntokenizer: wdie\n")
    assert "w.yaml:3: tokenizer: unknown tokenizer 'wdie' — did you mean 'wide'" in err


# Seat and provisioned offers need keys of the workload that per-token offers do not.

EXTRA_OFFERS = """\
  copilot:
    scheme: seat
    name: A seat plan metering premium requests
    seat_month: {monthly: 20}
    allowance: {unit: request, per_seat_month: 300}
    overage_per_unit: 0.04
    model_multipliers: {example/x: 1}
    source_urls: [https://example.com/fixture]
    retrieved: 2026-01-01
  ptu:
    scheme: provisioned
    name: Provisioned capacity spilling over to X
    tokenizer: o200k
    terms: {hourly: {unit_hour: 1}}
    throughput: {tokens_per_minute_per_unit: 2400}
    spillover_offer: example/x
    source_urls: [https://example.com/fixture]
    retrieved: 2026-01-01
"""

SCHEMES_WORKLOAD = """\
workload: Seats and capacity
tasks: 1000
task: {calls: 2, input_tokens: 1000, output_tokens: 100}
human: {hourly_cost: 60, task_minutes: 20}
candidates:
  - offer: example/copilot
    success_rate: 0.8
    model: example/x
  - offer: example/ptu
    success_rate: 0.8
"""
SIZED = "tasks: 1000\nseats: 10\nworking_hours: 200\npeak_factor: 2\n"


@pytest.fixture
def books(tmp_path):
    """The fixture books with a seat offer and a provisioned offer added."""
    root = tmp_path / "pricebooks"
    shutil.copytree(FIXTURES / "pricebooks", root)
    with (root / "example" / "2026-01-01.yaml").open("a") as f:
        f.write(EXTRA_OFFERS)
    return root


def test_seat_and_provisioned_offers_run_when_sized(compare, write, books):
    workload = write("w.yaml", SCHEMES_WORKLOAD.replace("tasks: 1000\n", SIZED))
    assert compare(workload, books, ok=True).err == ""


def test_seat_offer_needs_seats(compare, write, books):
    err = compare(write("w.yaml", SCHEMES_WORKLOAD), books).err
    assert "w.yaml:6: candidates[0].offer: example/copilot is priced per seat; add `seats:` to the workload" in err


def test_provisioned_offer_needs_working_hours_and_peak_factor(compare, write, books):
    err = compare(write("w.yaml", SCHEMES_WORKLOAD), books).err
    assert ("w.yaml:9: candidates[1].offer: example/ptu is provisioned capacity, sized to peak demand; "
            "add `working_hours:` and `peak_factor:` to the workload") in err


def test_seat_offer_priced_by_model_needs_a_model(compare, write, books):
    workload = SCHEMES_WORKLOAD.replace("tasks: 1000\n", SIZED).replace("    model: example/x\n", "")
    err = compare(write("w.yaml", workload), books).err
    assert "w.yaml:9: candidates[0].model: example/copilot prices requests by model; expected one of example/x" in err


def test_seat_offer_with_an_unknown_model_names_the_valid_ones(compare, write, books):
    workload = SCHEMES_WORKLOAD.replace("tasks: 1000\n", SIZED).replace("model: example/x", "model: example/w")
    err = compare(write("w.yaml", workload), books).err
    assert "w.yaml:11: candidates[0].model: example/copilot prices requests by model; expected one of example/x" in err
    assert "did you mean 'example/x'" in err


def test_a_key_that_means_nothing_for_the_offers_scheme_is_an_error_not_ignored(broken):
    err = broken("    success_rate: 0.8\n", "    success_rate: 0.8\n    units: 20\n")
    assert "w.yaml:16: candidates[0].units: does not apply to example/x, a per_token offer (it applies to provisioned offers)" in err



def test_provisioned_units_must_be_a_size_the_vendor_sells(compare, write, books):
    sized = SCHEMES_WORKLOAD.replace("tasks: 1000\n", SIZED)
    books_ = books / "example" / "2026-01-01.yaml"
    books_.write_text(books_.read_text().replace("tokens_per_minute_per_unit: 2400}", "tokens_per_minute_per_unit: 2400}\n    min_units: 15\n    unit_increment: 5"))
    err = compare(write("w.yaml", sized + "    units: 17\n"), books).err
    assert "candidates[1].units: example/ptu is sold from 15 units in steps of 5" in err


def test_provisioned_capacity_serves_no_batch_traffic(compare, write, books):
    sized = SCHEMES_WORKLOAD.replace("tasks: 1000\n", SIZED).replace("output_tokens: 100}", "output_tokens: 100, batch_share: 0.5}")
    err = compare(write("w.yaml", sized), books).err
    assert "candidates[1].task.batch_share: provisioned capacity serves no batch traffic" in err


def test_two_candidates_need_two_names(broken):
    err = broken("    task: {calls: 5}\n", "    task: {calls: 5}\n  - offer: example/x\n    success_rate: 0.7\n")
    assert ("w.yaml:17: candidates[1].label: 'example/x' is also candidates[0]'s name; give one of them a "
            "different `label:`") in err
