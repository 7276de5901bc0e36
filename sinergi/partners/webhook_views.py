"""The partner admin's webhook pages: the list, registering one (its secret shown once),
changing, enabling, disabling and deleting it, and its delivery log.

Partner staff read their organisation's webhooks; those who manage webhooks and the
national admin change them (403 for the others); nobody else has these pages (404)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from sinergi.accounts.scoping import is_national_admin
from sinergi.lib.htmx import render_page
from sinergi.lib.scope import Principal
from sinergi.partners import webhooks
from sinergi.partners.choices import DeliveryStatus
from sinergi.partners.models import Partner, Webhook
from sinergi.partners.services import Refused
from sinergi.partners.webhook_forms import WebhookForm
from sinergi.partners.webhook_services import (
    change_webhook,
    delete_webhook,
    get_webhook,
    may_manage_webhooks,
    may_read_webhooks,
    own_partner,
    register_webhook,
)

DELIVERIES_PER_PAGE = 50


def _reader(user: Principal) -> None:
    if not may_read_webhooks(user):
        raise Http404


def _manager(user: Principal, partner: Partner | int) -> None:
    if not may_manage_webhooks(user, partner):
        raise PermissionDenied


def _partner_choices(user: Principal) -> QuerySet[Partner] | None:
    """The partners the national admin chooses from; None for staff (their own)."""
    return Partner.objects.visible_to(user) if is_national_admin(user) else None


def _refusals_on(form: WebhookForm, refused: Refused) -> None:
    for field, errors in refused.errors.items():
        for error in errors:
            form.add_error(field if field in form.fields else None, error)


@login_required
@require_GET
def webhook_list(request: HttpRequest) -> HttpResponse:
    _reader(request.user)
    own = own_partner(request.user)
    context = {
        "webhooks": Webhook.objects.visible_to(request.user).select_related("partner"),
        "may_register": is_national_admin(request.user)
        or (own is not None and may_manage_webhooks(request.user, own)),
        "show_partner": is_national_admin(request.user),
    }
    return render(request, "partners/webhook_list.html", context)


@login_required
def webhook_create(request: HttpRequest) -> HttpResponse:
    _reader(request.user)
    own = own_partner(request.user)
    if own is not None:
        _manager(request.user, own)
    choices = _partner_choices(request.user)
    form = WebhookForm(request.POST or None, partners=choices, creating=True)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        partner = data.get("partner") or own
        if partner is None:
            raise PermissionDenied
        try:
            hook = register_webhook(
                user=request.user,
                partner=partner,
                url=data["url"],
                events=data["events"],
                secret=data["secret"] or None,
            )
        except Refused as refused:
            _refusals_on(form, refused)
        else:
            # The secret is shown this once, on the answer to the form; never again.
            return _detail(request, hook, secret=webhooks.secret_of(hook), status=201)
    status = 400 if form.is_bound else 200
    return render(
        request, "partners/webhook_form.html", {"form": form, "webhook": None}, status=status
    )


@login_required
def webhook_edit(request: HttpRequest, webhook_id: int) -> HttpResponse:
    hook = get_webhook(request.user, webhook_id)
    _manager(request.user, hook.partner_id)
    initial = {"url": hook.url, "events": hook.events}
    form = WebhookForm(request.POST or None, initial=initial, partners=None, creating=False)
    if request.method == "POST" and form.is_valid():
        try:
            change_webhook(
                user=request.user,
                webhook=hook,
                url=form.cleaned_data["url"],
                events=form.cleaned_data["events"],
            )
        except Refused as refused:
            _refusals_on(form, refused)
        else:
            messages.success(request, _("The webhook is saved."))
            return redirect("webhooks:webhook_detail", webhook_id=hook.pk)
    status = 400 if form.is_bound else 200
    return render(
        request, "partners/webhook_form.html", {"form": form, "webhook": hook}, status=status
    )


def _detail(
    request: HttpRequest, hook: Webhook, *, secret: str = "", status: int = 200
) -> HttpResponse:
    page = Paginator(hook.deliveries.all(), DELIVERIES_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "webhook": hook,
        "secret": secret,
        "page": page,
        "waiting": any(d.status == DeliveryStatus.PENDING for d in page),
        "may_manage": may_manage_webhooks(request.user, hook.partner_id),
    }
    return render_page(
        request,
        "partners/webhook_detail.html",
        "partners/partials/_webhook_deliveries.html",
        context,
        status=status,
    )


@login_required
@require_GET
def webhook_detail(request: HttpRequest, webhook_id: int) -> HttpResponse:
    return _detail(request, get_webhook(request.user, webhook_id))


def _switch(request: HttpRequest, webhook_id: int, *, active: bool) -> HttpResponse:
    hook = get_webhook(request.user, webhook_id)
    _manager(request.user, hook.partner_id)
    change_webhook(user=request.user, webhook=hook, active=active)
    messages.success(
        request,
        _("The webhook is enabled.") if active else _("The webhook is disabled."),
    )
    return redirect("webhooks:webhook_detail", webhook_id=hook.pk)


@login_required
@require_POST
def webhook_enable(request: HttpRequest, webhook_id: int) -> HttpResponse:
    return _switch(request, webhook_id, active=True)


@login_required
@require_POST
def webhook_disable(request: HttpRequest, webhook_id: int) -> HttpResponse:
    return _switch(request, webhook_id, active=False)


@login_required
@require_POST
def webhook_delete(request: HttpRequest, webhook_id: int) -> HttpResponse:
    hook = get_webhook(request.user, webhook_id)
    _manager(request.user, hook.partner_id)
    delete_webhook(user=request.user, webhook=hook)
    messages.success(request, _("The webhook and its delivery log are deleted."))
    return redirect("webhooks:webhook_list")
