"""Lifecycle dates on offers: a retired offer is refused (or rerouted to its replacement), a deprecated one warns in
every format, an offer not on sale says when it is, and `pricebook list` shows what is on sale on a date."""

from __future__ import annotations

import csv
import io
import json
import shutil

import pytest

from tests.conftest import FIXTURES

ACME_JANUARY = """\
vendor: acme
version: 2026-01-01
currency: USD
offers:
  old:
    scheme: per_token
    name: Acme Old
    tokenizer: o200k
    rates: {input_mtok: 3, output_mtok: 15}
    deprecated: 2026-03-01
    retired: 2026-06-01
    replacement: acme/new
    source_urls: [https://example.com/acme]
    retrieved: 2026-01-01
  new:
    scheme: per_token
    name: Acme New
    tokenizer: o200k
    rates: {input_mtok: 1, output_mtok: 5}
    released: 2026-02-01
    source_urls: [https://example.com/acme]
    retrieved: 2026-01-01
"""
ACME_JULY = """\
vendor: acme
version: 2026-07-01
currency: USD
offers:
  new:
    scheme: per_token
    name: Acme New
    tokenizer: o200k
    rates: {input_mtok: 1, output_mtok: 5}
    source_urls: [https://example.com/acme]
    retrieved: 2026-07-01
  later:
    scheme: per_token
    name: Acme Later
    tokenizer: o200k
    rates: {input_mtok: 2, output_mtok: 8}
    source_urls: [https://example.com/acme]
    retrieved: 2026-07-01
"""


@pytest.fixture
def tree(tmp_path):
    root = tmp_path / "pricebooks"
    shutil.copytree(FIXTURES / "pricebooks", root)
    (root / "acme").mkdir()
    (root / "acme" / "2026-01-01.yaml").write_text(ACME_JANUARY)
    (root / "acme" / "2026-07-01.yaml").write_text(ACME_JULY)
    return root


def workload(write, offer: str, extra: str = "") -> str:
    return str(write("w.yaml", f"""\
        workload: lifecycle
        tasks: 1000
        task: {{calls: 1, input_tokens: 1000, output_tokens: 100}}
        human: {{hourly_cost: 60, task_minutes: 10}}
        candidates:
          - offer: example/x
            success_rate: 0.8
          - offer: {offer}
            success_rate: 0.8{extra}
        """))


@pytest.fixture
def compare(tco, tree, write):
    def run(offer: str, as_of: str, *args: str, extra: str = ""):
        return tco("compare", workload(write, offer, extra), "--pricebooks", str(tree), "--as-of", as_of, *args)
    return run


DEPRECATED = ("acme/old is deprecated (announced 2026-03-01) and shuts down on 2026-06-01; "
              "the vendor names acme/new as its replacement")


def test_no_warning_before_the_shutdown_is_announced(compare):
    run = compare("acme/old", "2026-02-15", "--format", "json")
    assert run.code == 0, run.err
    assert [r["warnings"] for r in json.loads(run.out)["results"]] == [[], []]


def test_deprecated_offer_warns_with_its_shutdown_date_in_every_format(compare):
    doc = json.loads(compare("acme/old", "2026-04-01", "--format", "json").out)
    assert [r["warnings"] for r in doc["results"] if r["offer"] == "acme/old"] == [[DEPRECATED]]
    assert f"warning: acme/old: {DEPRECATED}" in " ".join(compare("acme/old", "2026-04-01").out.split())
    assert f"- acme/old: {DEPRECATED}" in compare("acme/old", "2026-04-01", "--format", "markdown").out
    rows = list(csv.DictReader(io.StringIO(compare("acme/old", "2026-04-01", "--format", "csv").out)))
    assert {r["offer"]: r["warnings"] for r in rows} == {"acme/old": DEPRECATED, "example/x": ""}


def test_deprecated_offer_warns_in_the_workbook(tco, tree, write, tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    out = tmp_path / "w.xlsx"
    run = tco("export", workload(write, "acme/old"), "--pricebooks", str(tree), "--as-of", "2026-04-01", "--output", str(out))
    assert run.code == 0, run.err
    book = openpyxl.load_workbook(out)
    texts = {str(c.value) for ws in book for row in ws.iter_rows() for c in row if c.value is not None}
    assert f"Warning: acme/old: {DEPRECATED}" in texts  # Summary's notes
    assert DEPRECATED in texts  # the Calc sheet's warning row


def test_retired_offer_is_an_error_naming_its_replacement(compare):
    run = compare("acme/old", "2026-06-01")
    assert run.code == 2
    assert ("w.yaml:8: candidates[1].offer: acme/old was retired on 2026-06-01, on or before the as-of date 2026-06-01; "
            "the vendor names acme/new as its replacement") in run.err
    assert "reroute_retired: true" in run.err and "Traceback" not in run.err


def test_retired_and_left_out_of_later_versions_still_names_its_replacement(compare):
    run = compare("acme/old", "2026-08-01")
    assert run.code == 2
    assert "acme/old was retired on 2026-06-01" in run.err and "acme/new as its replacement" in run.err


def test_reroute_prices_the_replacement(compare):
    run = compare("acme/old", "2026-08-01", "--format", "json", extra="\n            reroute_retired: true")
    assert run.code == 0, run.err
    (result,) = [r for r in json.loads(run.out)["results"] if r["candidate"] == "acme/old"]
    assert result["offer"] == "acme/new"
    assert result["pricebook"]["version"] == "2026-07-01"
    assert result["warnings"] == ["acme/old was retired on 2026-06-01; priced at its replacement acme/new (reroute_retired)"]
    # 1000 input at $1 + 100 output at $5 per million
    assert result["per_task_cost"] == "0.0015"


def test_not_yet_released(compare):
    run = compare("acme/new", "2026-01-15")
    assert run.code == 2
    assert ("candidates[1].offer: acme/new is not released until 2026-02-01, after the as-of date 2026-01-15; "
            "it is on sale from 2026-02-01 on (try --as-of 2026-02-01)") in run.err


def test_not_in_force_names_the_dates_it_is(compare):
    early = compare("acme/later", "2026-03-01")
    assert early.code == 2
    assert ("offer 'acme/later' is not in the price books in force on 2026-03-01; "
            "it is on sale from 2026-07-01 on (try --as-of 2026-07-01)") in early.err
    before_vendor = compare("acme/new", "2025-12-01")
    assert "it is on sale from 2026-02-01 on" in before_vendor.err


def test_replacement_must_exist(tco, tree):
    path = tree / "acme" / "2026-01-01.yaml"
    path.write_text(ACME_JANUARY.replace("replacement: acme/new", "replacement: acme/neww"))
    run = tco("pricebook", "validate", str(tree))
    assert run.code == 2
    assert "acme/2026-01-01.yaml:12: offers.old.replacement: 'acme/neww' is not a known offer id (vendor/offer) — did you mean 'acme/new'" in run.err


def test_list_shows_what_is_on_sale(tco, tree):
    def listed(*args: str) -> dict[str, str]:
        run = tco("pricebook", "list", "--pricebooks", str(tree), "--no-bundled", "--format", "json", *args)
        assert run.code == 0, run.err
        return {o["id"]: o["status"] for v in json.loads(run.out)["vendors"] for o in v["offers"]}

    assert listed("--as-of", "2026-04-01") == {"acme/old": "deprecated", "acme/new": "on sale", "example/x": "on sale",
                                               "example/y": "on sale"}
    assert listed("--as-of", "2026-08-01") == {"acme/new": "on sale", "acme/later": "on sale", "example/x": "on sale",
                                               "example/y": "on sale"}
    assert listed("--as-of", "2026-08-01", "--all")["acme/old"] == "retired"
    assert listed("--as-of", "2026-03-01", "--all")["acme/later"] == "not released"
    table = tco("pricebook", "list", "--pricebooks", str(tree), "--as-of", "2026-08-01", "--all").out
    assert "retired 2026-06-01" in table


def test_max_age_judges_each_offer_by_its_own_date(tco, tree):
    """In acme's newest version, `new` was last read in 2025, `later` in July 2026, and the retired `old` is kept."""
    old = ACME_JANUARY[ACME_JANUARY.index("  old:"):ACME_JANUARY.index("  new:")]
    july = ACME_JULY.replace("    retrieved: 2026-07-01\n", "    retrieved: 2025-07-01\n", 1) + old
    (tree / "acme" / "2026-07-01.yaml").write_text(july)
    run = tco("pricebook", "validate", str(tree), "--max-age", "90", "--format", "json")
    assert run.code == 0, run.err
    stale = {s["offer"]: s["retrieved"] for s in json.loads(run.out)["stale"]}
    # each offer by its own date; acme/old was retired on 2026-06-01, so nothing is left to check
    assert {k: v for k, v in stale.items() if k.startswith("acme/")} == {"acme/new": "2025-07-01",
                                                                          "acme/later": "2026-07-01"}
