"""The partners app's part of the navigation, and its filters."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.formats import date_format

from sinergi.accounts.scoping import may_write, memberships
from sinergi.partners.choices import OfferCategory, ReferralStatus
from sinergi.partners.inbox import staff_of

register = template.Library()

# Pages of the partners app that other parts of it may serve: linked when they exist.
_MONITORING, _WEBHOOKS = "/partners/monitoring/", "/partners/webhooks/"


def _served(path: str) -> str:
    try:
        resolve(path)
    except Resolver404:
        return ""
    return path


@register.simple_tag(takes_context=True)
def partners_nav(context: Any) -> dict[str, Any]:
    """What of the partners app is in the user's menu. A partner's staff (an account with no
    programme role) gets her inbox only, and her webhooks if she manages them; members get
    partners and referrals, and matching if they may refer."""
    user = context["request"].user
    if not user.is_authenticated:
        return {}
    if memberships(user):
        return {
            "member": True,
            "matching": may_write(user),
            "monitoring": _served(_MONITORING),
        }
    staff = staff_of(user)
    return {
        "staff": staff is not None,
        "webhooks": _served(_WEBHOOKS) if staff and staff.manages_webhooks else "",
    }


@register.filter
def isodate(value: str | None) -> str:
    """An ISO date or time (as partners.disclosure gives them) as a reader's date."""
    if not value:
        return ""
    moment = dt.datetime.fromisoformat(value)
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return date_format(moment.date())


@register.filter
def status_label(value: str) -> str:
    return str(ReferralStatus(value).label) if value in ReferralStatus.values else value


@register.filter
def category_label(value: str) -> str:
    return str(OfferCategory(value).label) if value in OfferCategory.values else value
