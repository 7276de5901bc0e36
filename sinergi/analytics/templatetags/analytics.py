"""Filters for the dashboards: counts and shares as the reader's language writes them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django import template

from sinergi.analytics import display

register = template.Library()


@register.filter
def count(value: Any) -> str:
    """A count as the reader reads it; text (a figure already written out) as it is."""
    if isinstance(value, str):
        return value or "—"
    return display.count(value) if value is not None else "—"


@register.filter
def percent(value: Any) -> str:
    return display.percent(value)


@register.filter
def lookup(mapping: Mapping[str, Any], key: str) -> Any:
    return mapping.get(key, key)


@register.filter
def zip_with(first: Sequence[Any], second: Sequence[Any]) -> list[tuple[Any, Any]]:
    return list(zip(first, second, strict=True))


@register.filter
def breakdown_chart(charts: display.Charts, dim: str) -> Any:
    return charts.breakdown(dim)
