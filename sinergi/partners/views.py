"""Pages of the partners app for the programme: partners, their agreements, offers and staff,
matching, referral batches and referrals. A partner's staff have their own pages
(partners.inbox); these are for members of the programme only."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sinergi.accounts.scoping import may_write, memberships
from sinergi.accounts.services import save_user
from sinergi.lib.htmx import render_page
from sinergi.lib.scope import Do, allowed
from sinergi.partners import services
from sinergi.partners.facts import matches_for
from sinergi.partners.forms import (
    AgreementForm,
    BatchForm,
    MatchFilterForm,
    OfferForm,
    PartnerFilterForm,
    PartnerForm,
    ProposeForm,
    StaffForm,
    mapping_regions,
    refused_into,
)
from sinergi.partners.models import Agreement, Offer, Partner, Referral, ReferralBatch
from sinergi.partners.pages import filtered_referrals, take_step
from sinergi.partners.words import instrument_definition, reasons_text
from sinergi.registry.models import Actor

PAGE_SIZE = 25
MATCHES_SHOWN = 3
View = Callable[..., HttpResponseBase]


def member_page(view: View) -> View:
    """A page of the programme: signed in, with a programme role (a partner's staff has none
    and gets 403; she has her inbox)."""

    @login_required
    @wraps(view)
    def page(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not memberships(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return page


def _get(model: Any, request: HttpRequest, pk: int, action: Do = Do.VIEW) -> Any:
    """The row if the user may read it (404 otherwise), and may take `action` (403)."""
    row = get_object_or_404(model.objects.visible_to(request.user), pk=pk)
    if action is not Do.VIEW and not allowed(request.user, action, row):
        raise PermissionDenied
    return row


# --- Partners ------------------------------------------------------------------------------


@member_page
@require_GET
def partner_list(request: HttpRequest) -> HttpResponse:
    form = PartnerFilterForm(request.GET)
    partners = Partner.objects.visible_to(request.user).select_related("region")
    chosen = form.apply(partners) if form.is_valid() else partners.none()
    chosen = chosen.annotate(offer_count=Count("offers", distinct=True)).order_by("name", "id")
    context = {
        "form": form,
        "page": Paginator(chosen, PAGE_SIZE).get_page(request.GET.get("page")),
        "may_map": bool(mapping_regions(request.user)),
    }
    return render_page(
        request, "partners/partner_list.html", "partners/partials/_partner_rows.html", context
    )


@member_page
@require_GET
def partner_detail(request: HttpRequest, partner_id: int) -> HttpResponse:
    partner = _get(Partner, request, partner_id)
    context = {
        "partner": partner,
        "serves": partner.serves.all(),
        "agreements": partner.agreements.all(),
        "offers": partner.offers.prefetch_related("regions"),
        "staff": partner.staff.select_related("user"),
        "may_change": allowed(request.user, Do.CHANGE, partner),
    }
    return render(request, "partners/partner_detail.html", context)


def _edit_partner(request: HttpRequest, partner: Partner | None) -> HttpResponse:
    form = PartnerForm(request.POST or None, user=request.user, partner=partner)
    if request.method == "POST" and form.is_valid():
        data = form.data_for_service()
        try:
            if partner is None:
                partner = services.map_partner(user=request.user, data=data)
            else:
                partner = services.change_partner(user=request.user, partner=partner, data=data)
        except services.Refused as refused:
            refused_into(form, refused)
        else:
            messages.success(request, _("Partner saved."))
            return redirect("partners:partner_detail", partner_id=partner.pk)
    context = {"form": form, "partner": partner}
    return render(
        request, "partners/partner_form.html", context, status=400 if form.errors else 200
    )


@member_page
@require_http_methods(["GET", "POST"])
def partner_create(request: HttpRequest) -> HttpResponse:
    if not mapping_regions(request.user):
        raise PermissionDenied
    return _edit_partner(request, None)


@member_page
@require_http_methods(["GET", "POST"])
def partner_edit(request: HttpRequest, partner_id: int) -> HttpResponse:
    return _edit_partner(request, _get(Partner, request, partner_id, Do.CHANGE))


@member_page
@require_http_methods(["GET", "POST"])
def agreement_create(request: HttpRequest, partner_id: int) -> HttpResponse:
    partner = _get(Partner, request, partner_id, Do.CHANGE)
    form = AgreementForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_agreement(
                user=request.user, partner=partner, data=form.data_for_service()
            )
        except services.Refused as refused:
            refused_into(form, refused)
        else:
            messages.success(request, _("Agreement recorded."))
            return redirect("partners:partner_detail", partner_id=partner.pk)
    context = {"form": form, "partner": partner}
    return render(
        request, "partners/agreement_form.html", context, status=400 if form.errors else 200
    )


@member_page
@require_GET
def agreement_document(request: HttpRequest, agreement_id: int) -> FileResponse:
    agreement: Agreement = _get(Agreement, request, agreement_id)
    if not agreement.document:
        raise Http404
    return FileResponse(
        agreement.document.open("rb"),
        as_attachment=True,
        filename=f"{agreement.get_kind_display()} {agreement.number}.pdf".replace("/", "-"),
        content_type="application/pdf",
    )


def _edit_offer(request: HttpRequest, partner: Partner, offer: Offer | None) -> HttpResponse:
    form = OfferForm(request.POST or None, offer=offer)
    if request.method == "POST" and form.is_valid():
        data = form.data_for_service()
        try:
            if offer is None:
                services.publish_offer(user=request.user, partner=partner, data=data)
            else:
                services.change_offer(user=request.user, offer=offer, data=data)
        except services.Refused as refused:
            refused_into(form, refused)
        else:
            messages.success(request, _("Offer saved."))
            return redirect("partners:partner_detail", partner_id=partner.pk)
    context = {"form": form, "partner": partner, "offer": offer}
    return render(request, "partners/offer_form.html", context, status=400 if form.errors else 200)


@member_page
@require_http_methods(["GET", "POST"])
def offer_create(request: HttpRequest, partner_id: int) -> HttpResponse:
    return _edit_offer(request, _get(Partner, request, partner_id, Do.CHANGE), None)


@member_page
@require_http_methods(["GET", "POST"])
def offer_edit(request: HttpRequest, offer_id: int) -> HttpResponse:
    offer: Offer = _get(Offer, request, offer_id, Do.CHANGE)
    return _edit_offer(request, offer.partner, offer)


@member_page
@require_http_methods(["GET", "POST"])
def staff_create(request: HttpRequest, partner_id: int) -> HttpResponse:
    partner = _get(Partner, request, partner_id, Do.CHANGE)
    form = StaffForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with transaction.atomic():  # no account is left behind when binding is refused
            staff = save_user(
                by=request.user,
                user=None,
                username=data["username"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                email=data["email"],
                is_active=data["is_active"],
                password=data["password1"],
                memberships=[],
            )
            services.add_partner_staff(
                user=request.user,
                partner=partner,
                staff=staff,
                manages_webhooks=data["manages_webhooks"],
            )
        messages.success(request, _("Account %(name)s created.") % {"name": staff.username})
        return redirect("partners:partner_detail", partner_id=partner.pk)
    context = {"form": form, "partner": partner}
    return render(request, "partners/staff_form.html", context, status=400 if form.errors else 200)


# --- Matching and batches ------------------------------------------------------------------


def _writer(request: HttpRequest) -> None:
    if not may_write(request.user):
        raise PermissionDenied


def _matching(
    request: HttpRequest, params: Any, batch: BatchForm, status: int = 200
) -> HttpResponse:
    """The matching page: the actors the filters choose, each with her best offers and the
    reasons in words, and the batch form."""
    form = MatchFilterForm(params)
    actors = Actor.objects.visible_to(request.user, Do.CHANGE).select_related("village")
    chosen = form.apply(actors) if form.is_valid() else actors.none()
    page = Paginator(chosen.order_by("name", "pk"), PAGE_SIZE).get_page(params.get("page"))
    found = matches_for(request.user, list(page), timezone.localdate(), MATCHES_SHOWN)
    offers = Offer.objects.select_related("partner").in_bulk(
        m.offer for ms in found.values() for m in ms
    )
    definition = instrument_definition()
    rows = [
        {
            "actor": actor,
            "matches": [
                {
                    "offer": offers[m.offer],
                    "score": m.score,
                    "reasons": reasons_text([r._asdict() for r in m.reasons], definition),
                }
                for m in found[actor.pk]
            ],
        }
        for actor in page
    ]
    query = params.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "batch": batch,
        "page": page,
        "rows": rows,
        "query": query.urlencode(),
        "limit": services.BATCH_LIMIT,
    }
    return render(request, "partners/match_list.html", context, status=status)


@member_page
@require_GET
def match_list(request: HttpRequest) -> HttpResponse:
    _writer(request)
    return _matching(request, request.GET, BatchForm())


@member_page
@require_POST
def referral_create(request: HttpRequest) -> HttpResponse:
    _writer(request)
    form = ProposeForm(request.POST)
    if not form.is_valid():
        raise Http404
    actor = _get(Actor, request, form.cleaned_data["actor"], Do.CHANGE)
    offer = _get(Offer, request, form.cleaned_data["offer"])
    try:
        referral = services.propose_referral(
            user=request.user, actor=actor, offer=offer, note=form.cleaned_data["note"]
        )
    except services.Refused as refused:
        messages.error(request, str(refused))
        return redirect(f"{reverse('partners:match_list')}?actor={actor.pk}")
    messages.success(request, _("Referral proposed: send it when she is ready."))
    return redirect("partners:referral_detail", referral_id=referral.pk)


@member_page
@require_POST
def batch_create(request: HttpRequest) -> HttpResponse:
    _writer(request)
    form = BatchForm(request.POST)
    if form.is_valid():
        ids = form.cleaned_data["actors"]
        if form.cleaned_data["everyone"]:
            filters = MatchFilterForm(request.POST)
            actors = Actor.objects.visible_to(request.user, Do.CHANGE)
            chosen = filters.apply(actors) if filters.is_valid() else actors.none()
            ids = list(chosen.order_by("name", "pk").values_list("pk", flat=True))
            ids = ids[: services.BATCH_LIMIT + 1]
        try:
            batch = services.start_referral_batch(
                user=request.user, actor_ids=ids, note=form.cleaned_data["note"]
            )
        except services.Refused as refused:
            refused_into(form, refused)
        else:
            return redirect("partners:batch_detail", batch_id=batch.pk)
    return _matching(request, request.POST, form, status=400)


@member_page
@require_GET
def batch_detail(request: HttpRequest, batch_id: int) -> HttpResponse:
    batch = get_object_or_404(
        ReferralBatch.objects.visible_to(request.user, Do.CHANGE), pk=batch_id
    )
    names = Actor.objects.visible_to(request.user).in_bulk(
        m["actor"] for m in batch.messages if m.get("actor")
    )
    lines = [
        {**m, "name": names[m["actor"]].name if m.get("actor") in names else ""}
        for m in batch.messages
    ]
    context = {"batch": batch, "lines": lines}
    return render_page(
        request, "partners/batch_detail.html", "partners/partials/_batch_progress.html", context
    )


# --- Referrals -----------------------------------------------------------------------------


@member_page
@require_GET
def referral_list(request: HttpRequest) -> HttpResponse:
    referrals = Referral.objects.visible_to(request.user).select_related("actor", "partner")
    form, rows = filtered_referrals(request, referrals)
    context = {"form": form, "page": rows}
    return render_page(
        request, "partners/referral_list.html", "partners/partials/_referral_rows.html", context
    )


@member_page
@require_http_methods(["GET", "POST"])
def referral_detail(request: HttpRequest, referral_id: int) -> HttpResponse:
    referrals = Referral.objects.visible_to(request.user).select_related(
        "actor", "actor__village", "partner", "offer"
    )
    referral = get_object_or_404(referrals.prefetch_related("steps__by"), pk=referral_id)
    forms, moved = take_step(request, referral)
    if moved is not None:
        return redirect("partners:referral_detail", referral_id=referral.pk)
    context = {
        "referral": referral,
        "reasons": reasons_text(referral.reasons, instrument_definition()),
        "steps": referral.steps.all(),
        "forms": forms,
    }
    return render(
        request,
        "partners/referral_detail.html",
        context,
        status=400 if any(f["form"].errors for f in forms) else 200,
    )
