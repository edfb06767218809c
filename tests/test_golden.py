"""Every output format of `tco compare`, against files checked in under tests/golden/.

After an intended change of output, regenerate them with `TCO_UPDATE_GOLDEN=1 python3 -m pytest tests/test_golden.py`
and review the diff.
"""

from __future__ import annotations

import os
import re

import pytest

from tests.conftest import FIXTURES, REPO

GOLDEN = REPO / "tests" / "golden"
UPDATE = os.environ.get("TCO_UPDATE_GOLDEN") == "1"
SUFFIX = {"table": "txt", "json": "json", "markdown": "md", "csv": "csv"}


def masked(text: str) -> str:
    """Hide what changes without the output changing meaning: tco's own version."""
    return re.sub(r'"tco_version": "[^"]+"', '"tco_version": "*"', text)


@pytest.mark.parametrize("format", SUFFIX)
def test_worked_example_renders_as_before(tco, monkeypatch, format):
    monkeypatch.chdir(REPO)
    run = tco("compare", "tests/fixtures/worked_example.yaml", "--pricebooks", "tests/fixtures/pricebooks",
              "--as-of", "2026-06-01", "--format", format)
    assert run.code == 0, run.err
    golden = GOLDEN / f"worked_example.{SUFFIX[format]}"
    if UPDATE:
        golden.write_text(masked(run.out))
    assert masked(run.out) == golden.read_text()


def test_golden_fixture_workload_is_the_design_example():
    assert (FIXTURES / "worked_example.yaml").read_text().startswith("# The worked example of DESIGN.md")


VIEWS = {"80": (), "wide": ("--wide",), "chart": ("--chart", "--simulate", "200")}


@pytest.mark.parametrize("view", VIEWS)
def test_worked_example_table_views_at_80_columns_render_as_before(tco, monkeypatch, view):
    monkeypatch.chdir(REPO)
    monkeypatch.setenv("COLUMNS", "80")
    run = tco("compare", "tests/fixtures/worked_example.yaml", "--pricebooks", "tests/fixtures/pricebooks",
              "--as-of", "2026-06-01", *VIEWS[view])
    assert run.code == 0, run.err
    golden = GOLDEN / f"worked_example.{view}.txt"
    if UPDATE:
        golden.write_text(run.out)
    assert run.out == golden.read_text()
