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
    ],
)
def test_as_of_prices_an_offer_as_it_was_billed(tco, write, offer, as_of, off_peak, call_charge):
    path = write("workload.yaml", WORKLOAD.format(offer=offer, off_peak=off_peak, tokenizer="deepseek" if offer.startswith("deepseek") else "o200k"))
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
