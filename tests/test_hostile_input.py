"""Hostile input: every class of file and value that once ended in a traceback or a hang now ends in a located
error and exit code 2 (issue 12). The fault tests of outputs are in test_outputs.py, the fuzz test in test_fuzz.py."""

import csv
import io
import json
import os
import shutil

import pytest

from tests.conftest import FIXTURES

WORKLOAD = (FIXTURES / "worked_example.yaml").read_text()
BOOKS = FIXTURES / "pricebooks"
BOOK = "example/2026-01-01.yaml"


@pytest.fixture
def compare(tco):
    """`tco compare PATH [ARGS]` on the fixture books, checked to end with `code` and no traceback."""

    def run(path, *args, code=2, pricebooks=BOOKS):
        result = tco("compare", str(path), "--pricebooks", str(pricebooks), "--as-of", "2026-06-01", *args)
        assert "Traceback" not in result.err
        assert result.code == code, result.err
        return result

    return run


@pytest.fixture
def changed(compare, write):
    """Compare the worked example with `old` replaced by `new`; return the run."""

    def run(old, new, *args, code=2):
        assert old in WORKLOAD
        return compare(write("w.yaml", WORKLOAD.replace(old, new, 1)), *args, code=code)

    return run


@pytest.fixture
def tree(tmp_path):
    root = tmp_path / "pricebooks"
    shutil.copytree(BOOKS, root)
    return root


def validate(tco, tree, code=2):
    result = tco("pricebook", "validate", str(tree))
    assert "Traceback" not in result.err
    assert result.code == code, result.err
    return result.err


# Numbers: each documented limit, enforced with the field's line


@pytest.mark.parametrize(("old", "new", "line", "message"), [
    ("tasks: 10000", "tasks: 1000000000001", "3: tasks", "expected at most 1,000,000,000,000 (tasks per period), found 1000000000001"),
    ("input_tokens: 2000", "input_tokens: 1000000001", "6: task.input_tokens", "expected at most 1,000,000,000 (tokens per call)"),
    ("calls: 4", "calls: 2000000", "5: task.calls", "expected at most 1,000,000 (calls per attempt)"),
    ("max_attempts: 1", "max_attempts: 101", "11: task.max_attempts", "expected at most 100 (attempts per task)"),
    ("hourly_cost: 60", "hourly_cost: 1.0e+308", "13: human.hourly_cost", "1e+308 is too large: numbers in tco files are at most 1e15"),
    ("tasks: 10000", "tasks: 1000000000000000000", "3: tasks", "1000000000000000000 is too large"),
    ("success_rate: 0.8", "success_rate: 1.0e-999999", "19: candidates[0].success_rate", "1e-999999 is too small: numbers in tco files are 0 or at least 1e-12"),
    ("tasks: 10000", "tasks: {low: 1, likely: 2, high: 1.0e+99}", "3: tasks.high", "1e+99 is too large"),
    ("success_rate: 0.8", "success_rate: {successes: 5, trials: 1000000001}", "19: candidates[0].success_rate.trials",
     "expected at most 1,000,000,000 (trials in a pilot)"),
])
def test_each_number_limit_is_an_error_on_the_fields_line(changed, old, new, line, message):
    assert f"w.yaml:{line}: {message}" in changed(old, new).err


def test_a_number_of_thousands_of_digits_is_refused_briefly(changed):
    err = changed("tasks: 10000", "tasks: " + "9" * 5000).err
    assert "w.yaml:3: tasks: " in err and "is too large" in err
    assert len(err) < 1000


def test_figures_far_larger_than_any_input_are_reported_exactly(changed):
    huge = "tasks: 1000000000000\ntask:\n  calls: 1000000\n  input_tokens: 1000000000\n  format_retry_rate: 0.999999999999\n"
    old = "tasks: 10000\ntask:\n  calls: 4\n  input_tokens: 2000\n"
    text = WORKLOAD.replace(old, huge).replace("  format_retry_rate: 0.2\n", "")
    run = changed(WORKLOAD, text, "--format", "json", code=0)
    period_cost = max((r["period_cost"] for r in json.loads(run.out)["results"]), key=len)
    assert len(period_cost.split(".")[0]) > 30  # about 1e34 dollars, every digit kept
    for format in ("table", "markdown", "csv"):
        assert changed(WORKLOAD, text, "--format", format, code=0).out


def test_breakeven_beyond_the_number_limit_is_an_error(tco):
    run = tco("breakeven", str(FIXTURES / "worked_example.yaml"), "example/x", "example/y", "--vary", "tasks",
              "--to", "1e30", "--pricebooks", str(BOOKS), "--as-of", "2026-06-01")
    assert (run.code, run.err) == (2, "error: --to: 1e30 is too large; tco takes numbers up to 1e15\n")


def test_breakeven_up_to_the_limit_reports_every_digit(tco):
    run = tco("breakeven", str(FIXTURES / "worked_example.yaml"), "example/x", "example/y", "--vary", "tasks",
              "--to", "1e15", "--pricebooks", str(BOOKS), "--as-of", "2026-06-01", "--format", "json")
    assert run.code == 0, run.err
    assert json.loads(run.out)["searched"] == {"from": "0", "to": "1000000000000000"}


# Structure: nesting and aliases that would exhaust the stack


@pytest.mark.parametrize(("text", "line", "message"), [
    ("tasks: " + "[" * 600 + "]" * 600, 2, "mappings and lists are nested more than 50 deep; the limit is 50"),
    ("tasks: &r [*r]", 2, "tasks[0]: an alias refers to the mapping or list that contains it (a loop)"),
    ("human: &h {me: *h}", 2, "human.me: an alias refers to the mapping or list that contains it (a loop)"),
    ("human: &h {<<: *h}", 2, "human: an alias refers to the mapping or list that contains it (a loop)"),
    ("tasks: [" + ", ".join(["1"] * 100_001) + "]", 2, "the document expands to more than 100,000 values; the limit is 100,000"),
])
def test_structures_that_once_exhausted_the_stack_are_located_errors(compare, write, text, line, message):
    err = compare(write("w.yaml", "workload: x\n" + text + "\n")).err
    assert f"w.yaml:{line}: " in err and message in err


def test_a_self_referring_alias_in_a_price_book_is_an_error(tco, tree):
    (tree / BOOK).write_text((tree / BOOK).read_text().replace("offers:\n", "offers: &o\n  z: *o\n", 1))
    assert f"{BOOK}:6: offers.z: an alias refers to the mapping or list that contains it (a loop)" in validate(tco, tree)


# Files that are not regular files, or not UTF-8 text


def test_a_device_is_not_read(compare):
    assert "zero: is not a regular file (a device, pipe or socket); expected a YAML file" in compare("/dev/zero").err


def test_a_fifo_is_not_waited_on(compare, tmp_path):
    os.mkfifo(tmp_path / "w.yaml")
    assert "w.yaml: is not a regular file (a device, pipe or socket)" in compare(tmp_path / "w.yaml").err


def test_a_symlink_loop_is_named(compare, tmp_path):
    (tmp_path / "a.yaml").symlink_to(tmp_path / "b.yaml")
    (tmp_path / "b.yaml").symlink_to(tmp_path / "a.yaml")
    assert "a.yaml: is a symbolic link that leads round in a loop" in compare(tmp_path / "a.yaml").err


def test_a_directory_is_not_a_workload(compare, tmp_path):
    assert ": is a directory, expected a YAML file" in compare(tmp_path).err


@pytest.mark.parametrize(("data", "message"), [
    ("workload: x\ntasks: 1\nnote: café\n".encode("latin-1"), "w.yaml:3: is not UTF-8 text: byte 0xe9 on this line is not UTF-8 (Latin-1 or Windows-1252?)"),
    ("workload: x\n".encode("utf-16"), "w.yaml:1: is UTF-16 text (it starts with a UTF-16 byte-order mark); save it as UTF-8"),
    (b"workload: x\ntasks: 1\x00\n", "w.yaml:2: YAML syntax error: the character '\\x00' (a NUL: is the file UTF-16? save it as UTF-8)"),
    (b"workload: x\x1b[2J\n", "w.yaml:1: YAML syntax error: the character '\\x1b' is not allowed in YAML text"),
])
def test_text_that_is_not_utf8_or_not_yaml_is_located(compare, tmp_path, data, message):
    (tmp_path / "w.yaml").write_bytes(data)
    assert message in compare(tmp_path / "w.yaml").err


def test_the_size_limit_is_checked_on_the_bytes_read(tmp_path):
    from tco.errors import TcoError
    from tco.files.yaml_source import read_bytes

    (tmp_path / "w.yaml").write_text("x" * 11)
    assert read_bytes(tmp_path / "w.yaml", "w.yaml", limit=11) == b"x" * 11
    with pytest.raises(TcoError, match="w.yaml: is larger than the limit of 10 bytes"):
        read_bytes(tmp_path / "w.yaml", "w.yaml", limit=10)


def test_an_unreadable_price_book_is_named(tco, tree, monkeypatch):
    real_open = os.open

    def deny(path, *args, **kwargs):
        if str(path).endswith(BOOK):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", deny)
    assert f"{BOOK}: cannot be read: permission denied" in validate(tco, tree)


def test_a_file_given_as_the_price_book_directory_is_called_a_file(compare):
    err = compare(FIXTURES / "worked_example.yaml", pricebooks=FIXTURES / "worked_example.yaml").err
    assert "worked_example.yaml: is a file; expected a price-book directory" in err


# Injection: text from a file stays text in every output


LABELS = ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx", "a\rb", "a\nb", "a\r\n=1+1"]


def _labelled(labels):
    """The worked example with one candidate per label (all offer example/y)."""
    extra = "".join(f"  - offer: example/y\n    label: {json.dumps(label)}\n    success_rate: 0.5\n" for label in labels)
    return WORKLOAD + extra


def test_csv_keeps_each_label_in_one_cell_that_is_never_a_formula(compare, write):
    run = compare(write("w.yaml", _labelled(LABELS)), "--format", "csv", code=0)
    rows = list(csv.reader(io.StringIO(run.out, newline="")))
    assert len(rows) == 1 + 3 + len(LABELS)
    candidates = {row[1] for row in rows[1:]}
    for label in LABELS:
        assert ("'" + label if label[0] in "=+-@\t\r" else label) in candidates


def test_markdown_keeps_each_row_on_one_line(compare, write):
    run = compare(write("w.yaml", _labelled(LABELS)), "--format", "markdown", code=0)
    assert "\r" not in run.out
    rows = [line for line in run.out.splitlines() if line.startswith("| ") and "per_" in line]
    assert len(rows) == 3 + len(LABELS)


def test_terminal_control_characters_from_labels_are_shown_escaped(compare, write):
    run = compare(write("w.yaml", _labelled(["\x1b[2J", "\x1b]0;title\x07"])), code=0)
    assert "\x1b" not in run.out and "\x07" not in run.out
    assert "\\x1b[2J" in run.out


def test_terminal_control_characters_in_unknown_keys_are_shown_escaped(changed):
    err = changed("workload: Worked example", 'workload: Worked example\n"\\e]0;title\\a\\e[2J": 1').err
    assert "\x1b" not in err and "\x07" not in err
    assert "w.yaml:3: \\x1b]0;title\\x07\\x1b[2J: unknown field" in err


# Validation that once passed


def test_two_files_for_one_version_are_refused(tco, tree):
    shutil.copy(tree / BOOK, tree / "example" / "2026-01-01.yml")
    err = validate(tco, tree)
    assert "example/2026-01-01.yml: version 2026-01-01 has two files, " in err
    assert "example/2026-01-01.yaml and this one; keep one" in err


def test_a_retrieval_date_in_the_future_is_refused(tco, tree):
    path = tree / BOOK
    path.write_text(path.read_text().replace("retrieved: 2026-01-01", "retrieved: 2099-01-01", 1))
    assert f"{BOOK}:15: offers.x.retrieved: 2099-01-01 is in the future" in validate(tco, tree)


def test_a_bad_number_does_not_hide_an_unknown_offer(changed):
    text = WORKLOAD.replace("tasks: 10000", "tasks: -1").replace("offer: example/y", "offer: example/why")
    err = changed(WORKLOAD, text).err
    assert "w.yaml:3: tasks: expected greater than 0, found -1" in err
    assert "w.yaml:24: candidates[2].offer: unknown offer 'example/why' — did you mean 'example/y'" in err


def test_a_bad_workload_does_not_hide_a_bad_price_book_tree(compare, write, tree):
    (tree / BOOK).write_text((tree / BOOK).read_text().replace("currency: USD", "currency: EUR"))
    err = compare(write("w.yaml", WORKLOAD.replace("tasks: 10000", "tasks: -1")), pricebooks=tree).err
    assert "w.yaml:3: tasks:" in err and f"{BOOK}:5: currency: expected one of USD" in err


def test_a_broken_book_causes_no_errors_about_valid_ones(tco, tree):
    (tree / "seats").mkdir()
    (tree / "seats" / "2026-01-01.yaml").write_text(
        "vendor: seats\nversion: 2026-01-01\ncurrency: USD\noffers:\n  plan:\n    scheme: seat\n    name: A plan\n"
        "    seat_month: {monthly: 20}\n    allowance: {unit: request, per_seat_month: 300}\n"
        "    model_multipliers: {example/x: 1}\n    source_urls: [https://example.com/fixture]\n    retrieved: 2026-01-01\n")
    assert validate(tco, tree, code=0) == ""
    (tree / BOOK).write_text((tree / BOOK).read_text().replace("input_mtok: 3,", "input_mtok: three,"))
    errors = validate(tco, tree).splitlines()
    assert len(errors) == 1 and f"{BOOK}:11: offers.x.rates.input_mtok: expected a number" in errors[0]


# Messages that say what to write


@pytest.mark.parametrize(("old", "new", "message"), [
    ("tasks: 10000", "tasks: 1e6", "w.yaml:3: tasks: expected a number, found text '1e6' — YAML reads 1e6 as text: write 1000000 or 1.0e+6"),
    ("success_rate: 0.8", "success_rate: 55", "candidates[0].success_rate: expected less than or equal to 1, found 55 — a share or rate is written from 0 to 1: write 0.55 for 55%"),
    ("success_rate: 0.8", "success_rate: 55%", "found text '55%' — write a share as a fraction: 0.55"),
    ("tasks: 10000", "tasks: 10,000", "found text '10,000' — write it without thousands separators: 10000"),
    ("tasks: 10000", "tasks: '10000'", "found text '10000' — remove the quotes to make it a number"),
    ("workload: Worked example", "workload: 2026-01-01", "w.yaml:2: workload: expected text, found 2026-01-01"),
    ("tasks: 10000", "tasks: ~", "w.yaml:3: tasks: expected a number, found nothing (null)"),
])
def test_messages_say_what_to_write(changed, old, new, message):
    assert message in changed(old, new).err


def test_a_file_that_is_one_scalar_names_it_in_words(compare, write):
    assert "w.yaml:1: expected a YAML mapping, found text 'hello'" in compare(write("w.yaml", "hello\n")).err


@pytest.mark.parametrize("where", ["key", "value"])
def test_a_megabyte_value_makes_a_short_error_line(changed, where):
    big = "x" * 1_000_000
    new = f"workload: Worked example\n{big}: 1" if where == "key" else f"workload: Worked example\nperiod: {big}"
    lines = changed("workload: Worked example", new).err.splitlines()
    assert lines and all(len(line) < 1000 for line in lines)
    assert all(line.startswith("error: ") and "w.yaml:3: " in line for line in lines)
