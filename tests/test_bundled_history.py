"""The bundled price books reproduce what was billed on past dates (`--as-of`), off-peak hours included."""

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
