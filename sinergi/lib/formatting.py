"""Numbers as Indonesians read them: Rp1.250.000, 12.345."""

from __future__ import annotations

from decimal import Decimal


def thousands(value: int | float | Decimal) -> str:
    return f"{round(value):,}".replace(",", ".")


def rupiah(value: int | float | Decimal | None) -> str:
    if value is None:
        return ""
    return f"{'-' if value < 0 else ''}Rp{thousands(-value if value < 0 else value)}"
