"""User management pages: the list of users a manager may manage, create and edit, and the
API tokens of a user (her own, or those of a user she manages)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods

from sinergi.accounts import scoping, services
from sinergi.accounts.forms import (
    MembershipFormSet,
    RevokeTokensForm,
    UserFilterForm,
    UserForm,
    membership_initial,
)
from sinergi.accounts.lockout import locked_usernames
from sinergi.accounts.models import Membership, User
from sinergi.lib.htmx import render_page

PAGE_SIZE = 50


def _managed(request: HttpRequest) -> QuerySet[User]:
    """Users the requester may manage; someone who manages nobody is refused (403)."""
    if not scoping.may_manage_users(request.user):
        raise PermissionDenied
    return scoping.managed_users(User.objects.all(), request.user)


@login_required
@require_GET
def user_list(request: HttpRequest) -> HttpResponse:
    users = _managed(request)
    filters = UserFilterForm(request.GET)
    users = filters.apply(users) if filters.is_valid() else users.none()
    users = users.prefetch_related(
        Prefetch("memberships", queryset=Membership.objects.select_related("region"))
    )
    page = Paginator(users, PAGE_SIZE).get_page(request.GET.get("page"))
    locked = locked_usernames([person.username for person in page])
    return render_page(
        request,
        "accounts/user_list.html",
        "accounts/partials/_user_rows.html",
        {"page": page, "filters": filters, "locked": locked},
    )


def _edit(request: HttpRequest, target: User | None) -> HttpResponse:
    prefix = "memberships"
    if request.method == "POST":
        form = UserForm(request.POST, instance=target)
        formset = MembershipFormSet(
            request.POST, prefix=prefix, form_kwargs={"manager": request.user}
        )
        if form.is_valid() and formset.is_valid():
            data = form.cleaned_data
            saved = services.save_user(
                by=request.user,
                user=target,
                username=data["username"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                email=data["email"],
                is_active=data["is_active"],
                password=data["password1"] or None,
                memberships=formset.memberships(),
            )
            if saved.pk == request.user.pk and data["password1"]:
                update_session_auth_hash(request, saved)
            messages.success(request, _("User %(name)s saved.") % {"name": saved.username})
            return redirect("accounts:user_list")
    else:
        form = UserForm(instance=target)
        formset = MembershipFormSet(
            prefix=prefix,
            initial=membership_initial(target) if target else None,
            form_kwargs={"manager": request.user},
        )
    return render(
        request,
        "accounts/user_form.html",
        {"form": form, "formset": formset, "target": target},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def user_create(request: HttpRequest) -> HttpResponse:
    _managed(request)
    return _edit(request, None)


@login_required
@require_http_methods(["GET", "POST"])
def user_edit(request: HttpRequest, user_id: int) -> HttpResponse:
    return _edit(request, get_object_or_404(_managed(request), pk=user_id))


@login_required
@require_http_methods(["GET", "POST"])
def token_list(request: HttpRequest, user_id: int | None = None) -> HttpResponse:
    """A user's API tokens, each revocable: her own, or (user_id) those of a user managed."""
    owner = request.user if user_id is None else get_object_or_404(_managed(request), pk=user_id)
    assert isinstance(owner, User)  # login_required: never anonymous
    form = RevokeTokensForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        own = owner.pk == request.user.pk
        revoked = services.revoke_tokens(
            by=request.user,
            owner=owner,
            tokens=form.tokens(),
            reason="by the user" if own else "by a manager",
        )
        count = len(revoked)
        messages.success(
            request,
            ngettext("%(n)d token revoked.", "%(n)d tokens revoked.", count) % {"n": count},
        )
        return redirect(request.path)
    return render(
        request,
        "accounts/token_list.html",
        {"owner": owner, "tokens": owner.api_tokens.all(), "now": timezone.now(), "form": form},
        status=400 if request.method == "POST" else 200,
    )
