"""Time `tco compare --simulate` and how it grows: joint draws × candidates of every scheme, on the bundled books.

Run: python3 benchmarks/simulate.py [DRAWS [CANDIDATES ...]]   (prints figures; no assertions)
Default: 100,000 draws × 20 candidates (target: under 1 second, under 500 MB), then 1,000 draws × 20, 100 and 500
candidates, to show time growing linearly with candidates (target: 500 × 1,000 in under 10 s).
Memory at scale: python3 benchmarks/simulate.py 1000000 200 (target: peak RSS under 1.5 GB; minutes of work).
"""

from __future__ import annotations

import datetime as dt
import os
import resource
import sys
import time
import tracemalloc

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # one core

from pathlib import Path  # noqa: E402

from tco.engine.compare import compare  # noqa: E402
from tco.engine.simulate import simulate  # noqa: E402
from tco.files.pricebooks import load_catalog  # noqa: E402
from tco.files.validation import validate  # noqa: E402
from tco.files.yaml_source import read_yaml  # noqa: E402
from tco.models.workload import Workload  # noqa: E402

WORKLOAD = """\
workload: benchmark
tasks: {low: 30000, likely: 40000, high: 60000}
seats: {low: 35, likely: 40, high: 50}
working_hours: 220
peak_factor: {low: 2, likely: 3, high: 5}
task:
  calls: {low: 4, likely: 6, high: 12}
  input_tokens: {mean: 3500, sd: 800}
  cached_input_share: {successes: 60, trials: 100}
  output_tokens: [300, 350, 420, 500, 380, 610, 290]
  reasoning_tokens: {low: 500, likely: 1200, high: 4000}
  format_retry_rate: {successes: 3, trials: 100}
  max_attempts: 2
  requests: 1
  actions: 3
human:
  hourly_cost: {low: 40, likely: 45, high: 60}
  review_minutes: {low: 0.5, likely: 1.5, high: 3}
  task_minutes: {low: 8, likely: 12, high: 20}
  failure_cost: 2
candidates:
"""
CANDIDATES = [
    ("anthropic/claude-sonnet-4.6", ""), ("anthropic/claude-haiku-4.5", ""), ("anthropic/claude-opus-4.7", ""),
    ("openai/gpt-5.4", ""), ("openai/gpt-5.4-mini", ""), ("google/gemini-2.5-flash", ""), ("google/gemini-2.5-pro", ""),
    ("deepseek/deepseek-v4-flash", ""), ("mistral/mistral-large-3", ""),
    ("intercom/fin", "assumed_resolution_share: 0.3"), ("zendesk/ai-agents", ""), ("hubspot/customer-agent", ""),
    ("salesforce/agentforce-conversations", ""), ("salesforce/agentforce-flex-credits", ""),
    ("github/copilot-business", "model: anthropic/claude-sonnet-4.6"),
    ("github/copilot-enterprise", "model: anthropic/claude-opus-4.7"),
    ("cursor/pro-plus", "model: anthropic/claude-sonnet-4.6"), ("chatgpt/business", ""),
    ("azure/gpt-5-mini-ptu-global", ""), ("google-vertex/gemini-2.5-flash-gsu", ""),
]


def workload_text(candidates: int = len(CANDIDATES)) -> str:
    """The benchmark workload with `candidates` candidates, cycling through the offers above."""
    lines = [WORKLOAD]
    for i in range(candidates):
        offer, extra = CANDIDATES[i % len(CANDIDATES)]
        lines.append(f"  - offer: {offer}\n    label: c{i}\n    success_rate: {{successes: {60 + i % 30}, trials: 100}}\n")
        if extra:
            lines.append(f"    {extra}\n")
    return "".join(lines)


def setup(candidates: int):
    selection = load_catalog().as_of(dt.date(2026, 11, 23))
    path = Path(f"/tmp/tco-benchmark-simulate-{candidates}.yaml")
    path.write_text(workload_text(candidates))
    workload = validate(Workload, read_yaml(path))
    return workload, compare(workload, selection)


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def headline(draws: int) -> None:
    """Best of three at the default size, and traced memory on a separate run."""
    workload, comparison = setup(len(CANDIDATES))
    schemes = sorted({r.scheme for r in comparison.results})
    times = []
    for _ in range(3):  # best of three, untraced
        t0 = time.perf_counter()
        sim = simulate(workload, comparison, draws, seed=1)
        times.append(time.perf_counter() - t0)
    elapsed = min(times)
    tracemalloc.start()  # memory on a separate run: tracing slows allocation
    simulate(workload, comparison, draws, seed=1)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(f"simulate: {draws:,} draws × {len(comparison.results)} candidates ({', '.join(schemes)}), "
          f"{len(sim.inputs)} ranges")
    print(f"  {elapsed:.3f} s (best of 3; runs took {', '.join(f'{t:.3f}' for t in times)} s), {draws / elapsed:,.0f} draws per second "
          f"({draws * len(comparison.results) / elapsed:,.0f} candidate-draws per second)")
    print(f"  peak traced memory {peak / 1e6:.1f} MB; peak RSS of the process {rss_mb():.0f} MB")


def growth(draws: int, sizes: list[int]) -> None:
    """compare + simulate at each number of candidates: time per candidate stays flat when growth is linear."""
    print(f"growth with candidates, {draws:,} draws:")
    for candidates in sizes:
        t0 = time.perf_counter()
        workload, comparison = setup(candidates)
        t1 = time.perf_counter()
        simulate(workload, comparison, draws, seed=1)
        t2 = time.perf_counter()
        print(f"  {candidates:>5,} candidates: compare {t1 - t0:6.2f} s, simulate {t2 - t1:7.2f} s "
              f"({(t2 - t1) / candidates * 1000:6.1f} ms per candidate); peak RSS so far {rss_mb():,.0f} MB")


def main() -> None:
    draws = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    if len(sys.argv) > 2:
        growth(draws, [int(c) for c in sys.argv[2:]])
        return
    headline(draws)
    growth(1_000, [20, 100, 500])


if __name__ == "__main__":
    main()
