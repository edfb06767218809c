"""`tco pricebook list` for the terminal: every offer id whole, ready to copy into a workload."""

from __future__ import annotations

from typing import Any

from tco.report.grid import Column, Grid

COLUMNS = {"id": Column("Offer"), "offer": Column("Offer"), "scheme": Column("Scheme"), "name": Column("Name"), "versions": Column("Versions"),
           "retrieved": Column("Retrieved"), "status": Column("Status")}
NARROW = ("offer", "scheme", "versions", "retrieved")
"""At 80 columns the status rides with the id, wrapping under it: `openai/o3 (deprecated, retires 2026-12-11)`."""
WIDE = ("id", "scheme", "name", "versions", "retrieved", "status")


def status(offer: dict[str, Any]) -> str:
    """The Status cell: 'retired 2026-06-01', 'deprecated, retires 2026-12-11', 'on sale'…"""
    if offer["status"] == "retired":
        return f"retired {offer['retired']}"
    if offer["status"] == "deprecated" and "retired" in offer:
        return f"deprecated, retires {offer['retired']}"
    return offer["status"]


def versions(offer: dict[str, Any]) -> str:
    """The versions an offer is in: one date, or the first and last and how many (the JSON lists them all)."""
    dates = offer["versions"]
    return dates[0] if len(dates) == 1 else f"{dates[0]} to {dates[-1]} ({len(dates)})"


def _cell(offer: dict[str, Any], key: str) -> str:
    marked = offer["id"] if offer["status"] == "on sale" else f"{offer['id']} ({status(offer)})"
    return {"versions": lambda: versions(offer), "status": lambda: status(offer), "offer": lambda: marked}.get(key, lambda: offer[key])()


def offers_table(listing: dict[str, Any], wide: bool = False) -> Grid:
    """The offers of a listing (`tco pricebook list --format json`), one row each, vendor by vendor."""
    keys = WIDE if wide else NARROW
    rows = ([_cell(o, k) for k in keys] for v in listing["vendors"] for o in v["offers"])
    return Grid([COLUMNS[k] for k in keys], rows)
