from __future__ import annotations

from typing import Any

from django import template
from django.utils.formats import number_format

from sinergi.lib import formatting

register = template.Library()


@register.filter
def rupiah(value: Any) -> str:
    return formatting.rupiah(value) if value not in (None, "") else ""


@register.filter
def thousands(value: Any) -> str:
    """A whole number grouped for the reader's language: 83.762 in Indonesian, 83,762 in English.

    Money is not a count: `rupiah` keeps Rp1.250.000 in both languages.
    """
    return number_format(round(value), force_grouping=True) if value not in (None, "") else ""


@register.simple_tag(takes_context=True)
def query_with(context: Any, **kwargs: Any) -> str:
    """The current query string with some parameters replaced (for pagination links)."""
    params = context["request"].GET.copy()
    for key, value in kwargs.items():
        params[key] = value
    return str(params.urlencode())
