"""Time `tco compare` on the bundled price books: every per-token offer as a candidate.

Run: python3 benchmarks/compare.py   (prints figures; no assertions)
"""

from __future__ import annotations

import datetime as dt
import time
import tracemalloc
from decimal import Decimal

from tco.engine.compare import compare
from tco.files.pricebooks import load_catalog
from tco.models.workload import Workload


def main() -> None:
    t0 = time.perf_counter()
    catalog = load_catalog()
    t1 = time.perf_counter()
    selection = catalog.as_of(dt.date.today())
    ids = [i for i, ref in selection.offers.items() if ref.offer.scheme == "per_token"]
    workload = Workload.model_validate({
        "workload": "benchmark", "tasks": Decimal(40000),
        "task": {"calls": Decimal(6), "input_tokens": Decimal(3500), "cached_input_share": Decimal("0.6"),
                 "output_tokens": Decimal(400), "reasoning_tokens": Decimal(1200), "max_attempts": 2},
        "human": {"hourly_cost": Decimal(45), "review_minutes": Decimal("1.5"), "task_minutes": Decimal(12)},
        "candidates": [{"offer": i, "success_rate": Decimal("0.8")} for i in ids],
    })
    tracemalloc.start()
    t2 = time.perf_counter()
    compare(workload, selection)
    t3 = time.perf_counter()
    peak = tracemalloc.get_traced_memory()[1]
    print(f"load_catalog: {t1 - t0:.3f} s for {sum(len(v) for v in catalog.books.values())} files")
    print(f"compare: {t3 - t2:.3f} s for {len(ids)} candidates ({(t3 - t2) / len(ids) * 1000:.1f} ms each, "
          f"break-even included); peak traced memory {peak / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
