"""Numbers as people read them in tables and memos."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def money(text: str | None) -> str:
    """'0.0765' → '$0.0765'; '1234.5' → '$1,234.50'. Sub-dollar amounts keep four significant places."""
    if text is None:
        return "–"
    value = Decimal(text)
    if value and abs(value) < 1:
        rounded = value.quantize(Decimal(1).scaleb(value.adjusted() - 3), ROUND_HALF_UP).normalize()
        return f"${rounded.quantize(Decimal('0.01')) if rounded.as_tuple().exponent > -2 else rounded:f}"
    return f"${value.quantize(Decimal('0.01'), ROUND_HALF_UP):,}"


def share(text: str | None) -> str:
    return "never" if text is None else f"{Decimal(text) * 100:.2f}%"


def cell_text(text: str) -> str:
    """Text for a spreadsheet cell that can never be read as a formula."""
    return "'" + text if text.startswith(FORMULA_START) else text
