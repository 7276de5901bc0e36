"""The partner's inbox: the pages of a partner's staff. Every referral they show is built by
partners.disclosure.for_partner and nothing else reaches the templates, so no page of
theirs can show what the partner may not know (an NIK, in any form, above all)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from sinergi.accounts.scoping import memberships
from sinergi.lib.htmx import render_page
from sinergi.lib.scope import Principal
from sinergi.partners.disclosure import PARTNER_RELATED, for_partner
from sinergi.partners.models import PartnerStaff, Referral
from sinergi.partners.pages import filtered_referrals, overdue, take_step
from sinergi.partners.words import instrument_definition


def staff_of(user: Principal) -> PartnerStaff | None:
    """Where the user works, if she is a partner's staff: an account with no programme role
    (services refuse to bind one that has a role) and a PartnerStaff row."""
    if not user.is_authenticated or memberships(user):
        return None
    return PartnerStaff.objects.filter(user_id=user.pk).select_related("partner").first()


def _staff(request: HttpRequest) -> PartnerStaff:
    found = staff_of(request.user)
    if found is None:
        raise PermissionDenied
    return found


def _addressed(request: HttpRequest) -> Any:
    return Referral.objects.visible_to(request.user).select_related(*PARTNER_RELATED)


@login_required
@require_GET
def referral_inbox(request: HttpRequest) -> HttpResponse:
    staff = _staff(request)
    form, page = filtered_referrals(request, _addressed(request))
    definition = instrument_definition()
    page.object_list = [
        {"item": for_partner(row["referral"], definition), "overdue": row["overdue"]}
        for row in page.object_list
    ]
    context = {"form": form, "page": page, "partner": staff.partner}
    return render_page(
        request, "partners/referral_inbox.html", "partners/partials/_inbox_rows.html", context
    )


@login_required
@require_http_methods(["GET", "POST"])
def referral_answer(request: HttpRequest, referral_id: int) -> HttpResponse:
    staff = _staff(request)
    referral = get_object_or_404(_addressed(request), pk=referral_id)
    forms, moved = take_step(request, referral)
    if moved is not None:
        return redirect("partners:referral_answer", referral_id=referral.pk)
    context = {
        "item": for_partner(referral, instrument_definition()),
        "overdue": overdue(referral, timezone.localdate()),
        "forms": forms,
        "partner": staff.partner,
    }
    status = 400 if any(f["form"].errors for f in forms) else 200
    return render(request, "partners/referral_answer.html", context, status=status)
