"""The docs in the repository: links that resolve, and a worked example that is what the engine computes."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from tco.api import run_compare
from tests.conftest import FIXTURES, REPO

DOCS = [REPO / "README.md", REPO / "CONTRIBUTING.md", *sorted((REPO / "docs").glob("*.md"))]


@pytest.mark.parametrize("page", DOCS, ids=lambda p: str(p.relative_to(REPO)))
def test_every_relative_link_points_into_the_repository(page):
    for target in re.findall(r"\]\(([^)#\s]+)", page.read_text()):
        if "://" in target:
            continue
        resolved = (page.parent / target).resolve()
        assert resolved.exists(), f"{page.name}: {target}"
        assert resolved.is_relative_to(REPO), f"{page.name}: {target} is outside the repository"


def test_the_readme_points_to_the_cost_model():
    assert "](docs/cost-model.md)" in (REPO / "README.md").read_text()


def test_the_worked_example_in_the_docs_is_what_the_engine_computes():
    text = (REPO / "docs" / "cost-model.md").read_text()
    doc = run_compare(FIXTURES / "worked_example.yaml", dt.date(2026, 6, 1), FIXTURES / "pricebooks")
    x, three, y = (next(r for r in doc["results"] if r["candidate"] == name)
                   for name in ("example/x", "X, three attempts", "example/y"))
    for figure in (x["per_task_cost"], x["success_adjusted_cost"], x["cost_per_completed_task"],
                   x["human_baseline"], x["period_cost"], x["risk"]["customer_failure_spend"], three["per_task_cost"],
                   y["per_task_cost"]):
        assert f"**${figure}**" in text
    assert f"**{x['break_even_success_rate']}**" in text
    assert y["success_adjusted_cost"].startswith("1.149923") and "**$1.149923…**" in text
