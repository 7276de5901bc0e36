"""The partners app's part of the navigation, and its filters."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.utils import timezone
from django.utils.formats import date_format

from sinergi.accounts.scoping import is_national_admin, may_write, memberships
from sinergi.partners.choices import OfferCategory, ReferralStatus
from sinergi.partners.inbox import staff_of

register = template.Library()


@register.simple_tag(takes_context=True)
def partners_nav(context: Any) -> dict[str, Any]:
    """What of the partners app is in the user's menu. A partner's staff (an account with no
    programme role) gets her inbox only, and her webhooks if she manages them; members get
    partners and referrals, and matching if they may refer; the national admin, who may
    manage every partner's webhooks, gets them too."""
    user = context["request"].user
    if not user.is_authenticated:
        return {}
    if memberships(user):
        return {
            "member": True,
            "matching": may_write(user),
            "webhooks": is_national_admin(user),
        }
    staff = staff_of(user)
    return {"staff": staff is not None, "webhooks": bool(staff and staff.manages_webhooks)}


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
