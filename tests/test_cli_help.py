"""The command line as a user meets it: shell completion, formats named in --help, hints, which tree validate checks."""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest

from tests.conftest import FIXTURES, REPO

FORMATS = {
    ("compare",): "table|json|markdown|csv",
    ("sensitivity",): "table|json|markdown|csv",
    ("breakeven",): "table|json|markdown|csv",
    ("history",): "table|json|markdown|csv",
    ("pricebook", "validate"): "table|json",
    ("pricebook", "list"): "table|json",
    ("pricebook", "show"): "table|json",
    ("pricebook", "import"): "table|json",
    ("pricebook", "diff"): "table|markdown|json",
}


@pytest.mark.parametrize("command", FORMATS, ids=" ".join)
def test_help_names_exactly_the_formats_a_command_takes(tco, command):
    run = tco(*command, "--help")
    assert run.code == 0
    assert re.findall(r"--format\s+-f\s+\[([a-z|]+)\]", run.out) == [FORMATS[command]]


@pytest.mark.parametrize("command", FORMATS, ids=" ".join)
def test_a_format_a_command_does_not_take_is_refused_naming_those_it_does(tco, command):
    run = tco(*command, "--format", "yaml")
    assert run.code == 2
    assert f"'yaml' is not one of {FORMATS[command].replace('|', ', ')}" in " ".join(run.err.split())


def test_pricebook_list_refuses_csv_before_reading_anything(tco):
    run = tco("pricebook", "list", "--format", "csv")
    assert run.code == 2
    assert "'csv' is not one of table, json" in run.err


@pytest.mark.parametrize("format", ["xlsx", "XLSX", "excel"])
def test_a_workbook_format_points_to_export(tco, format):
    run = tco("compare", str(FIXTURES / "worked_example.yaml"), "--format", format)
    assert run.code == 2
    assert "a workbook is written by `tco export WORKLOAD --output FILE.xlsx`" in " ".join(run.err.replace("│", "").split())
    assert "Traceback" not in run.err


def test_a_misspelt_format_names_the_nearest(tco):
    run = tco("compare", str(FIXTURES / "worked_example.yaml"), "--format", "jsno")
    assert run.code == 2
    assert "did you mean 'json'?" in run.err


# Shell completion


def complete(tco, monkeypatch, words: str) -> list[str]:
    """What bash completion offers after `words` (the last word being typed)."""
    monkeypatch.setenv("_TCO_COMPLETE", "complete_bash")
    monkeypatch.setenv("COMP_WORDS", words)
    monkeypatch.setenv("COMP_CWORD", str(len(words.split(" ")) - 1))
    run = tco()
    assert run.code == 0, run.err
    return run.out.split()


def test_completion_offers_commands_options_and_formats(tco, monkeypatch):
    assert complete(tco, monkeypatch, "tco his") == ["history"]
    assert complete(tco, monkeypatch, "tco pricebook v") == ["validate"]
    assert complete(tco, monkeypatch, "tco compare w.yaml --format ") == ["table", "json", "markdown", "csv"]
    assert complete(tco, monkeypatch, "tco pricebook diff main --format ") == ["table", "markdown", "json"]


@pytest.fixture
def named_shell(monkeypatch):
    """Name the shell on the command line instead of detecting it from the processes running the tests
    (typer's switch for its own tests), so the tests pass under any shell or none."""
    monkeypatch.setenv("_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION", "1")


def test_show_completion_prints_the_script_for_a_shell(tco, named_shell):
    run = tco("--show-completion", "bash")
    assert run.code == 0, run.err
    assert "_TCO_COMPLETE=complete_bash" in run.out and "complete -o default -F _tco_completion tco" in run.out
    assert "compdef _tco_completion tco" in tco("--show-completion", "zsh").out


def test_install_completion_writes_the_script_and_sources_it(tco, named_shell, monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path))
    run = tco("--install-completion", "bash")
    assert run.code == 0, run.err
    script = tmp_path / ".bash_completions" / "tco.sh"
    assert "_TCO_COMPLETE=complete_bash" in script.read_text()
    assert f"source '{script}'" in (tmp_path / ".bashrc").read_text()


def test_help_lists_the_completion_options(tco):
    run = tco("--help")
    assert "--install-completion" in run.out and "--show-completion" in run.out


# Which price books `pricebook validate` checks


@pytest.fixture
def checkout(tmp_path):
    """A git repository holding the fixture price books in pricebooks/, and a subdirectory to work in."""
    shutil.copytree(FIXTURES / "pricebooks", tmp_path / "pricebooks")
    (tmp_path / "docs").mkdir()
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    return tmp_path


def test_validate_inside_a_checkout_checks_its_pricebooks(tco, checkout, monkeypatch):
    monkeypatch.chdir(checkout / "docs")
    run = tco("pricebook", "validate")
    assert run.code == 0, run.err
    assert run.out.strip() == "ok: 1 price-book files, 2 offers from 1 vendors in ../pricebooks (this checkout's price books)"
    shown = json.loads(tco("pricebook", "validate", "--format", "json").out)
    assert (shown["tree"], shown["directory"], shown["files"]) == ("checkout", "../pricebooks", 1)


def test_validate_inside_a_checkout_reports_the_files_being_edited(tco, checkout, monkeypatch):
    monkeypatch.chdir(checkout)
    book = checkout / "pricebooks" / "example" / "2026-01-01.yaml"
    book.write_text(book.read_text().replace("input_mtok: 3,", "input_mtok: -3,"))
    run = tco("pricebook", "validate")
    assert run.code == 2
    assert "pricebooks/example/2026-01-01.yaml:" in run.err and "input_mtok" in run.err


def test_validate_outside_a_checkout_checks_the_bundled_price_books(tco, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    run = tco("pricebook", "validate", "--format", "json")
    assert run.code == 0, run.err
    shown = json.loads(run.out)
    assert shown["tree"] == "bundled" and shown["files"] == len(list((REPO / "pricebooks").glob("*/*.yaml")))
    assert "(the price books bundled with tco)" in tco("pricebook", "validate").out


# Help text reads as sentences


def every_command(command=None, path=()):
    """Each command and group of the app as its argv: (), ("compare",), ("pricebook", "diff"), …"""
    import typer

    from tco.cli.app import app

    command = command or typer.main.get_command(app)
    yield path
    for name, sub in sorted(getattr(command, "commands", {}).items()):
        yield from every_command(sub, (*path, name))


def broken_lines(help_text: str) -> list[str]:
    """Places a line ends mid-sentence: no punctuation at its end, and the next line goes on in lower case. Help
    rendered wide enough never wraps, so such a break is one the source kept."""
    lines = ["" if line.startswith(("╭", "╰")) else line.strip(" │") for line in help_text.splitlines()]  # panel titles
    return [f"{a} ⏎ {b}" for a, b in zip(lines, lines[1:], strict=False) if a and b and a[-1].isalnum() and b[0].islower()]


@pytest.mark.parametrize("command", list(every_command()), ids=lambda c: " ".join(c) or "tco")
def test_help_paragraphs_are_never_broken_mid_sentence(tco, monkeypatch, command):
    monkeypatch.setenv("COLUMNS", "1000")
    run = tco(*command, "--help")
    assert run.code == 0, run.err
    assert broken_lines(run.out) == []


def test_a_help_line_broken_mid_sentence_is_found():
    assert broken_lines(" the chance each candidate is\n cheapest, and how bad\n") == ["the chance each candidate is ⏎ cheapest, and how bad"]
    assert broken_lines("│ summary  and cost per run and per │\n│          successful task │") != []
    assert broken_lines(" Rank the candidates.\n\n With --simulate N, …\n") == []
