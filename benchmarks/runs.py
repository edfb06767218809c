"""Time `tco runs summary` and `tco runs reprice` on N generated call records (Parquet), with peak memory.

Run: python3 benchmarks/runs.py [N ...] [--repeat 3]   (default 1,000,000; prints figures, no assertions)

Each N is generated once into a temporary Parquet file, then summarised and repriced in a fresh process (the best
of --repeat runs: the machine may be shared), so the peak resident memory printed is that of the work alone.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

MODELS = ("gpt-5.4", "claude-sonnet-4-6", "gpt-5.4-mini")
OFFERS = ("anthropic/claude-sonnet-4.6", "openai/gpt-5.4-mini")


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


def measure(path: str, mode: str) -> None:
    """Summarise and reprice `path` as `tco runs summary` and `tco runs reprice` do; print one JSON line of figures:
    each API call whole (`api`), or the stages of one read shared by both (price books, records, each query)."""
    from tco import api
    from tco.engine.runs import per_token_offer, pricing_for, reprice_sql, summary_sql
    from tco.files.pricebooks import load_catalog
    from tco.files.runs import read_records

    as_of, files = dt.date(2026, 12, 1), [Path(path)]
    if mode == "api":
        t0 = time.perf_counter()
        api.run_runs_summary(files, as_of)
        t1 = time.perf_counter()
        api.run_runs_reprice(files, list(OFFERS), as_of)
        f = {"summary_s": t1 - t0, "reprice_s": time.perf_counter() - t1}
    else:
        t0 = time.perf_counter()
        catalog = load_catalog(None, in_force=as_of)
        t1 = time.perf_counter()
        records = read_records(files)
        t2 = time.perf_counter()
        names = [r["model"] for r in records.rows("SELECT DISTINCT model FROM calls ORDER BY model")]
        pricing = pricing_for(names, catalog.as_of(as_of))
        records.rows(summary_sql(pricing))
        t3 = time.perf_counter()
        records.rows(reprice_sql(pricing, [per_token_offer(o, pricing.selection) for o in OFFERS]))
        f = {"books_s": t1 - t0, "read_s": t2 - t1, "summary_query_s": t3 - t2, "reprice_query_s": time.perf_counter() - t3}
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({**f, "peak_rss_mb": peak_mb}))


def main(sizes: list[int], repeat: int) -> None:
    for n in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "calls.parquet"
            t0 = time.perf_counter()
            generate(path, n)
            made = time.perf_counter() - t0
            best, peak = {}, 0.0
            for mode in ("api", "stages"):
                runs = []
                for _ in range(repeat):
                    start = time.perf_counter()
                    done = subprocess.run([sys.executable, __file__, "--measure", str(path), mode],
                                          capture_output=True, text=True)
                    if done.returncode:
                        print(f"{n:,} calls: failed: {done.stderr.strip().splitlines()[-1]}")
                        return
                    runs.append({**json.loads(done.stdout), f"{mode}_wall": time.perf_counter() - start})
                best |= min(runs, key=lambda r: sum(v for k, v in r.items() if k.endswith("_s")))
                peak = max([peak, *(r["peak_rss_mb"] for r in runs)])
            f = best
            shared = f["read_s"] + f["summary_query_s"] + f["reprice_query_s"]
            print(f"{n:,} calls ({path.stat().st_size / 1e6:.0f} MB Parquet, generated in {made:.1f} s), best of {repeat}:\n"
                  f"  tco runs summary {f['summary_s']:.2f} s + tco runs reprice on 2 offers {f['reprice_s']:.2f} s = "
                  f"{f['summary_s'] + f['reprice_s']:.2f} s; process wall {f['api_wall']:.2f} s (with start-up)\n"
                  f"  one read for both: price books {f['books_s']:.2f} s; records {f['read_s']:.2f} s, summary "
                  f"{f['summary_query_s']:.2f} s, reprice {f['reprice_query_s']:.2f} s = {shared:.2f} s "
                  f"({n / shared / 1e6:.2f} M records/s)\n"
                  f"  peak RSS {peak:.0f} MB; load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--measure"]:
        measure(sys.argv[2], sys.argv[3])
    else:
        args = sys.argv[1:]
        repeat = int(args.pop(args.index("--repeat") + 1)) if "--repeat" in args else 3
        args = [a for a in args if a != "--repeat"]
        main([int(a.replace(",", "").replace("_", "")) for a in args] or [1_000_000], repeat)
