"""Shared helpers: run the CLI in-process and write small YAML files."""

from __future__ import annotations

import os
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

from tco.cli.app import main

FIXTURES = Path(__file__).parent / "fixtures"
REPO = Path(__file__).parent.parent


@pytest.fixture(autouse=True, scope="session")
def _own_cache(tmp_path_factory):
    """The tests keep their cache of checked files (tco.files.cache) apart from the user's."""
    from tco.files import cache

    os.environ.setdefault("TCO_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
    cache.directory.cache_clear()


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
