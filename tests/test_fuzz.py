"""Fuzzing: workloads and price books drawn from the JSON Schemas, and hostile mutations of the bundled examples
and books, never end in a traceback. Every run exits 0 or 2, every error line names a file and a line, and no run
hangs or swallows memory (issue 12).

A run that takes longer than `HANG_SECONDS` or grows the process by more than `MEMORY_MB` fails: these are
guards against hangs and runaway allocation, not timings (benchmarks/ measures speed).
"""

from __future__ import annotations

import json
import math
import os
import random
import re
import resource
import shutil
import signal
from contextlib import contextmanager
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from tco.cli.app import main
from tests.conftest import FIXTURES, REPO

PRICEBOOKS = REPO / "pricebooks"
HANG_SECONDS = 30
MEMORY_MB = 500
EXAMPLES = int(os.environ.get("TCO_FUZZ_EXAMPLES", 100))
"""Examples per fuzz test. The suite draws the same ones every run; a deeper run draws new ones each time:
TCO_FUZZ_EXAMPLES=2000 python -m pytest tests/test_fuzz.py"""
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize="TCO_FUZZ_EXAMPLES" not in os.environ, database=None,
                phases=[Phase.explicit, Phase.generate],  # no shrinking: a failing example is reported as drawn
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much,
                                       HealthCheck.function_scoped_fixture])
AS_OF = "2026-06-01"
TYPICAL = [0, 0.05, 0.5, 0.8, 1, 2, 3, 12, 45, 1000, 40000]
"""Numbers a workload or price book holds, drawn as often as the extremes."""


# Strategies from the JSON Schemas


def from_schema(node: dict, root: dict, overrides: dict[str, st.SearchStrategy] | None = None) -> st.SearchStrategy:
    """Values a JSON Schema (the subset pydantic writes) admits; `overrides` replaces the strategy of named
    properties (e.g. `offer`, so that candidates name offers the books sell)."""
    overrides = overrides or {}

    def values(node: dict) -> st.SearchStrategy:
        if "$ref" in node:
            target = root
            for part in node["$ref"].removeprefix("#/").split("/"):
                target = target[part]
            return st.deferred(lambda: values(target))
        if "const" in node:
            return st.just(node["const"])
        if "enum" in node:
            return st.sampled_from(node["enum"])
        for key in ("anyOf", "oneOf"):
            if key in node:
                return st.one_of([values(member) for member in node[key]])
        kind = node.get("type")
        if kind == "null":
            return st.none()
        if kind == "boolean":
            return st.booleans()
        if kind in ("number", "integer"):
            low = node.get("minimum", node.get("exclusiveMinimum"))
            high = node.get("maximum", node.get("exclusiveMaximum"))
            first = None if low is None else math.floor(low) + 1 if "exclusiveMinimum" in node else math.ceil(low)
            last = None if high is None else math.ceil(high) - 1 if "exclusiveMaximum" in node else math.floor(high)
            whole = st.integers(min_value=first, max_value=last)
            if kind == "integer":
                return whole
            floats = st.floats(min_value=low, max_value=high, exclude_min="exclusiveMinimum" in node,
                               exclude_max="exclusiveMaximum" in node, allow_nan=False, allow_infinity=False)
            typical = st.sampled_from([v for v in TYPICAL if (first is None or v >= low) and (last is None or v <= high)
                                       and v not in (node.get("exclusiveMinimum"), node.get("exclusiveMaximum"))] or [low])
            return floats if first is not None and last is not None and first > last else st.one_of(typical, whole, floats)
        if kind == "string":
            if node.get("format") == "date":
                return st.dates()
            if node.get("format") == "uri":
                return st.sampled_from(["https://example.com/pricing", "http://x", "ftp://x", "not a url"])
            if "pattern" in node:
                return st.from_regex(node["pattern"], fullmatch=True).filter(lambda s: len(s) < 40)
            return st.text(st.characters(exclude_categories=["Cs"]), min_size=node.get("minLength", 0), max_size=20)
        if kind == "array":
            return st.lists(values(node.get("items", {})), min_size=node.get("minItems", 0), max_size=3)
        if kind == "object" or "properties" in node:
            props = node.get("properties", {})
            strategy = {k: overrides[k] if k in overrides else values(v) for k, v in props.items()}
            required = set(node.get("required", ()))
            if props:
                return st.fixed_dictionaries({k: s for k, s in strategy.items() if k in required},
                                             optional={k: s for k, s in strategy.items() if k not in required})
            pattern = next(iter(node.get("patternProperties", {})), None)
            keys = st.from_regex(pattern, fullmatch=True).filter(lambda s: len(s) < 20) if pattern else st.text(max_size=10)
            inner = node.get("additionalProperties") or next(iter(node.get("patternProperties", {}).values()), {})
            return st.dictionaries(keys, values(inner) if isinstance(inner, dict) else st.integers(),
                                   min_size=node.get("minProperties", 0), max_size=3)
        return st.one_of(st.none(), st.integers(), st.text(max_size=5))

    return values(node)


def schema(kind: str) -> dict:
    return json.loads((PRICEBOOKS / f"{kind}.schema.json").read_text())


WORKLOAD_SCHEMA = schema("workload")
BOOK_SCHEMA = schema("pricebook")
workloads = from_schema(WORKLOAD_SCHEMA, WORKLOAD_SCHEMA, {
    "offer": st.sampled_from(["example/x", "example/y", "example/z", "exmaple/x"]),
    "tokenizer": st.sampled_from(["o200k", "wide", "nonesuch"]),
})
books = from_schema(BOOK_SCHEMA, BOOK_SCHEMA, {"vendor": st.just("fuzz"), "version": st.just("2026-01-01")})


# Mutations of the bundled files

HOSTILE = [
    "1000000000000000000", "1.0e+308", "1.0e-999999", "1e6", "-1", "0", "55", "0.999999999999", "9" * 5000,
    "~", "''", "[]", "{}", "[1, 2, 3]", "{low: 1, likely: 2, high: 3}", "{low: 3, likely: 2, high: 1}",
    "{mean: 1, sd: 100}", "{successes: 5, trials: 10}", "{successes: 11, trials: 10}", '"\\e[2J\\e]0;t\\a"',
    "2026-02-30", "2099-01-01", "&a [*a]", "yes", ".nan", ".inf", "!!python/object/apply:os.system [ls]", "0x1F",
    "1:30", "[" * 80 + "]" * 80, "x" * 20000, "*undefined", "&dup 1", "'\r=1+1'", "{<<: {calls: 1}}",
]
LINES = [
    "unknown_key: 1", '"\\e[2J": 1', "<<: *nothing", "? [complex, key]\n: 1", "%YAML 1.1", "---", "\t- tab", "{",
    "a: &x {b: *x}",
]


def mutate(text: str, rng: random.Random) -> str:
    """`text` with one to three hostile edits: a value replaced, a line dropped, doubled or added, bytes inserted, or
    the file cut short."""
    for _ in range(rng.randint(1, 3)):
        lines = text.split("\n")
        i = rng.randrange(len(lines))
        edit = rng.randrange(7)
        if edit <= 2 and ":" in lines[i]:
            key = lines[i].split(":", 1)[0]
            lines[i] = f"{key}: {rng.choice(HOSTILE)}"
        elif edit == 3:
            del lines[i]
        elif edit == 4:
            lines.insert(i, lines[i])
        elif edit == 5:
            indent = re.match(r"\s*", lines[i])[0]
            lines.insert(i, indent + rng.choice(LINES))
        else:
            text = "\n".join(lines)
            at = rng.randrange(len(text) + 1)
            noise = rng.choice(["\x00", "\x1b", "\ufeff", "\r", "\xe9", "'", '"', "{", "&", "*", "!"])
            return text[:at] + noise + text[at:] if rng.random() < 0.8 else text[:at]
        text = "\n".join(lines)
    return text


SEED_WORKLOADS = [FIXTURES / "worked_example.yaml", *sorted((REPO / "examples").glob("*.yaml"))]
SEED_BOOKS = [FIXTURES / "pricebooks" / "example" / "2026-01-01.yaml", *sorted(PRICEBOOKS.glob("*/*.yaml"))]


# Running tco and checking how it ends


@contextmanager
def bounded():
    """Fail a run that hangs or grows the process by more than MEMORY_MB."""
    def hung(signum, frame):
        raise AssertionError(f"a run took more than {HANG_SECONDS} s")

    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(HANG_SECONDS)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert grown < MEMORY_MB, f"a run grew the process by {grown:.0f} MB"


def run(capsys, files: list[Path], *argv: str) -> int:
    """Run tco in-process; check the exit code, that no traceback escaped and every error line is located."""
    with bounded():
        code = main(list(argv))
    captured = capsys.readouterr()
    assert code in (0, 2), captured.err
    assert "Traceback" not in captured.err
    names = "|".join(re.escape(f.name) for f in files)
    for line in captured.err.splitlines():
        if line.startswith("error: "):
            assert re.match(rf"error: \S*({names}):\d+: ", line), f"an error line without a file and line: {line}"
        else:
            assert line.startswith("warning: "), f"stderr line neither an error nor a warning: {line}"
    return code


def tree(tmp_path: Path, book: str | None = None, name: str = "fuzz/2026-01-01.yaml") -> Path:
    """The fixture tree with the bundled tokenizer table, and `book` (text) added as `name`."""
    root = tmp_path / "pricebooks"
    shutil.rmtree(root, ignore_errors=True)
    shutil.copytree(FIXTURES / "pricebooks", root)
    shutil.copy(PRICEBOOKS / "tokenizers.yaml", root / "tokenizers.yaml")
    if book is not None:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(book, encoding="utf-8", errors="surrogateescape")
    return root


def compare(capsys, workload: Path, root: Path, *extra: str) -> int:
    """`tco compare` on `root`: the fixture books as of AS_OF, the bundled ones as of today (the examples' date)."""
    as_of = () if root == PRICEBOOKS else ("--as-of", AS_OF)
    return run(capsys, [workload, *root.rglob("*.yaml")], "compare", str(workload), "--pricebooks", str(root), *as_of, *extra)


@pytest.fixture(autouse=True)
def bundled_books_read_once(monkeypatch):
    """The bundled tree is never mutated: read it once, not once a run (the workload is what is fuzzed there)."""
    import tco.api
    import tco.files.pricebooks

    read = tco.files.pricebooks.load_catalog
    cache = {}

    def cached(root=None, *args, **kwargs):
        if root != PRICEBOOKS:
            return read(root, *args, **kwargs)
        key = repr((args, sorted(kwargs.items())))
        if key not in cache:
            cache[key] = read(root, *args, **kwargs)
        return cache[key]

    monkeypatch.setattr(tco.api, "load_catalog", cached)
    monkeypatch.setattr(tco.files.pricebooks, "load_catalog", cached)


@FUZZ
@given(data=workloads, format=st.sampled_from(["table", "json", "csv", "markdown"]))
def test_workloads_drawn_from_the_schema(capsys, tmp_path, data, format):
    path = tmp_path / "w.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True))
    compare(capsys, path, tree(tmp_path), "--format", format)


@FUZZ
@given(data=books)
def test_price_books_drawn_from_the_schema(capsys, tmp_path, data):
    root = tree(tmp_path, yaml.safe_dump(data, allow_unicode=True))
    run(capsys, list(root.rglob("*.yaml")), "pricebook", "validate", str(root))


@FUZZ
@given(seed=st.sampled_from(SEED_WORKLOADS), rng=st.randoms(use_true_random=False))
def test_mutated_workloads(capsys, tmp_path, seed, rng):
    path = tmp_path / "w.yaml"
    path.write_bytes(mutate(seed.read_text(), rng).encode("utf-8", "surrogatepass"))
    root = tree(tmp_path)
    if seed.parent.name == "examples":  # their offers are the bundled books'
        root = PRICEBOOKS
    compare(capsys, path, root, "--format", rng.choice(["table", "json", "csv"]))


@FUZZ
@given(seed=st.sampled_from(SEED_BOOKS), rng=st.randoms(use_true_random=False))
def test_mutated_price_books(capsys, tmp_path, seed, rng):
    text = seed.read_text()
    vendor = "example" if seed.parent.parent == FIXTURES / "pricebooks" else seed.parent.name
    root = tree(tmp_path, mutate(text, rng), f"{vendor}/{seed.name}")
    files = list(root.rglob("*.yaml"))
    if run(capsys, files, "pricebook", "validate", str(root)) == 0 and vendor == "example":
        compare(capsys, FIXTURES / "worked_example.yaml", root)


@pytest.mark.parametrize("seed", SEED_WORKLOADS, ids=lambda p: p.name)
def test_every_seed_runs_unmutated(capsys, seed):
    root = PRICEBOOKS if seed.parent.name == "examples" else FIXTURES / "pricebooks"
    assert compare(capsys, seed, root) == 0
