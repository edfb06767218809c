"""The bundled price books reproduce what was billed on past dates (`--as-of`), off-peak hours included, and what the
open-weight hosts bill today for the same model."""

import json

import pytest

WORKLOAD = """\
workload: one million in, one million out
tasks: 1
tokenizer: {tokenizer}  # the offer's own: a ratio of 1, whatever the tokenizer table says
task: {{calls: 1, input_tokens: 1000000, output_tokens: 1000000, off_peak_share: {off_peak}}}
human: {{hourly_cost: 60, task_minutes: 10}}
candidates:
  - {{offer: {offer}, success_rate: 1}}
"""


TOKENIZERS = {"deepseek": "deepseek", "xai": "grok", "google-vertex/claude": "claude-opus-4.7", "google-vertex/gemini": "gemini"}


def own_tokenizer(offer: str) -> str:
    """The offer's own tokenizer, so that its ratio is 1."""
    return next((t for prefix, t in TOKENIZERS.items() if offer.startswith(prefix)), "o200k")


@pytest.mark.parametrize(
    ("offer", "as_of", "off_peak", "call_charge"),
    [
        ("openai/o3", "2025-06-01", 0, "50"),  # $10 in + $40 out, before the cut of 2025-06-10
        ("openai/o3", "2025-06-25", 0, "10"),  # $2 + $8 after it
        # DeepSeek's 2025 nightly discount: standard $0.27 + $1.10, off-peak $0.135 + $0.55; half the calls each way:
        # (1.37 + 0.685) / 2 = 1.0275
        ("deepseek/deepseek-chat", "2025-06-01", 0.5, "1.0275"),
        # after 2025-09-05 the discount was gone: $0.56 + $1.68 = 2.24, whatever the hour
        ("deepseek/deepseek-chat", "2025-09-10", 0.5, "2.24"),
        ("xai/grok-3", "2025-06-01", 0, "18"),  # $3 in + $15 out, the Grok 3 API of mid-2025
        # a 1M-token prompt is past Grok 4.20's 200k threshold, so the whole call is at the long-context rates:
        ("xai/grok-4.20-0309-reasoning", "2026-04-01", 0, "16"),  # $4 + $12 at launch
        ("xai/grok-4.20-0309-reasoning", "2026-05-01", 0, "7.5"),  # $2.50 + $5 after the cut of 2026-04-30
        # Vertex AI's global endpoint bills Claude at Anthropic's list price: $4 + $20
        ("google-vertex/claude-opus-5.5", "2026-12-02", 0, "24"),
        # and Gemini 3.1 Pro past 200k prompt tokens at $4 in + $18 out for the whole call
        ("google-vertex/gemini-3.1-pro-preview", "2026-12-02", 0, "22"),
    ],
)
def test_as_of_prices_an_offer_as_it_was_billed(tco, write, offer, as_of, off_peak, call_charge):
    path = write("workload.yaml", WORKLOAD.format(offer=offer, off_peak=off_peak, tokenizer=own_tokenizer(offer)))
    result = tco("compare", str(path), "--as-of", as_of, "--format", "json")
    assert result.code == 0, result.err
    assert json.loads(result.out)["results"][0]["breakdown"]["call_charge"] == call_charge


@pytest.mark.parametrize(
    ("offer", "batch_share", "call_charge"),
    [
        ("groq/gpt-oss-120b", 0, "0.75"),  # $0.15 in + $0.60 out
        ("groq/gpt-oss-120b", 1, "0.375"),  # Groq's Batch API: half of both
        ("fireworks/gpt-oss-120b", 0.5, "0.5625"),  # half the calls at $0.075 + $0.30: (0.75 + 0.375) / 2
        ("together/gpt-oss-120b", 0, "0.75"),
        ("cerebras/gpt-oss-120b", 0, "1.1"),  # $0.35 + $0.75
    ],
)
def test_gpt_oss_on_the_open_weight_hosts(tco, write, offer, batch_share, call_charge):
    workload = WORKLOAD.format(offer=offer, off_peak=0, tokenizer="o200k-harmony").replace(
        "off_peak_share: 0", f"batch_share: {batch_share}")
    result = tco("compare", str(write("workload.yaml", workload)), "--as-of", "2026-12-02", "--format", "json")
    assert result.code == 0, result.err
    assert json.loads(result.out)["results"][0]["breakdown"]["call_charge"] == call_charge


def test_as_of_refuses_a_model_before_its_release_and_names_when_it_was_sold(tco, write):
    path = write("workload.yaml", WORKLOAD.format(offer="xai/grok-4.3", off_peak=0, tokenizer="grok"))
    result = tco("compare", str(path), "--as-of", "2025-06-01")
    assert result.code == 2
    assert "on sale from 2026-04-30" in result.err


def test_no_offer_on_sale_in_the_bundled_books_hands_its_demand_to_one_that_is_gone():
    """On 2026-12-07 (the day the examples were moved to current models): every provisioned offer on sale spills over
    to an offer on sale and not due to retire within 30 days, and no replacement named by an offer on sale is retired."""
    import datetime as dt

    from tco.files.pricebooks import load_catalog

    day = dt.date(2026, 12, 7)
    catalog = load_catalog()
    on_sale = catalog.as_of(day).offers

    def gone(offer_id, by):
        ref = on_sale.get(offer_id)
        return ref is None or ref.offer.retired is not None and ref.offer.retired <= by

    stale = [(oid, key, target) for oid, ref in on_sale.items() if not ref.offer.retired_by(day)
             for key, by in (("spillover_offer", day + dt.timedelta(days=30)), ("replacement", day))
             if (target := getattr(ref.offer, key, None)) and gone(target, by)]
    assert stale == []
