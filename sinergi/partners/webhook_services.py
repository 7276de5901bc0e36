"""Writes of webhooks: registering, changing and deleting them. Each function is atomic and
leaves one audit row (never the secret).

Who: the partner's staff whose PartnerStaff.manages_webhooks is true, and the national
admin. Every other member of the partner's staff reads its webhooks and their deliveries
(Webhook.reach) but changes nothing; the rest of the programme does not see them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _

from sinergi.accounts.models import User, account_of
from sinergi.accounts.scoping import is_national_admin
from sinergi.audit.models import Action
from sinergi.audit.services import diff, record
from sinergi.lib.scope import Principal
from sinergi.partners import webhooks
from sinergi.partners.models import Partner, PartnerStaff, Webhook
from sinergi.partners.services import Acting, Refused

URL_MAX_LENGTH = Webhook._meta.get_field("url").max_length or 500


def may_read_webhooks(user: Principal) -> bool:
    """Whether webhooks exist for this user at all: partner staff and the national admin."""
    return is_national_admin(user) or (
        isinstance(user, User) and PartnerStaff.objects.filter(user=user).exists()
    )


def may_manage_webhooks(user: Principal, partner: Partner | int) -> bool:
    """The national admin, and the partner's staff who manage its webhooks."""
    partner_id = partner.pk if isinstance(partner, Partner) else partner
    return is_national_admin(user) or (
        isinstance(user, User)
        and PartnerStaff.objects.filter(
            user=user, partner_id=partner_id, manages_webhooks=True
        ).exists()
    )


def own_partner(user: Principal) -> Partner | None:
    """The partner the user works for, when she is partner staff."""
    if not isinstance(user, User):
        return None
    staff = PartnerStaff.objects.filter(user=user).select_related("partner").first()
    return staff.partner if staff is not None else None


def get_webhook(user: Principal, webhook_id: int) -> Webhook:
    """A webhook the user may read; any other does not exist for her (404), nor does any
    for a user to whom webhooks do not exist."""
    found = Webhook.objects.visible_to(user).select_related("partner").filter(pk=webhook_id).first()
    if found is None or not may_read_webhooks(user):
        raise Http404
    return found


def url_problems(url: str) -> list[str]:
    if not url.strip():
        return [_("Give the URL of your system's receiver.")]
    if len(url) > URL_MAX_LENGTH:
        return [_("The URL is longer than %(n)d characters.") % {"n": URL_MAX_LENGTH}]
    return webhooks.target_problems(url)


def events_problems(events: Sequence[str]) -> list[str]:
    if not events:
        return [_("Choose at least one event.")]
    return [
        _("Unknown event %(event)s; the events are %(events)s.")
        % {"event": name, "events": ", ".join(webhooks.EVENTS)}
        for name in dict.fromkeys(events)
        if name not in webhooks.EVENTS
    ]


def _check(errors: dict[str, list[str]]) -> None:
    found = {field: messages for field, messages in errors.items() if messages}
    if found:
        raise Refused(found)


def _require_manager(user: Principal, partner: Partner | int) -> None:
    if not may_manage_webhooks(user, partner):
        raise Refused({"partner": [_("You may not manage this partner's webhooks.")]})


def _snapshot(webhook: Webhook) -> dict[str, Any]:
    return {"url": webhook.url, "events": list(webhook.events), "active": webhook.active}


def _events(events: Sequence[str]) -> list[str]:
    """The events in their canonical order, once each."""
    return [name for name in webhooks.EVENTS if name in events]


def register_webhook(
    *,
    user: Acting,
    partner: Partner,
    url: str,
    events: Sequence[str],
    secret: str | None = None,
) -> Webhook:
    """Register a webhook of a partner: an allowed target (webhooks.target_problems), at
    least one known event, and a secret of 16 to 100 characters, generated when none is
    given (webhooks.secret_of reads it back once, to show it)."""
    _require_manager(user, partner)
    secret = secret or webhooks.new_secret()
    _check(
        {
            "url": url_problems(url),
            "events": events_problems(events),
            "secret": webhooks.secret_problems(secret),
        }
    )
    with transaction.atomic():
        webhook = Webhook.objects.create(
            partner=partner,
            url=url.strip(),
            events=_events(events),
            secret=webhooks.seal(secret),
            created_by=account_of(user),
        )
        record(user, Action.CREATE, webhook, after={"partner": partner.pk, **_snapshot(webhook)})
    return webhook


def change_webhook(
    *,
    user: Acting,
    webhook: Webhook,
    url: str | None = None,
    events: Sequence[str] | None = None,
    active: bool | None = None,
) -> Webhook:
    """Change a webhook's URL, events or whether it is active (what is None stays).
    Turning it on again starts its count of failures in a row afresh."""
    _require_manager(user, webhook.partner_id)
    _check(
        {
            "url": url_problems(url) if url is not None else [],
            "events": events_problems(events) if events is not None else [],
        }
    )
    with transaction.atomic():
        webhook = Webhook.objects.select_for_update().get(pk=webhook.pk)
        before = _snapshot(webhook)
        if url is not None:
            webhook.url = url.strip()
        if events is not None:
            webhook.events = _events(events)
        if active is not None and active != webhook.active:
            webhook.active = active
            webhook.failures_in_row, webhook.disabled_reason = 0, ""
        webhook.save()
        old, new = diff(before, _snapshot(webhook))
        record(user, Action.UPDATE, webhook, before=old, after=new)
    return webhook


def delete_webhook(*, user: Acting, webhook: Webhook) -> None:
    """Delete a webhook and its delivery log."""
    _require_manager(user, webhook.partner_id)
    with transaction.atomic():
        record(
            user,
            Action.DELETE,
            webhook,
            before={"partner": webhook.partner_id, **_snapshot(webhook)},
        )
        webhook.delete()
