"""Actor pages: list, detail, create, edit, reveal NIK."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sinergi.accounts.scoping import may_write
from sinergi.audit.models import Action
from sinergi.audit.services import record
from sinergi.lib.htmx import render_page
from sinergi.lib.scope import Do, allowed
from sinergi.registry import services
from sinergi.registry.choices import Sector, Status
from sinergi.registry.fields import initial_from
from sinergi.registry.forms import ActorForm, LegalityFormSet
from sinergi.registry.models import Actor
from sinergi.registry.queries import BadFilter, filter_actors, get_actor

PAGE_SIZE = 25


@login_required
def actor_list(request: HttpRequest) -> HttpResponse:
    error = ""
    try:
        actors = filter_actors(Actor.objects.visible_to(request.user), request.GET)
    except BadFilter as exc:
        actors, error = Actor.objects.none(), str(exc)
    page = Paginator(actors.select_related("village"), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": page,
        "filter_error": error,
        "params": request.GET,
        "query": query.urlencode(),
        "sectors": Sector.choices,
        "statuses": Status.choices,
        "may_write": may_write(request.user),
    }
    return render_page(
        request, "registry/actor_list.html", "registry/partials/_actor_rows.html", context
    )


@login_required
def actor_detail(request: HttpRequest, actor_id: int) -> HttpResponse:
    actor = get_actor(request.user, actor_id)
    record(request.user, Action.VIEW_PERSONAL, actor, note="view detail")
    context = {
        "actor": actor,
        "legality": actor.legality_items.all(),
        "may_change": allowed(request.user, Do.CHANGE, actor),
        "may_reveal": allowed(request.user, Do.REVEAL_NIK, actor),
    }
    return render(request, "registry/actor_detail.html", context)


@login_required
@require_POST
def actor_reveal_nik(request: HttpRequest, actor_id: int) -> HttpResponse:
    actor = get_actor(request.user, actor_id)
    if not allowed(request.user, Do.REVEAL_NIK, actor):
        raise PermissionDenied
    nik = services.reveal_nik(user=request.user, actor=actor)
    return render_page(
        request,
        "registry/actor_nik.html",
        "registry/partials/_nik.html",
        {"actor": actor, "nik": nik},
    )


def _save(request: HttpRequest, form: ActorForm, formset: Any, actor: Actor | None) -> Actor:
    legality = [
        f.cleaned_data
        for f in formset.forms
        if f.cleaned_data and not f.cleaned_data.get("DELETE") and f.cleaned_data.get("kind")
    ]
    data = {k: v for k, v in form.cleaned_data.items() if k != "confirm_duplicate"}
    if actor is None:
        return services.register_actor(
            user=request.user,
            data=data,
            village=form.village,  # type: ignore[arg-type]
            facilitator=form.facilitator_user,
            legality=legality,
        )
    village = form.village if form.village and form.village.code != actor.village_id else None
    return services.update_actor(
        user=request.user,
        actor=actor,
        data=data,
        village=village,
        facilitator=form.facilitator_user,
        legality=legality,
    )


def _edit(request: HttpRequest, actor: Actor | None) -> HttpResponse:
    if request.method == "POST":
        form = ActorForm(request.POST, user=request.user, instance=actor)
        formset = LegalityFormSet(request.POST, prefix="legality")
        confirmed = form.is_valid() and (
            form.possible_duplicate is None or form.cleaned_data.get("confirm_duplicate")
        )
        if confirmed and formset.is_valid():
            saved = _save(request, form, formset, actor)
            for warning in form.warnings:
                messages.warning(request, warning)
            messages.success(request, _("Actor saved."))
            return redirect("registry:actor_detail", actor_id=saved.pk)
    else:
        form = ActorForm(
            initial=initial_from(actor) if actor else None, user=request.user, instance=actor
        )
        formset = LegalityFormSet(
            prefix="legality",
            initial=[
                {
                    "kind": i.kind,
                    "number": i.number,
                    "issued_on": i.issued_on,
                    "expires_on": i.expires_on,
                }
                for i in actor.legality_items.all()
            ]
            if actor
            else None,
        )
    return render(
        request,
        "registry/actor_form.html",
        {"form": form, "formset": formset, "actor": actor},
        status=400 if request.method == "POST" else 200,
    )


@login_required
def actor_create(request: HttpRequest) -> HttpResponse:
    if not may_write(request.user):
        raise PermissionDenied
    return _edit(request, None)


@login_required
def actor_edit(request: HttpRequest, actor_id: int) -> HttpResponse:
    actor = get_actor(request.user, actor_id)
    if not allowed(request.user, Do.CHANGE, actor):
        raise PermissionDenied
    return _edit(request, actor)
