"""What a scheme returns: the vendor's charge for the period and how it splits."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

Bearer = Literal["customer", "vendor", "shared"]


@dataclass(frozen=True)
class Bill:
    """The vendor charge for one period of the workload on one offer."""

    period_cost: Decimal
    fixed_commitment: Decimal
    """Owed whatever the volume: seats, platform fees, provisioned units."""
    customer_failure_spend: Decimal
    """The part of the bill that pays for failure."""
    failure_bearer: Bearer
    unmetered: bool = False
    """A flat fee covers unbounded use (the vendor carries a volume surprise)."""
    breakdown: dict[str, object] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
