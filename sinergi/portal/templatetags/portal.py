from __future__ import annotations

from django import template
from django.conf import settings

register = template.Library()


@register.simple_tag
def public_threshold() -> int:
    """The smallest count published as it is (PUBLIC_COUNT_THRESHOLD): smaller ones read
    “<threshold”."""
    return int(settings.PUBLIC_COUNT_THRESHOLD)
