"""`tco pricebook validate DIR`: each broken price book is named by file, line and field, with exit code 2.

Each test copies the fixture tree and breaks one thing. Lines of tests/fixtures/pricebooks/example/2026-01-01.yaml:
3 vendor, 4 version, 5 currency, 6 offers, 7 x:, 8 scheme, 9 name, 10 tokenizer, 11 rates, 16 y:, 17 scheme,
19 per_resolution.
"""

import shutil

import pytest

from tests.conftest import FIXTURES

BOOK = "example/2026-01-01.yaml"


@pytest.fixture
def tree(tmp_path):
    """A copy of the fixture price-book tree, to break."""
    root = tmp_path / "pricebooks"
    shutil.copytree(FIXTURES / "pricebooks", root)
    return root


@pytest.fixture
def validate(tco, tree):
    """`tco pricebook validate TREE`, checked to fail cleanly unless `ok`."""

    def run(ok=False):
        result = tco("pricebook", "validate", str(tree))
        assert "Traceback" not in result.err
        assert result.code == (0 if ok else 2), result.err
        return result

    return run


def edit(path, old, new):
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))


def test_a_valid_tree_passes(validate):
    run = validate(ok=True)
    assert run.err == ""
    assert "ok: 1 price-book files, 2 offers from 1 vendors" in run.out


def test_the_bundled_books_pass_from_another_directory(tco, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    run = tco("pricebook", "validate")
    assert run.code == 0, run.err
    assert run.out.startswith("ok: ")


def test_yaml_syntax_error_names_the_line(validate, tree):
    edit(tree / BOOK, "name: Offer X", "name: Offer: X")
    assert f"{BOOK}:9: YAML syntax error: mapping values are not allowed here" in validate().err


def test_duplicate_key_names_both_lines(validate, tree):
    edit(tree / BOOK, "currency: USD\n", "currency: USD\ncurrency: USD\n")
    assert f"{BOOK}:6: currency: duplicate key (first set on line 5)" in validate().err


def test_unknown_field_suggests_the_nearest_name(validate, tree):
    edit(tree / BOOK, "tokenizer: o200k", "tokeniser: o200k")
    err = validate().err
    assert f"{BOOK}:10: offers.x.tokeniser: unknown field; expected one of" in err
    assert "did you mean 'tokenizer'?" in err
    assert f"{BOOK}:7: offers.x.tokenizer: required field is missing" in err


def test_text_where_a_number_is_expected(validate, tree):
    edit(tree / BOOK, "per_resolution: 0.99", "per_resolution: ninety-nine cents")
    assert f"{BOOK}:19: offers.y.per_resolution: expected a number, found text 'ninety-nine cents'" in validate().err


def test_negative_price(validate, tree):
    edit(tree / BOOK, "per_resolution: 0.99", "per_resolution: -0.99")
    assert f"{BOOK}:19: offers.y.per_resolution: expected greater than or equal to 0, found -0.99" in validate().err


def test_empty_file(validate, tree):
    (tree / BOOK).write_text("")
    assert f"{BOOK}:1: the file is empty; expected a YAML mapping" in validate().err


def test_a_list_is_not_a_price_book(validate, tree):
    (tree / BOOK).write_text("- vendor: example\n- version: 2026-01-01\n")
    assert f"{BOOK}:1: expected a YAML mapping, found a list" in validate().err


def test_impossible_date(validate, tree):
    edit(tree / BOOK, "version: 2026-01-01", "version: 2026-02-30")
    assert f"{BOOK}:4: version: '2026-02-30' is not a valid date; expected YYYY-MM-DD" in validate().err


def test_alias_bomb_is_refused(validate, tree):
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 9)]
    (tree / BOOK).write_text("\n".join(lines) + "\n")
    err = validate().err
    assert f"{BOOK}:" in err
    assert "the document expands through aliases to more than 100,000 values; the limit is 100,000" in err


def test_oversized_file_is_refused(validate, tree):
    with (tree / BOOK).open("a") as f:
        f.write("# " + "x" * (1 << 20) + "\n")
    assert f"{BOOK}: is larger than the limit of 1,048,576 bytes" in validate().err


def test_per_token_price_in_a_per_million_field_is_implausible(validate, tree):
    edit(tree / BOOK, "input_mtok: 3,", "input_mtok: 0.000003,")
    err = validate().err
    assert f"{BOOK}:11: offers.x.rates.input_mtok: 0.000003 USD per million tokens is implausibly low" in err
    assert "(a per-token price of 0.000003 is 3 per million)" in err


def test_unknown_scheme_suggests_the_nearest_scheme(validate, tree):
    edit(tree / BOOK, "scheme: per_resolution", "scheme: per_resolutions")
    err = validate().err
    assert BOOK in err
    assert "unknown scheme 'per_resolutions'; expected one of per_token, seat, credit, per_resolution," in err
    assert "did you mean 'per_resolution'" in err


def test_unknown_scheme_points_at_the_scheme_line(validate, tree):
    edit(tree / BOOK, "scheme: per_resolution", "scheme: per_resolutions")
    assert f"{BOOK}:17: offers.y.scheme: unknown scheme 'per_resolutions'" in validate().err


def test_unknown_tokenizer_suggests_the_nearest_tokenizer(validate, tree):
    edit(tree / BOOK, "tokenizer: o200k", "tokenizer: o200")
    assert f"{BOOK}:10: offers.x.tokenizer: unknown tokenizer 'o200' — did you mean 'o200k'?" in validate().err


def test_file_name_must_match_version(validate, tree):
    (tree / BOOK).rename(tree / "example" / "2026-01-02.yaml")
    assert "example/2026-01-02.yaml:4: version: is 2026-01-01 but the file is named 2026-01-02.yaml" in validate().err


def test_file_name_must_be_a_date(validate, tree):
    (tree / BOOK).rename(tree / "example" / "prices.yaml")
    assert "example/prices.yaml: a price-book file is named by its effective date, YYYY-MM-DD.yaml" in validate().err


def test_folder_must_match_vendor(validate, tree):
    (tree / "example").rename(tree / "acme")
    assert "acme/2026-01-01.yaml:3: vendor: is 'example' but the file is in folder 'acme'" in validate().err


def test_every_problem_in_every_file_is_reported_in_one_run(validate, tree):
    edit(tree / "tokenizers.yaml", "prose: 1.5", "prose: lots")
    edit(tree / BOOK, "output_mtok: 15}", "output_mtok: 15, outptu_mtok: 1}")
    edit(tree / BOOK, "per_resolution: 0.99", "per_resolution: -1")
    (tree / "other").mkdir()
    (tree / "other" / "2026-01-01.yaml").write_text("vendor: other\nversion: 2026-01-01\ncurrency: EUR\noffers: {}\n")
    errors = validate().err.splitlines()
    assert len(errors) == 5
    assert "tokenizers.yaml:11: tokenizers.wide.ratio.prose: expected a number, found text 'lots'" in errors[0]
    assert f"{BOOK}:11: offers.x.rates.outptu_mtok: unknown field" in errors[1]
    assert f"{BOOK}:19: offers.y.per_resolution: expected greater than or equal to 0, found -1" in errors[2]
    assert "other/2026-01-01.yaml:3: currency: expected one of USD, found text 'EUR'" in errors[3]
    assert "other/2026-01-01.yaml:4: offers:" in errors[4]


def test_empty_source_list_says_what_was_expected(validate, tree):
    edit(tree / BOOK, "source_urls: [https://example.com/fixture]", "source_urls: []")
    err = validate().err
    assert f"{BOOK}:14: offers.x.source_urls: expected at least 1 item" in err
    assert "should have" not in err


def test_empty_name_says_what_was_expected(validate, tree):
    edit(tree / BOOK, "name: Offer Y", 'name: ""')
    err = validate().err
    assert f"{BOOK}:18: offers.y.name: expected" in err
    assert "should have" not in err
