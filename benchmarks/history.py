"""Time `tco history` on the bundled price books: every offer ever sold as a candidate, from the first version on.

Run: python3 benchmarks/history.py   (prints figures; no assertions)
"""

from __future__ import annotations

import datetime as dt
import time
import tracemalloc
from decimal import Decimal

from tco.engine.history import history
from tco.files.pricebooks import load_catalog
from tco.models.workload import Workload


def main() -> None:
    catalog = load_catalog()
    per_token = sorted({f"{b.vendor}/{k}" for v in catalog.books.values() for b in v for k, o in b.book.offers.items()
                        if o.scheme == "per_token"})
    workload = Workload.model_validate({
        "workload": "benchmark", "tasks": Decimal(40000),
        "task": {"calls": Decimal(6), "input_tokens": Decimal(3500), "cached_input_share": Decimal("0.6"),
                 "output_tokens": Decimal(400), "reasoning_tokens": Decimal(1200), "max_attempts": 2},
        "human": {"hourly_cost": Decimal(45), "review_minutes": Decimal("1.5"), "task_minutes": Decimal(12)},
        "candidates": [{"offer": i, "success_rate": Decimal("0.8")} for i in per_token],
    })
    tracemalloc.start()
    t0 = time.perf_counter()
    found = history(workload, catalog, None, dt.date.today())
    t1 = time.perf_counter()
    peak = tracemalloc.get_traced_memory()[1]
    costed = sum(e.figures is not None for p in found.points for e in p.entries)
    print(f"history: {t1 - t0:.3f} s for {len(per_token)} per-token candidates at {len(found.points)} points "
          f"({costed} costed); peak traced memory {peak / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
