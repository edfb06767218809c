"""The model rules, as examples: exact numbers, the checks each scheme makes, tokenizer chains, --as-of."""

import json
import shutil
import textwrap
from decimal import Decimal

import pytest
from pydantic import BaseModel

from tco.errors import TcoError
from tco.files.pricebooks import load_catalog
from tco.files.validation import validate
from tco.files.yaml_source import parse_yaml
from tco.models.pricebook import Allowance, CreditOffer, PerTokenOffer, RateCard, TermPrice
from tco.models.tokenizer import TokenizerTable
from tests.conftest import FIXTURES

SOURCE = "source_urls: [https://example.com/fixture]\nretrieved: 2026-01-01\n"


def load(model, text):
    """Read YAML text into `model` as tco reads a file."""
    return validate(model, parse_yaml(textwrap.dedent(text), "t.yaml"))


def problems(model, text):
    """The messages a user would see for YAML text that `model` refuses."""
    with pytest.raises(TcoError) as e:
        load(model, text)
    return [str(p) for p in e.value.problems]


def values(node):
    """Every leaf value of a model, however deep."""
    if isinstance(node, BaseModel):
        for name in type(node).model_fields:
            yield from values(getattr(node, name))
    elif isinstance(node, dict):
        for key, value in node.items():
            yield key
            yield from values(value)
    elif isinstance(node, (list, tuple)):
        for item in node:
            yield from values(item)
    else:
        yield node


# Numbers


def test_decimals_are_read_exactly():
    rates = load(RateCard, "input_mtok: 0.1\noutput_mtok: 0.30\n")
    assert isinstance(rates.input_mtok, Decimal)
    assert str(rates.input_mtok) == "0.1"
    assert str(rates.output_mtok) == "0.30"


def test_no_float_anywhere_in_the_bundled_books():
    catalog = load_catalog()
    leaves = [v for versions in catalog.books.values() for bf in versions for v in values(bf.book)]
    leaves += list(values(catalog.tokenizers))
    assert any(isinstance(v, Decimal) for v in leaves)
    assert [v for v in leaves if isinstance(v, float)] == []


def test_whole_numbers_are_accepted_where_a_decimal_is_expected():
    rates = load(RateCard, "input_mtok: 3\noutput_mtok: 15\n")
    assert rates.input_mtok == Decimal(3)
    assert type(rates.input_mtok) is Decimal


def test_a_yes_no_value_is_not_a_number():
    assert problems(RateCard, "input_mtok: true\noutput_mtok: 15\n") == [
        "t.yaml:1: input_mtok: expected a number, found true (a yes/no value)"
    ]


def test_quoted_numbers_are_rejected():
    assert problems(RateCard, "input_mtok: '3'\noutput_mtok: 15\n") == [
        "t.yaml:1: input_mtok: expected a number, found text '3' — remove the quotes to make it a number"
    ]


# Scheme rules


def test_context_tiers_must_ascend():
    offer = (
        "scheme: per_token\nname: Tiered\ntokenizer: o200k\nrates: {input_mtok: 3, output_mtok: 15}\n"
        "context_tiers:\n"
        "  - {above_input_tokens: 200000, rule: whole_request, rates: {input_mtok: 6, output_mtok: 22.5}}\n"
        "  - {above_input_tokens: 100000, rule: whole_request, rates: {input_mtok: 4, output_mtok: 18}}\n"
    ) + SOURCE
    assert problems(PerTokenOffer, offer) == ["t.yaml:1: context_tiers must have distinct thresholds in ascending order"]


def test_a_credit_offer_needs_a_price():
    offer = f"scheme: credit\nname: Credits\ncredits_per: {{action: 1}}\n{SOURCE}"
    assert problems(CreditOffer, offer) == ["t.yaml:1: a credit offer needs price_per_credit or packs"]
    assert load(CreditOffer, offer + "packs: [{credits: 1000, price: 10}]\n").packs[0].price == Decimal(10)
    assert load(CreditOffer, offer + "price_per_credit: 0.01\n").price_per_credit == Decimal("0.01")


@pytest.mark.parametrize("term", ["{}", "{unit_hour: 1, unit_month: 700}"])
def test_a_provisioned_term_has_exactly_one_price(term):
    assert problems(TermPrice, term) == ["t.yaml:1: give exactly one of unit_hour and unit_month"]


def test_a_credit_allowance_needs_usd_per_credit():
    assert problems(Allowance, "unit: credit\nper_seat_month: 1900\n") == [
        "t.yaml:1: usd_per_credit is required with unit credit and only then"
    ]
    assert load(Allowance, "unit: credit\nper_seat_month: 1900\nusd_per_credit: 0.01\n").usd_per_credit == Decimal("0.01")


# Tokenizers


def tokenizers(*entries):
    rows = "\n".join(f"  {e}, source_urls: [https://example.com/t], retrieved: 2026-01-01}}" for e in entries)
    return "tokenizers:\n  o200k: {ratio: {prose: 1}, source_urls: [https://example.com/t], retrieved: 2026-01-01}\n" + rows


def test_tokenizer_chains_multiply():
    table = load(TokenizerTable, tokenizers("a: {relative_to: o200k, ratio: {prose: 1.5, code: 2}",
                                            "b: {relative_to: a, ratio: {prose: 1.2, code: 1.1}"))
    assert table.ratio("b", "prose") == (Decimal("1.80"), True)
    assert table.ratio("b", "code") == (Decimal("2.2"), True)
    assert table.ratio("b", "cjk") == (Decimal("1.80"), False)  # not measured: the prose ratio, flagged


def test_bundled_chained_tokenizer_is_the_product_of_its_steps():
    table = load_catalog().tokenizers
    step, parent = table.tokenizers["claude-opus-4.7"], table.tokenizers["claude"]
    assert step.relative_to == "claude"
    assert table.ratio("claude-opus-4.7", "prose")[0] == step.ratio.prose * parent.ratio.prose


def test_a_tokenizer_loop_is_an_error():
    table = tokenizers("a: {relative_to: b, ratio: {prose: 1.5}", "b: {relative_to: a, ratio: {prose: 1.2}")
    assert problems(TokenizerTable, table) == ["t.yaml:1: tokenizers a → b → a form a loop"]


# Versions and `pricebook show`


@pytest.fixture
def two_versions(tmp_path):
    """The fixture books plus a 2026-03-01 version of `example` in which X's input rate rose to $4."""
    root = tmp_path / "pricebooks"
    shutil.copytree(FIXTURES / "pricebooks", root)
    old = (root / "example" / "2026-01-01.yaml").read_text()
    new = old.replace("version: 2026-01-01", "version: 2026-03-01").replace("input_mtok: 3,", "input_mtok: 4,")
    (root / "example" / "2026-03-01.yaml").write_text(new)
    return root


@pytest.mark.parametrize(("as_of", "version", "input_mtok"), [
    ("2026-01-01", "2026-01-01", "3"),
    ("2026-02-28", "2026-01-01", "3"),
    ("2026-03-01", "2026-03-01", "4"),
    ("2027-01-01", "2026-03-01", "4"),
])
def test_as_of_picks_the_newest_version_on_or_before_the_date(tco, two_versions, as_of, version, input_mtok):
    run = tco("pricebook", "show", "example/x", "--as-of", as_of, "--pricebooks", str(two_versions), "--format", "json")
    assert run.code == 0, run.err
    shown = json.loads(run.out)
    assert shown["version"] == version
    assert shown["file"].endswith(f"example/{version}.yaml")
    assert shown["rates"]["input_mtok"] == input_mtok


def test_as_of_before_the_first_version_is_an_error(tco, two_versions):
    run = tco("pricebook", "show", "example/x", "--as-of", "2025-12-31", "--pricebooks", str(two_versions))
    assert run.code == 2
    assert ("offer 'example/x' is not in the price books in force on 2025-12-31; it is on sale from 2026-01-01 on "
            "(try --as-of 2026-01-01)") in run.err
    assert "Traceback" not in run.err


def test_show_a_bundled_offer_as_json(tco):
    run = tco("pricebook", "show", "anthropic/claude-opus-4.7", "--as-of", "2026-04-16", "--format", "json")
    assert run.code == 0, run.err
    shown = json.loads(run.out)
    assert shown["scheme"] == "per_token"
    assert shown["rates"]["input_mtok"] == "5"
    assert shown["rates"]["cached_input_mtok"] == "0.50"
    assert shown["rates"]["output_mtok"] == "25"
    assert shown["service_tiers"]["batch"]["output_mtok"] == "12.50"
    assert shown["tokenizer"] == "claude-opus-4.7"
    assert shown["tokenizer_ratio_to_o200k"]["prose"] == "1.6820"
    assert "https://platform.claude.com/docs/en/about-claude/pricing" in shown["source_urls"]
    assert shown["retrieved"] == "2026-11-23"


def test_field_descriptions_are_the_docstrings_under_the_fields_read_on_demand():
    from tco.models.docs import field_doc
    from tco.models.workload import Task, TaskOverride

    assert Task.model_fields["calls"].description is None  # not read at import: that costs every command time
    assert field_doc(Task, "calls") == "Model calls per attempt (agent fan-out)."
    assert field_doc(TaskOverride, "calls") == "Model calls per attempt (agent fan-out)."  # an override says the same
