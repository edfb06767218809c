"""Shared helpers: run the CLI in-process and write small YAML files."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

from tco.cli.app import main

FIXTURES = Path(__file__).parent / "fixtures"
REPO = Path(__file__).parent.parent


@dataclass
class Run:
    code: int
    out: str
    err: str


@pytest.fixture
def tco(capsys, monkeypatch):
    """Run `tco ARGS…` in-process: `tco("compare", "w.yaml")` → Run(code, out, err)."""
    monkeypatch.setenv("COLUMNS", "200")

    def run(*argv: str) -> Run:
        code = main(list(argv))
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return run


@pytest.fixture
def write(tmp_path):
    """Write dedented text to a file under tmp_path: `write("a/b.yaml", "...")` → its Path."""

    def _write(name: str, text: str) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
        return path

    return _write
