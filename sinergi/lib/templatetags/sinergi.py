from __future__ import annotations

from typing import Any

from django import template

from sinergi.lib import formatting

register = template.Library()


@register.filter
def rupiah(value: Any) -> str:
    return formatting.rupiah(value) if value not in (None, "") else ""


@register.filter
def thousands(value: Any) -> str:
    return formatting.thousands(value) if value not in (None, "") else ""


@register.simple_tag(takes_context=True)
def query_with(context: Any, **kwargs: Any) -> str:
    """The current query string with some parameters replaced (for pagination links)."""
    params = context["request"].GET.copy()
    for key, value in kwargs.items():
        params[key] = value
    return str(params.urlencode())
