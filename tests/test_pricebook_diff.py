"""`tco pricebook diff` and `validate --base/--max-age` on real git repositories made in a temporary directory."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest

from tco.engine.pricebook_diff import FieldChange, flatten, immutability
from tests.conftest import FIXTURES

BOOK = FIXTURES / "pricebooks" / "example" / "2026-01-01.yaml"
GIT_ENV = {"GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "test@example.com", "GIT_COMMITTER_NAME": "Test",
           "GIT_COMMITTER_EMAIL": "test@example.com", "GIT_CONFIG_NOSYSTEM": "1"}


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(["git", "-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main", *args], cwd=repo,
                          capture_output=True, text=True, env={**os.environ, **GIT_ENV, "HOME": str(repo)})
    assert done.returncode == 0, done.stderr
    return done.stdout


def commit(repo: Path, message: str) -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)


@pytest.fixture
def repo(tmp_path, monkeypatch) -> Path:
    """A git repository with the fixture price books and the worked-example workload, committed; cwd is inside it."""
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q")
    shutil.copytree(FIXTURES / "pricebooks", root / "pricebooks")
    (root / "examples").mkdir()
    shutil.copy(FIXTURES / "worked_example.yaml", root / "examples" / "worked.yaml")
    commit(root, "price books")
    monkeypatch.chdir(root)
    return root


def new_version(repo: Path, date: str, edit=lambda text: text) -> Path:
    """Add `example/<date>.yaml`: the published book re-dated, with `edit` applied to its text."""
    text = BOOK.read_text().replace("version: 2026-01-01", f"version: {date}")
    path = repo / "pricebooks" / "example" / f"{date}.yaml"
    path.write_text(edit(text))
    return path


def dearer_input(text: str) -> str:
    return text.replace("rates: {input_mtok: 3,", "rates: {input_mtok: 4,")


def without_y(text: str) -> str:
    return text[: text.index("  y:\n")]


# --- a new version with a rate change ------------------------------------------------------------------------


def test_new_version_rate_change_and_its_effect(repo, tco):
    new_version(repo, "2026-03-01", dearer_input)
    run = tco("pricebook", "diff", "HEAD", "--format", "json")
    assert run.code == 0, run.err
    doc = json.loads(run.out)
    assert doc["ok"] is True and doc["violations"] == []
    assert doc["versions"] == [{"vendor": "example", "base": "2026-01-01", "head": "2026-03-01"}]
    assert doc["rates"] == [{"subject": "example/x", "field": "rates.input_mtok", "old": "3", "new": "4",
                             "change_percent": "33.33"}]
    assert doc["added"] == doc["removed"] == []
    (workload,) = doc["workloads"]
    assert workload["file"] == "examples/worked.yaml" and workload["changed"]
    x = workload["candidates"][0]
    # 1,000 uncached input tokens a call at $1 more per million: +$0.001 a call, 5 calls an attempt.
    assert x["before"] == {"per_task_cost": "0.0765", "cost_per_completed_task": "6.0765"}
    assert x["after"] == {"per_task_cost": "0.0815", "cost_per_completed_task": "6.0815"}
    assert x["change"]["per_task_cost"] == "0.005"
    assert x["change"]["per_task_cost_percent"] == "6.54"
    y = workload["candidates"][2]
    assert y["offer"] == "example/y" and not y["changed"] and y["change"]["per_task_cost"] == "0"


def test_a_workload_with_ranges_is_costed_at_its_likely_values(repo, tco):
    worked = (repo / "examples" / "worked.yaml").read_text()
    (repo / "examples" / "worked.yaml").write_text(worked.replace("tasks: 10000", "tasks: {low: 8000, likely: 10000, high: 12000}"))
    new_version(repo, "2026-03-01", dearer_input)
    run = tco("pricebook", "diff", "HEAD", "--format", "json")
    assert run.code == 0, run.err
    x = json.loads(run.out)["workloads"][0]["candidates"][0]
    assert x["after"] == {"per_task_cost": "0.0815", "cost_per_completed_task": "6.0815"}


def test_markdown_is_a_pull_request_comment(repo, tco):
    new_version(repo, "2026-03-01", dearer_input)
    run = tco("pricebook", "diff", "HEAD", "--format", "markdown")
    assert run.code == 0, run.err
    assert run.out.startswith("### tco price-book diff: `HEAD` → `working tree`\n")
    assert "| `example/x` | `rates.input_mtok` | 3 | 4 | +33.33% |" in run.out
    assert "| example/x | $0.0765 | $0.0815 | +$0.005 (+6.54%) | $6.08 | $6.08 | +$0.005 (+0.08%) |" in run.out
    assert "Versions: example 2026-01-01 → 2026-03-01." in run.out
    assert "Refused" not in run.out


def test_table_and_validate_base_pass_for_a_new_version(repo, tco):
    new_version(repo, "2026-03-01", dearer_input)
    table = tco("pricebook", "diff", "HEAD")
    assert table.code == 0, table.err
    assert "rates.input_mtok" in table.out and "+33.33%" in table.out
    run = tco("pricebook", "validate", "--base", "HEAD")
    assert run.code == 0, run.err
    assert "no published version changed since HEAD" in run.out


def test_two_revisions(repo, tco):
    new_version(repo, "2026-03-01", dearer_input)
    commit(repo, "example: input up")
    run = tco("pricebook", "diff", "HEAD~1", "HEAD", "--format", "json", "--workload", "examples/worked.yaml")
    assert run.code == 0, run.err
    doc = json.loads(run.out)
    assert (doc["base"], doc["head"]) == ("HEAD~1", "HEAD")
    assert [r["field"] for r in doc["rates"]] == ["rates.input_mtok"]


def test_a_directory_on_either_side(repo, tco, tmp_path):
    other = tmp_path / "other"
    shutil.copytree(repo / "pricebooks", other)
    (other / "example" / "2026-01-01.yaml").write_text(dearer_input(BOOK.read_text()))
    run = tco("pricebook", "diff", "pricebooks", str(other), "--format", "json")
    assert run.code == 1  # the directory named BASE holds published versions too
    assert json.loads(run.out)["rates"][0]["new"] == "4"


# --- published versions are immutable ------------------------------------------------------------------------


def test_in_place_edit_is_refused(repo, tco):
    published = repo / "pricebooks" / "example" / "2026-01-01.yaml"
    published.write_text(dearer_input(published.read_text()))
    run = tco("pricebook", "diff", "HEAD", "--format", "markdown")
    assert run.code == 1
    assert "**Refused: published price-book versions changed.**" in run.out
    assert "error: example/2026-01-01.yaml: published version edited in place" in run.err
    assert "Traceback" not in run.err
    validate = tco("pricebook", "validate", "--base", "HEAD")
    assert validate.code == 1
    assert "example/2026-01-01.yaml: published version edited in place" in validate.err
    assert "new file example/YYYY-MM-DD.yaml" in validate.err


def test_in_place_edit_committed_is_refused_between_revisions(repo, tco):
    published = repo / "pricebooks" / "example" / "2026-01-01.yaml"
    published.write_text(published.read_text().replace("name: Offer X", "name: Offer X (renamed)"))
    commit(repo, "edit in place")
    run = tco("pricebook", "validate", "--base", "HEAD~1", "--format", "json")
    assert run.code == 1
    doc = json.loads(run.out)
    assert doc["ok"] is False
    assert doc["violations"][0]["kind"] == "edited"


def test_history_older_than_every_published_version_may_be_added(repo, tco):
    """It prices dates that had no prices and changes none that had; a version between published ones is refused
    (test_immutability_rules)."""
    new_version(repo, "2025-12-01", dearer_input)
    run = tco("pricebook", "validate", "--base", "HEAD")
    assert run.code == 0, run.err


def test_removed_version_is_flagged(repo, tco):
    new_version(repo, "2026-03-01")
    (repo / "pricebooks" / "example" / "2026-01-01.yaml").unlink()
    run = tco("pricebook", "validate", "--base", "HEAD")
    assert run.code == 1
    assert "example/2026-01-01.yaml: published version removed" in run.err


def test_bad_input_stays_exit_2(repo, tco):
    new_version(repo, "2026-03-01", lambda t: t.replace("input_mtok: 3,", "input_mtok: -3,"))
    run = tco("pricebook", "validate", "--base", "HEAD")
    assert run.code == 2
    assert "pricebooks/example/2026-03-01.yaml:" in run.err


# --- offers added and removed --------------------------------------------------------------------------------


def test_removed_offer(repo, tco):
    new_version(repo, "2026-03-01", without_y)
    run = tco("pricebook", "diff", "HEAD", "--format", "json")
    assert run.code == 0, run.err
    doc = json.loads(run.out)
    assert doc["removed"] == [{"offer": "example/y", "scheme": "per_resolution", "name": "Offer Y",
                               "version": "2026-01-01"}]
    y = doc["workloads"][0]["candidates"][2]
    assert y["changed"] and y["after"] is None and y["before"]["per_task_cost"] == "0.74745"
    assert y["error_after"] == "example/y is not in these price books"
    markdown = tco("pricebook", "diff", "HEAD", "--format", "markdown").out
    assert "#### Offers removed" in markdown and "| `example/y` | per_resolution | Offer Y | 2026-01-01 |" in markdown
    assert "| example/y | $0.7475 | – | removed |" in markdown


def test_added_offer(repo, tco):
    def with_z(text: str) -> str:
        z = text[text.index("  y:\n"):].replace("  y:\n", "  z:\n").replace("name: Offer Y", "name: Offer Z")
        return text + z

    new_version(repo, "2026-03-01", with_z)
    doc = json.loads(tco("pricebook", "diff", "HEAD", "--format", "json").out)
    assert [a["offer"] for a in doc["added"]] == ["example/z"]


# --- errors naming the revision ------------------------------------------------------------------------------


def test_unknown_revision(repo, tco):
    run = tco("pricebook", "diff", "no-such-branch")
    assert run.code == 2
    assert "'no-such-branch' is neither a price-book directory nor a revision" in run.err
    assert "fetch-depth: 0" in run.err


def test_revision_without_pricebooks(repo, tco):
    git(repo, "rm", "-r", "-q", "pricebooks")
    commit(repo, "no price books")
    git(repo, "checkout", "-q", "HEAD~1", "--", "pricebooks")
    run = tco("pricebook", "diff", "HEAD")
    assert run.code == 2
    assert "revision HEAD" in run.err and "has no pricebooks/ directory" in run.err


def test_problems_in_a_revision_name_it(repo, tco):
    published = repo / "pricebooks" / "example" / "2026-01-01.yaml"
    good = published.read_text()
    published.write_text(good.replace("currency: USD", "currency: EUR"))
    commit(repo, "broken")
    published.write_text(good)
    run = tco("pricebook", "diff", "HEAD")
    assert run.code == 2
    assert "HEAD:pricebooks/example/2026-01-01.yaml:5: currency" in run.err


def test_outside_a_repository(tmp_path, monkeypatch, tco):
    monkeypatch.chdir(tmp_path)
    run = tco("pricebook", "diff", "main", str(FIXTURES / "pricebooks"))
    assert run.code == 2
    assert "not in a git repository" in run.err


# --- freshness -----------------------------------------------------------------------------------------------


def test_max_age_warns_on_stderr(tco):
    run = tco("pricebook", "validate", str(FIXTURES / "pricebooks"), "--max-age", "30")
    assert run.code == 0
    assert run.out.startswith("ok:")
    assert "warning: example/x (example/2026-01-01.yaml): retrieved 2026-01-01" in run.err
    assert "over --max-age 30" in run.err
    quiet = tco("pricebook", "validate", str(FIXTURES / "pricebooks"), "--max-age", "100000")
    assert quiet.code == 0 and quiet.err == ""


def test_max_age_in_json(tco):
    run = tco("pricebook", "validate", str(FIXTURES / "pricebooks"), "--max-age", "30", "--format", "json")
    stale = json.loads(run.out)["stale"]
    assert [s["offer"] for s in stale] == ["example/x", "example/y"]
    assert stale[0]["retrieved"] == "2026-01-01"


# --- the pure parts ------------------------------------------------------------------------------------------


def test_flatten_gives_dotted_paths():
    flat = flatten({"rates": {"input_mtok": Decimal("3")}, "tiers": [{"above": 1}], "urls": ["a"]})
    assert flat == {"rates.input_mtok": Decimal("3"), "tiers[0].above": 1, "urls[0]": "a"}


def test_percent_of_a_rate_change():
    assert FieldChange("v/o", "rates.input_mtok", Decimal("2.5"), Decimal("3")).percent == Decimal(20)
    assert FieldChange("v/o", "rates.cached_input_mtok", None, Decimal("3")).percent is None
    assert not FieldChange("v/o", "name", "a", "b").is_rate


def test_immutability_rules():
    base = {"a/2026-01-01.yaml": "1", "a/2026-02-01.yaml": "2", "b/2026-01-01.yaml": "3"}
    head = {"a/2026-01-01.yaml": "1", "a/2026-02-01.yaml": "changed", "a/2026-03-01.yaml": "4",
            "a/2026-01-15.yaml": "5", "c/2020-01-01.yaml": "6"}
    kinds = {(v.file, v.kind) for v in immutability(base, head)}
    assert kinds == {("a/2026-02-01.yaml", "edited"), ("b/2026-01-01.yaml", "removed"),
                     ("a/2026-01-15.yaml", "backdated")}
    assert immutability(base, {**base, "a/2026-03-01.yaml": "x", "a/2025-06-01.yaml": "history"}) == []
