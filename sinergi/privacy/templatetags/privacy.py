"""Privacy pieces other apps' templates show without importing the privacy views: an
actor's consent history and the link to her personal-data page."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import template
from django.utils.formats import date_format

from sinergi.accounts.scoping import is_national_admin
from sinergi.privacy.services import may_handle
from sinergi.registry.models import Actor

register = template.Library()


@register.inclusion_tag("privacy/partials/_consent_history.html", takes_context=True)
def actor_consent_history(context: Any, actor: Actor) -> dict[str, Any]:
    user = context["request"].user
    return {
        "actor": actor,
        "consents": actor.consent_events.all(),
        "may_handle": may_handle(user, actor),
    }


@register.simple_tag(takes_context=True)
def privacy_nav(context: Any) -> bool:
    """Whether the record of processing activities is in the user's menu."""
    return is_national_admin(context["request"].user)


@register.filter
def when(value: str | None) -> str:
    """An ISO time from a report as a reader's date and time (29 November 2026 14:05)."""
    if not value:
        return "—"
    return date_format(datetime.fromisoformat(value), "j F Y H:i")
