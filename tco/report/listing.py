"""`tco pricebook list` for the terminal: every offer id whole, ready to copy into a workload."""

from __future__ import annotations

from typing import Any

from tco.report.grid import Column, Grid

COLUMNS = {"id": Column("Offer"), "scheme": Column("Scheme"), "name": Column("Name"), "versions": Column("Versions"),
           "retrieved": Column("Retrieved")}
NARROW = ("id", "scheme", "versions", "retrieved")
WIDE = ("id", "scheme", "name", "versions", "retrieved")


def offers_table(listing: dict[str, Any], wide: bool = False) -> Grid:
    """The offers of a listing (`tco pricebook list --format json`), one row each, vendor by vendor."""
    keys = WIDE if wide else NARROW
    rows = ([", ".join(o[k]) if k == "versions" else o[k] for k in keys] for v in listing["vendors"] for o in v["offers"])
    return Grid([COLUMNS[k] for k in keys], rows)
