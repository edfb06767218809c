"""`tco pricebook import genai-prices`: compare, draft and write, on a small fake of the genai-prices data shape
(no network, no package needed), and once on the real package data where it is installed."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from dataclasses import dataclass, field
from decimal import Decimal as D
from typing import Any

import pytest

from tco.errors import TcoError
from tco.files import genai_prices_import as gp
from tco.files.pricebooks import load_catalog
from tests.conftest import FIXTURES, REPO

PRICEBOOKS = FIXTURES / "pricebooks"


# --- a fake of genai_prices.types: the attributes the importer reads -----------------------------------------


@dataclass
class Tier:
    start: int
    price: D


@dataclass
class TieredPrices:
    base: D
    tiers: list[Tier]


@dataclass
class StartDateConstraint:
    start_date: dt.date


@dataclass
class TimeOfDateConstraint:
    start_time: dt.time
    end_time: dt.time


@dataclass
class ConditionalPrice:
    constraint: Any
    prices: dict[str, Any]


@dataclass
class PriceVariant:
    when: dict[str, str]
    prices: dict[str, Any]
    constraint: Any = None


@dataclass
class ModelInfo:
    id: str
    refs: tuple[str, ...]
    prices: Any
    price_variants: list[PriceVariant] = field(default_factory=list)
    name: str | None = None

    def is_match(self, ref: str) -> bool:
        return ref.lower() in self.refs


@dataclass
class Provider:
    id: str
    models: list[ModelInfo]
    pricing_urls: list[str] = field(default_factory=lambda: ["https://example.com/pricing"])


def fake_providers() -> list[Provider]:
    """Offer X of the fixture books, found by its name; its prices fell on 2026-02-01 and batch was priced then."""
    offer_x = ModelInfo(
        id="offer-x-2026", refs=("offer-x",),
        prices=[
            ConditionalPrice(None, {"input_mtok": D(3), "cache_read_mtok": D("0.3"), "output_mtok": D(15)}),
            ConditionalPrice(StartDateConstraint(dt.date(2026, 2, 1)), {
                "input_mtok": TieredPrices(D("2.5"), [Tier(200_000, D(5))]), "cache_read_mtok": D("0.25"),
                "output_mtok": D(15), "web_searches_kcount": D(10)}),
        ],
        price_variants=[PriceVariant({"processing": "batch"}, {"input_mtok": D("1.25"), "output_mtok": D("7.5")},
                                     StartDateConstraint(dt.date(2026, 2, 1)))],
    )
    decoy = ModelInfo(id="Other_Model", refs=(), prices={"input_mtok": TieredPrices(D(4), [Tier(128_000, D(8))]),
                                                           "output_mtok": D(20)}, name="Other Model",
                      price_variants=[PriceVariant({"processing": "batch"}, {"input_mtok": D(2)})])
    embedding = ModelInfo(id="embed", refs=(), prices={"input_mtok": D("0.1")})
    return [Provider("example", [decoy, offer_x, embedding]), Provider("unrelated", [])]


@pytest.fixture
def catalog():
    return load_catalog(PRICEBOOKS)


def draft(catalog, when: dt.date, version: dt.date | None = None) -> gp.ImportResult:
    return gp.draft(catalog, fake_providers(), "fake-prices 1.0", when, version or when)


# --- comparing -----------------------------------------------------------------------------------------------


def test_same_prices_no_difference(catalog):
    result = draft(catalog, dt.date(2026, 1, 15))
    assert result.matches == [gp.OfferMatch("example/x", "offer-x-2026", "offer-x")]
    assert result.differences == []
    assert list(result.drafts["example"].offers) == ["x", "y", "other-model"]  # only the new offer


def test_models_we_lack_are_drafted_as_new_offers(catalog):
    result = draft(catalog, dt.date(2026, 1, 15))
    assert result.new_offers == [
        gp.NewOffer("example/other-model", "Other_Model", True, "tokenizer o200k from example/x"),
        gp.NewOffer("example/embed", "embed", False, "no text input and output price (not a text-generation model?)"),
    ]
    new = result.drafts["example"].offers["other-model"]
    assert (new.name, new.model, new.tokenizer, new.retrieved) == ("Other Model", "Other_Model", "o200k", dt.date(2026, 1, 15))
    assert (new.rates.input_mtok, new.rates.output_mtok) == (D(4), D(20))
    assert (new.service_tiers["batch"].input_mtok, new.service_tiers["batch"].output_mtok) == (D(2), D(20))
    (tier,) = new.context_tiers
    assert (tier.above_input_tokens, tier.rule, tier.rates.input_mtok, tier.rates.output_mtok) == (128_000, "whole_request", D(8), D(20))
    # provenance: the vendor page genai-prices cites, its data file, and the version of the data
    assert [str(u) for u in new.source_urls] == ["https://example.com/pricing",
                                                "https://github.com/pydantic/genai-prices/blob/main/prices/providers/example.yml"]
    assert "from fake-prices 1.0 on 2026-01-15; genai-prices cites https://example.com/pricing" in new.notes
    assert "set `released:`" in new.notes


def test_rates_that_differ(catalog):
    result = draft(catalog, dt.date(2026, 3, 1))
    assert result.matches[0].since == dt.date(2026, 2, 1)
    found = {(d.field, d.ours, d.theirs, d.drafted) for d in result.differences}
    assert found == {
        ("rates.input_mtok", D(3), D("2.5"), True),
        ("rates.cached_input_mtok", D("0.30"), D("0.25"), True),
        ("service_tiers.batch.input_mtok", D("1.5"), D("1.25"), True),
        ("context_tiers[above 200000].rates.input_mtok", None, D(5), False),  # a person decides on a new tier
    }
    assert list(result.drafts) == ["example"]
    drafted = result.drafts["example"].offers["x"]
    assert "https://example.com/pricing" in {str(u) for u in drafted.source_urls}
    assert "from fake-prices 1.0 on 2026-03-01; genai-prices cites https://example.com/pricing" in drafted.notes


def test_peak_rates_when_priced_by_time_of_day(catalog):
    peak = ConditionalPrice(TimeOfDateConstraint(dt.time(1, tzinfo=dt.UTC), dt.time(4, tzinfo=dt.UTC)),
                            {"input_mtok": D(6), "output_mtok": D(30)})
    provider = fake_providers()[0]
    provider.models[1].prices.append(peak)
    result = gp.draft(catalog, [provider], "fake", dt.date(2026, 3, 1), dt.date(2026, 3, 1))
    assert result.matches[0].time_of_day
    # the peak price replaces the whole price set; it names no cache-read price, so none is compared
    assert {(d.field, d.theirs) for d in result.differences if d.field.startswith("rates.")} == {
        ("rates.input_mtok", D(6)), ("rates.output_mtok", D(30))}


def test_one_model_for_several_offers_is_not_drafted(tmp_path):
    """A reseller sells one model at two prices (Azure's Global and Data Zone deployments): genai-prices' single
    price for it is reported against both offers and drafted into neither."""
    tree = tmp_path / "pricebooks"
    shutil.copytree(PRICEBOOKS, tree)
    book = tree / "example" / "2026-01-01.yaml"
    book.write_text(book.read_text().replace("  y:\n", (
        "  x-datazone:\n    scheme: per_token\n    name: Offer X, Data Zone\n    model: offer-x\n"
        "    tokenizer: o200k\n    rates: {input_mtok: 3.3, output_mtok: 16.5}\n"
        "    source_urls: [https://example.com/fixture]\n    retrieved: 2026-01-01\n  y:\n")))
    result = draft(load_catalog(tree), dt.date(2026, 3, 1))
    assert [(m.offer, m.model) for m in result.matches] == [("example/x", "offer-x-2026"), ("example/x-datazone", "offer-x-2026")]
    inputs = {(d.offer, d.theirs, d.drafted) for d in result.differences if d.field == "rates.input_mtok"}
    assert inputs == {("example/x", D("2.5"), False), ("example/x-datazone", D("2.5"), False)}
    assert all("one genai-prices model for example/x, example/x-datazone; not drafted" in d.note for d in result.differences)
    drafted = result.drafts["example"].offers  # drafted for the new model only, x and x-datazone as published
    assert drafted["x"].rates.input_mtok == D(3) and drafted["x-datazone"].rates.input_mtok == D("3.3")


def test_no_provider_or_model(catalog):
    result = gp.draft(catalog, [Provider("example", [])], "fake", dt.date(2026, 3, 1), dt.date(2026, 3, 1))
    assert result.matches == [gp.OfferMatch("example/x", None)]
    assert gp.draft(catalog, [], "fake", dt.date(2026, 3, 1), dt.date(2026, 3, 1)).matches[0].model is None


# --- drafting and writing ------------------------------------------------------------------------------------


def test_draft_keeps_ids_tokenizers_and_notes(catalog, tmp_path):
    result = draft(catalog, dt.date(2026, 3, 1))
    (path,) = gp.write_drafts(result, tmp_path / "out", {"example": dt.date(2026, 1, 1)})
    assert path == tmp_path / "out" / "example" / "2026-03-01.yaml"
    text = path.read_text()
    assert text.startswith("# yaml-language-server: $schema=../pricebook.schema.json\n# Drafted by")
    assert "rates: {input_mtok: 2.5, cached_input_mtok: 0.25, output_mtok: 15}" in text
    tree = tmp_path / "tree"
    shutil.copytree(PRICEBOOKS, tree)
    shutil.copy(path, tree / "example" / path.name)
    selection = load_catalog(tree).as_of(dt.date(2026, 3, 1))
    x, y = selection.get("example/x"), selection.get("example/y")
    assert x.source.version == dt.date(2026, 3, 1)
    assert (x.offer.rates.input_mtok, x.offer.rates.cached_input_mtok) == (D("2.5"), D("0.25"))
    assert x.offer.service_tiers["batch"].input_mtok == D("1.25")
    assert x.offer.service_tiers["batch"].output_mtok == D("7.5")
    assert (x.offer.name, x.offer.tokenizer, x.offer.retrieved) == ("Offer X", "o200k", dt.date(2026, 3, 1))
    assert "Drafted by `tco pricebook import genai-prices`" in x.offer.notes and "offer-x-2026" in x.offer.notes
    assert str(x.offer.source_urls[0]) == "https://example.com/fixture"
    assert y.offer == catalog.as_of(dt.date(2026, 1, 1)).get("example/y").offer  # untouched


def test_never_overwrites(catalog, tmp_path):
    result = draft(catalog, dt.date(2026, 3, 1))
    gp.write_drafts(result, tmp_path)
    before = (tmp_path / "example" / "2026-03-01.yaml").read_bytes()
    with pytest.raises(TcoError, match="exists; drafts never overwrite"):
        gp.write_drafts(result, tmp_path)
    assert (tmp_path / "example" / "2026-03-01.yaml").read_bytes() == before


def test_a_draft_must_be_the_newest_version(catalog, tmp_path):
    result = draft(catalog, dt.date(2026, 3, 1), version=dt.date(2026, 1, 1))
    with pytest.raises(TcoError, match="not after the newest version 2026-01-01"):
        gp.write_drafts(result, tmp_path, {"example": dt.date(2026, 1, 1)})
    assert not (tmp_path / "example").exists()


# --- the command ---------------------------------------------------------------------------------------------


@pytest.fixture
def fake_package(monkeypatch):
    monkeypatch.setattr(gp, "load_providers", lambda: (fake_providers(), "fake-prices 1.0"))


def test_command_reports_and_writes(fake_package, tco, tmp_path):
    args = ("pricebook", "import", "genai-prices", "--pricebooks", str(PRICEBOOKS), "--as-of", "2026-03-01")
    run = tco(*args, "--output", str(tmp_path), "--format", "json")
    assert run.code == 0, run.err
    doc = json.loads(run.out)
    assert doc["source"] == "fake-prices 1.0" and (doc["matched"], doc["offers"]) == (1, 1)
    assert {"offer": "example/x", "field": "rates.input_mtok", "ours": "3", "theirs": "2.5", "model": "offer-x-2026",
            "drafted": True, "note": ""} in doc["differences"]
    assert doc["written"] == [str(tmp_path / "example" / "2026-03-01.yaml")]
    again = tco(*args, "--output", str(tmp_path))
    assert again.code == 2 and "exists; drafts never overwrite" in again.err
    table = tco(*args, "--dry-run")
    assert table.code == 0, table.err
    assert "rates.input_mtok" in table.out and "dry run: would write" in table.out
    assert not (PRICEBOOKS / "example" / "2026-03-01.yaml").exists()


def test_command_version_option(fake_package, tco, tmp_path):
    run = tco("pricebook", "import", "genai-prices", "--pricebooks", str(PRICEBOOKS), "--as-of", "2026-03-01",
              "--version", "2026-02-01", "--output", str(tmp_path))
    assert run.code == 0, run.err
    assert (tmp_path / "example" / "2026-02-01.yaml").is_file()


def test_unknown_source(tco):
    run = tco("pricebook", "import", "genai-price", "--dry-run")
    assert run.code == 2
    assert "unknown import source 'genai-price'" in run.err and "did you mean 'genai-prices'" in run.err


# --- the real package, where installed (the `import` extra; the `test` extra installs it) ------------------


def test_real_package_types():
    types = pytest.importorskip("genai_prices.types")
    provider = types.Provider(id="example", name="Example", api_pattern="example", models=[types.ModelInfo(
        id="offer-x", match=types.ClauseEquals(equals="offer-x"),
        prices=types.ModelPrice(input_mtok=D("2.5"), cache_read_mtok=D("0.3"), output_mtok=D(15)),
        price_variants=[types.PriceVariant(when={"processing": "batch"}, prices=types.ModelPrice(input_mtok=D("1.25")))],
    )])
    result = gp.draft(load_catalog(PRICEBOOKS), [provider], "real types", dt.date(2026, 3, 1), dt.date(2026, 3, 1))
    assert {(d.field, d.theirs) for d in result.differences} == {
        ("rates.input_mtok", D("2.5")), ("service_tiers.batch.input_mtok", D("1.25"))}


def test_real_package_data_on_the_bundled_books(tco):
    pytest.importorskip("genai_prices")
    run = tco("pricebook", "import", "genai-prices", "--dry-run", "--format", "json")
    assert run.code == 0, run.err
    doc = json.loads(run.out)
    assert doc["source"].startswith("genai-prices ")
    models = {m["offer"]: m["model"] for m in doc["matches"]}
    assert models["anthropic/claude-sonnet-4.6"] == "claude-sonnet-4-6"
    assert models["openai/gpt-5.4"] == "gpt-5.4"
    assert doc["written"] == []


def test_real_package_data_maps_cloud_resellers(tco):
    """aws-bedrock offers are compared with genai-prices' `aws` provider through their Bedrock model ids (the
    global. inference-profile id picks genai-prices' Global entry, not its regional one), and agree with it;
    azure offers are looked up in its `azure` provider, which prices no gpt-5.x model."""
    pytest.importorskip("genai_prices")
    run = tco("pricebook", "import", "genai-prices", "--dry-run", "--format", "json")
    assert run.code == 0, run.err
    doc = json.loads(run.out)
    models = {m["offer"]: m["model"] for m in doc["matches"]}
    assert models["aws-bedrock/claude-sonnet-4.6"] == "global.anthropic.claude-sonnet-4-6-v1:0"
    assert models["aws-bedrock/llama4-maverick"] == "meta.llama4-maverick-17b-instruct-v1:0"
    assert models["aws-bedrock/gpt-oss-120b"] == "openai.gpt-oss-120b-1:0"
    assert models["azure/gpt-5.4-global"] is None
    assert any(n["offer"].startswith("azure/") for n in doc["new_offers"])  # its azure models were read
    assert [d for d in doc["differences"] if d["offer"].startswith("aws-bedrock/")] == []


def test_real_package_data_on_the_open_weight_hosts(tco):
    """The hosts' vendor ids are genai-prices' provider ids, and each offer's `model` is the id the host's API takes
    (Fireworks' routed `accounts/fireworks/models/...` included), so every offer genai-prices knows finds its model."""
    pytest.importorskip("genai_prices")
    run = tco("pricebook", "import", "genai-prices", "--dry-run", "--format", "json")
    doc = json.loads(run.out)
    hosts = ("groq", "fireworks", "cerebras", "together")
    models = {m["offer"]: m["model"] for m in doc["matches"] if m["offer"].startswith(tuple(f"{h}/" for h in hosts))}
    assert models["groq/gpt-oss-120b"] == models["together/gpt-oss-120b"] == "openai/gpt-oss-120b"
    assert models["fireworks/kimi-k2.6"] == "kimi-k2p6" and models["cerebras/gpt-oss-120b"] == "gpt-oss-120b"
    assert models["together/kimi-k3"] == "moonshotai/Kimi-K3"
    newest = load_catalog(REPO / "pricebooks").as_of(dt.date.max)
    carried = {f"{h}/{key}" for h in hosts for key in newest.books[h].book.offers}
    assert set(models) == carried
    assert {offer for offer, model in models.items() if model is None} == {"groq/qwen3.6-27b"}  # not in genai-prices 0.2.3


# --- history from genai-prices' start dates ------------------------------------------------------------------


@pytest.fixture
def released_tree(tmp_path):
    """The fixture books with Offer X released on 2025-06-01 (history drafts need the date an offer went on sale)."""
    tree = tmp_path / "pricebooks"
    shutil.copytree(PRICEBOOKS, tree)
    book = tree / "example" / "2026-01-01.yaml"
    book.write_text(book.read_text().replace("    name: Offer X\n", "    name: Offer X\n    released: 2025-06-01\n"))
    return tree


def test_history_versions_reprice_on_each_start_date(released_tree, tco, write):
    catalog = load_catalog(released_tree)
    results = gp.draft_history(catalog, fake_providers(), "fake-prices 1.0", dt.date(2025, 12, 1),
                               dt.date(2026, 3, 1), dt.date(2026, 3, 5))
    assert [(r.version, list(r.drafts)) for r in results] == [(dt.date(2025, 12, 1), ["example"]),
                                                              (dt.date(2026, 2, 1), ["example"])]
    december, february = (r.drafts["example"].offers["x"] for r in results)
    assert december == catalog.as_of(dt.date(2026, 1, 1)).get("example/x").offer  # the same prices then
    assert (february.rates.input_mtok, february.retrieved) == (D("2.5"), dt.date(2026, 3, 5))
    assert "prices in force on 2026-02-01" in february.notes
    assert "example/y" not in {m.offer for r in results for m in r.matches}  # not per-token
    for result in results:
        gp.write_drafts(result, released_tree)
    workload = write("w.yaml", """\
        workload: history
        tasks: 1000
        task: {calls: 1, input_tokens: 1000000, output_tokens: 0}
        human: {hourly_cost: 60, task_minutes: 10}
        candidates: [{offer: example/x, success_rate: 1}]
        """)
    for as_of, input_mtok in (("2025-12-15", "3"), ("2026-01-15", "3"), ("2026-02-15", "2.5")):
        run = tco("compare", str(workload), "--pricebooks", str(released_tree), "--as-of", as_of, "--format", "json")
        assert run.code == 0, run.err
        (x,) = json.loads(run.out)["results"]
        assert x["per_task_cost"] == input_mtok, as_of  # a million input tokens


def test_history_command(fake_package, released_tree, tco):
    args = ("pricebook", "import", "genai-prices", "--pricebooks", str(released_tree), "--as-of", "2026-03-01",
            "--history-since", "2025-12-01")
    dry = tco(*args, "--dry-run")
    assert dry.code == 0, dry.err
    assert "dry run: would write" in dry.out and "2026-02-01.yaml: 2 offers, 1 repriced (example/x)" in dry.out
    assert not (released_tree / "example" / "2026-02-01.yaml").exists()
    run = tco(*args, "--format", "json")
    assert run.code == 0, run.err
    assert [(h["version"], h["written"]) for h in json.loads(run.out)["history"]] == [("2025-12-01", True),
                                                                                       ("2026-02-01", True)]
    assert tco("pricebook", "validate", str(released_tree)).code == 0


def test_history_starts_on_the_release_date(released_tree):
    results = gp.draft_history(load_catalog(released_tree), fake_providers(), "fake-prices 1.0", dt.date(2025, 1, 1),
                               dt.date(2026, 3, 1), dt.date(2026, 3, 5))
    # nothing was on sale on 2025-01-01; Offer X from its release at the old price, then the 2026-02-01 cut
    assert [(r.version, r.drafts["example"].offers["x"].rates.input_mtok) for r in results] == [
        (dt.date(2025, 6, 1), D(3)), (dt.date(2026, 2, 1), D("2.5"))]
