from __future__ import annotations

from typing import Any

from django import template

from sinergi.accounts.scoping import memberships
from sinergi.newsroom import access

register = template.Library()


@register.simple_tag(takes_context=True)
def newsroom_nav(context: Any) -> dict[str, bool]:
    """The newsroom in the user's menu: `member` when she writes for an organisation or
    manages them; `only` when that is all she does (no programme role)."""
    user = context["request"].user
    if not user.is_authenticated or not access.is_newsroom_user(user):
        return {}
    return {"member": True, "only": not memberships(user)}
