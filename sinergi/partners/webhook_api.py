"""GET|POST /api/v1/webhooks, GET|PATCH|DELETE /api/v1/webhooks/{id} and
GET /api/v1/webhooks/{id}/deliveries."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.errors import HttpError

from sinergi.lib.errors import InvalidInput
from sinergi.lib.pagination import cursor_page
from sinergi.lib.scope import Principal
from sinergi.partners import webhooks
from sinergi.partners.models import Partner, Webhook
from sinergi.partners.services import Refused
from sinergi.partners.webhook_services import (
    change_webhook,
    delete_webhook,
    get_webhook,
    may_manage_webhooks,
    may_read_webhooks,
    own_partner,
    register_webhook,
)

router = Router(tags=["webhooks"])


class WebhookIn(Schema):
    url: str
    events: list[str]
    secret: str | None = None
    partner: int | None = None  # the national admin names it; staff register for their own


class WebhookChange(Schema):
    url: str | None = None
    events: list[str] | None = None
    active: bool | None = None


class WebhookOut(Schema):
    id: int
    partner: int
    partner_name: str
    url: str
    events: list[str]
    active: bool
    failures_in_row: int
    disabled_reason: str
    created_at: datetime


class WebhookCreated(WebhookOut):
    secret: str  # shown once, in this answer only


class WebhookPage(Schema):
    count: int
    items: list[WebhookOut]
    next: str | None


class DeliveryOut(Schema):
    id: int
    event: str
    status: str
    attempts: int
    last_status_code: int | None
    last_error: str
    last_attempt_at: datetime | None
    next_attempt_at: datetime | None
    delivered_at: datetime | None
    created_at: datetime


class DeliveryPage(Schema):
    count: int
    items: list[DeliveryOut]
    next: str | None


def _out(hooks: list[Webhook]) -> list[dict[str, Any]]:
    return [
        {
            "id": hook.pk,
            "partner": hook.partner_id,
            "partner_name": hook.partner.name,
            "url": hook.url,
            "events": hook.events,
            "active": hook.active,
            "failures_in_row": hook.failures_in_row,
            "disabled_reason": hook.disabled_reason,
            "created_at": hook.created_at,
        }
        for hook in hooks
    ]


def _readable(user: Principal) -> None:
    if not may_read_webhooks(user):
        raise Http404


def _manageable(user: Principal, partner: Partner | int) -> None:
    if not may_manage_webhooks(user, partner):
        raise HttpError(403, _("You may read this partner's webhooks but not change them."))


def _partner_for(user: Principal, wanted: int | None) -> Partner:
    """The partner a new webhook is for: the user's own as its staff, or the one named."""
    own = own_partner(user)
    if own is not None and wanted in (None, own.pk):
        return own
    if wanted is None:
        raise InvalidInput({"partner": [_("Name the partner the webhook is for.")]})
    partner = Partner.objects.visible_to(user).filter(pk=wanted).first()
    if partner is None:
        raise InvalidInput({"partner": [_("No such partner.")]})
    return partner


@router.get("/webhooks", response=WebhookPage, summary="List the webhooks you may read")
def list_webhooks(request: HttpRequest) -> dict[str, Any]:
    _readable(request.user)
    hooks = Webhook.objects.visible_to(request.user).select_related("partner")
    return cursor_page(request, hooks, _out)


@router.post("/webhooks", response={201: WebhookCreated}, summary="Register a webhook")
def create_webhook(request: HttpRequest, body: WebhookIn) -> Status[dict[str, Any]]:
    _readable(request.user)
    partner = _partner_for(request.user, body.partner)
    _manageable(request.user, partner)
    try:
        hook = register_webhook(
            user=request.user,
            partner=partner,
            url=body.url,
            events=body.events,
            secret=body.secret,
        )
    except Refused as refused:
        raise InvalidInput(refused.errors) from refused
    return Status(201, {**_out([hook])[0], "secret": webhooks.secret_of(hook)})


@router.get("/webhooks/{webhook_id}", response=WebhookOut, summary="One webhook")
def read_webhook(request: HttpRequest, webhook_id: int) -> dict[str, Any]:
    return _out([get_webhook(request.user, webhook_id)])[0]


@router.patch("/webhooks/{webhook_id}", response=WebhookOut, summary="Change a webhook")
def patch_webhook(request: HttpRequest, webhook_id: int, body: WebhookChange) -> dict[str, Any]:
    hook = get_webhook(request.user, webhook_id)
    _manageable(request.user, hook.partner_id)
    try:
        hook = change_webhook(
            user=request.user, webhook=hook, url=body.url, events=body.events, active=body.active
        )
    except Refused as refused:
        raise InvalidInput(refused.errors) from refused
    return _out([hook])[0]


@router.delete("/webhooks/{webhook_id}", response={204: None}, summary="Delete a webhook")
def remove_webhook(request: HttpRequest, webhook_id: int) -> Status[None]:
    hook = get_webhook(request.user, webhook_id)
    _manageable(request.user, hook.partner_id)
    delete_webhook(user=request.user, webhook=hook)
    return Status(204, None)


@router.get(
    "/webhooks/{webhook_id}/deliveries",
    response=DeliveryPage,
    summary="The delivery log of a webhook",
)
def list_deliveries(request: HttpRequest, webhook_id: int) -> dict[str, Any]:
    hook = get_webhook(request.user, webhook_id)
    return cursor_page(request, hook.deliveries.all(), list)
