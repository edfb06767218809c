"""The cache of checked files: the same file read again comes from the cache; anything else is read afresh."""

from __future__ import annotations

import os
import shutil

import pytest
from conftest import FIXTURES, REPO

from tco.errors import TcoError
from tco.files import cache
from tco.files.pricebooks import load_catalog, load_selection
from tco.files.validation import validate
from tco.files.yaml_source import read_yaml
from tco.models.workload import Workload


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("TCO_CACHE_DIR", str(folder))
    cache.directory.cache_clear()
    yield folder
    cache.directory.cache_clear()


def entries(folder):
    return sorted(p.name for p in folder.rglob("*.pickle"))


def test_a_file_checked_again_is_taken_from_the_cache(cache_dir, tmp_path):
    path = tmp_path / "w.yaml"
    shutil.copy(REPO / "examples" / "support-bot.yaml", path)
    first = validate(Workload, read_yaml(path))
    assert len(entries(cache_dir)) == 2  # what the file was read into, and the workload built from it
    again = read_yaml(path, "shown/as/w.yaml")
    assert again.file == "shown/as/w.yaml"  # the name it is shown by is this run's
    assert validate(Workload, again) == first and len(entries(cache_dir)) == 2


def test_a_changed_file_is_read_afresh(cache_dir, tmp_path):
    path = tmp_path / "w.yaml"
    text = (REPO / "examples" / "support-bot.yaml").read_text()
    path.write_text(text)
    assert validate(Workload, read_yaml(path)).seats == 15
    path.write_text(text.replace("seats: 15 ", "seats: 16 "))
    assert validate(Workload, read_yaml(path)).seats == 16
    assert len(entries(cache_dir)) == 4


def test_a_broken_entry_is_ignored_and_replaced(cache_dir, tmp_path):
    path = tmp_path / "w.yaml"
    shutil.copy(REPO / "examples" / "support-bot.yaml", path)
    first = validate(Workload, read_yaml(path))
    for entry in cache_dir.rglob("*.pickle"):
        entry.write_bytes(b"not a pickle")
    assert validate(Workload, read_yaml(path)) == first
    assert all(entry.read_bytes() != b"not a pickle" for entry in cache_dir.rglob("*.pickle"))


def test_a_file_with_problems_is_not_kept(cache_dir, write):
    path = write("w.yaml", "workload: x\nworkload: y\n")  # a duplicate key
    with pytest.raises(TcoError, match="duplicate"):
        validate(Workload, read_yaml(path))
    assert entries(cache_dir) == []


def test_a_price_book_selection_from_the_cache_is_the_same(cache_dir):
    import datetime as dt

    first = load_selection(None, dt.date(2026, 12, 1), ["anthropic/claude-sonnet-4.6"])
    again = load_selection(None, dt.date(2026, 12, 1), ["anthropic/claude-sonnet-4.6"])
    assert entries(cache_dir) and again.books == first.books and again.tokenizers == first.tokenizers


def test_a_price_book_from_the_cache_still_names_the_line_of_a_problem(cache_dir, tmp_path):
    tree = tmp_path / "pricebooks"
    shutil.copytree(FIXTURES / "pricebooks", tree)
    book = tree / "example" / "2026-01-01.yaml"
    book.write_text(book.read_text().replace("tokenizer: o200k", "tokenizer: o200"))  # valid alone, not in the tree
    for _ in range(2):  # read and checked, then the book from the cache: its lines are read only for the problem
        with pytest.raises(TcoError) as raised:
            load_catalog(tree)
        assert [(p.line, p.field) for p in raised.value.problems] == [(10, "offers.x.tokenizer")]
    assert any(entries(cache_dir))


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="POSIX permissions")
def test_a_directory_others_may_write_to_is_not_used(cache_dir, tmp_path):
    cache_dir.mkdir(mode=0o777)
    os.chmod(cache_dir, 0o777)
    assert cache.directory() is None
    shutil.copy(REPO / "examples" / "support-bot.yaml", tmp_path / "w.yaml")
    validate(Workload, read_yaml(tmp_path / "w.yaml"))
    assert entries(cache_dir) == []


def test_entries_for_code_unused_for_a_week_are_removed(cache_dir, tmp_path):
    old, recent = cache_dir / "old-code", cache_dir / "recent-code"
    for folder in (old, recent):
        folder.mkdir(parents=True)
        (folder / "x.pickle").write_bytes(b"")
    os.utime(old, (0, 0))
    shutil.copy(REPO / "examples" / "support-bot.yaml", tmp_path / "w.yaml")
    read_yaml(tmp_path / "w.yaml")  # the first entry for this code
    assert not old.exists() and recent.exists()


def test_the_cache_is_off_when_its_directory_is_set_empty(monkeypatch):
    monkeypatch.setenv("TCO_CACHE_DIR", "")
    cache.directory.cache_clear()
    try:
        assert cache.directory() is None
    finally:
        cache.directory.cache_clear()
