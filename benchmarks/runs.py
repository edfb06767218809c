"""Time `tco runs summary` and `tco runs reprice` on N generated call records (Parquet), with peak memory.

Run: python3 benchmarks/runs.py [N ...]   (default 1,000,000; prints figures, no assertions)

Each N is generated once into a temporary Parquet file, then summarised and repriced in a fresh process, so the
peak resident memory printed is that of the work alone.
"""

from __future__ import annotations

import datetime as dt
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

MODELS = ("gpt-5.4", "claude-sonnet-4-6", "gpt-5.4-mini")


def generate(path: Path, n: int) -> None:
    """`n` calls: five per run, two runs per task, three models, a timestamp spread over thirty days."""
    import duckdb

    models = "[" + ", ".join(f"'{m}'" for m in MODELS) + "]"
    duckdb.connect().execute(f"""
        COPY (
          SELECT 'r' || (i // 5) AS run_id, 't' || (i // 10) AS task_id, {models}[1 + (i // 5) % 3] AS model,
                 1000 + (hash(i) % 4000)::BIGINT AS input_tokens, (hash(i) % 1000)::BIGINT AS cached_input_tokens,
                 0 AS cache_write_tokens, 100 + (hash(i + 1) % 600)::BIGINT AS output_tokens,
                 (hash(i + 2) % 300)::BIGINT AS reasoning_tokens,
                 CAST((hash(i + 3) % 10000) / 1e6 AS DECIMAL(18, 6)) AS cost,
                 (hash(i // 5) % 10) < 8 AS success, 1 + CAST(hash(i + 4) % 20 = 0 AS INTEGER) AS attempt,
                 1.5 AS latency_seconds,
                 TIMESTAMPTZ '2026-11-01 00:00:00+00' + INTERVAL (i % 2592000) SECOND AS timestamp,
                 'support' AS workflow
          FROM range({n}) AS t(i)
        ) TO '{path}' (FORMAT parquet)""")


def measure(path: str) -> None:
    """Summarise and reprice `path`; print one JSON line of figures."""
    from tco import api

    as_of = dt.date(2026, 12, 1)
    t0 = time.perf_counter()
    summary = api.run_runs_summary([Path(path)], as_of)
    t1 = time.perf_counter()
    api.run_runs_reprice([Path(path)], ["anthropic/claude-sonnet-4.6", "openai/gpt-5.4-mini"], as_of)
    t2 = time.perf_counter()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"calls": summary["calls"], "summary_s": t1 - t0, "reprice_s": t2 - t1, "peak_rss_mb": peak_mb}))


def main(sizes: list[int]) -> None:
    for n in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "calls.parquet"
            t0 = time.perf_counter()
            generate(path, n)
            made = time.perf_counter() - t0
            start = time.perf_counter()
            done = subprocess.run([sys.executable, __file__, "--measure", str(path)], capture_output=True, text=True)
            wall = time.perf_counter() - start
            if done.returncode:
                print(f"{n:,} calls: failed after {wall:.1f} s: {done.stderr.strip().splitlines()[-1]}")
                continue
            f = json.loads(done.stdout)
            print(f"{n:,} calls ({path.stat().st_size / 1e6:.0f} MB Parquet, generated in {made:.1f} s): "
                  f"summary {f['summary_s']:.2f} s + reprice on 2 offers {f['reprice_s']:.2f} s = "
                  f"{f['summary_s'] + f['reprice_s']:.2f} s; process wall {wall:.2f} s (with start-up); "
                  f"peak RSS {f['peak_rss_mb']:.0f} MB")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--measure"]:
        measure(sys.argv[2])
    else:
        main([int(a.replace(",", "").replace("_", "")) for a in sys.argv[1:]] or [1_000_000])
