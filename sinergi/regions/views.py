"""Region pages: the region browser (any signed-in user) and model regions (national admin)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from sinergi.lib.htmx import render_page
from sinergi.lib.scope import Do, may
from sinergi.regions import services
from sinergi.regions.choices import Level
from sinergi.regions.codes import ancestors, normalise
from sinergi.regions.forms import ModelRegionForm
from sinergi.regions.models import ModelRegion, Region

SEARCH_LIMIT = 50
# What a region's children are called, by the children's level.
_PLURALS = {
    int(Level.PROVINCE): _("Provinces"),
    int(Level.REGENCY): _("Regencies and cities"),
    int(Level.DISTRICT): _("Districts"),
    int(Level.VILLAGE): _("Villages"),
}


def _marked(regions: QuerySet[Region]) -> QuerySet[Region]:
    """Regions flagged `is_model` when they run the IR model, in the same query."""
    return regions.annotate(is_model=Exists(ModelRegion.objects.filter(region=OuterRef("pk"))))


def _region_from(raw: str) -> Region | None:
    if not raw.strip():
        return None
    code = normalise(raw)
    if not code:
        raise Http404
    return get_object_or_404(_marked(Region.objects.all()), code=code)


def _search(q: str, within: Region | None) -> tuple[int, list[Region]]:
    code = normalise(q) or q
    matches = Region.objects.filter(Q(name__icontains=q) | Q(code__startswith=code))
    if within is not None:
        matches = matches.filter(code__startswith=f"{within.code}.")
    total = matches.count()
    rows = _marked(matches.select_related("parent")).order_by("level", "code")[:SEARCH_LIMIT]
    return total, list(rows)


@login_required
def region_browse(request: HttpRequest) -> HttpResponse:
    region = _region_from(request.GET.get("code", ""))
    q = request.GET.get("q", "").strip()
    child_level = Level.PROVINCE if region is None else region.level + 1
    context: dict[str, Any] = {
        "region": region,
        "q": q,
        "trail": list(Region.objects.filter(code__in=ancestors(region.code)).order_by("level"))
        if region is not None
        else [],
        "model_region": ModelRegion.objects.filter(region=region).first()
        if region is not None and region.is_model  # type: ignore[attr-defined]
        else None,
        "children_heading": _PLURALS.get(child_level),
        "grandchildren_heading": _PLURALS.get(child_level + 1),
    }
    if q:
        context["total"], context["results"] = _search(q, region)
    elif child_level in _PLURALS:
        parent = Q(parent__isnull=True) if region is None else Q(parent=region)
        context["children"] = list(
            _marked(Region.objects.filter(parent)).annotate(child_count=Count("children"))
        )
    return render_page(
        request, "regions/region_browse.html", "regions/partials/_region_results.html", context
    )


def _require_national_admin(request: HttpRequest) -> None:
    """Model regions are the national programme's business; to anyone else they do not exist."""
    if not may(request.user, Do.ADMINISTER):
        raise Http404


def _get_model_region(request: HttpRequest, code: str) -> ModelRegion:
    _require_national_admin(request)
    return get_object_or_404(
        ModelRegion.objects.select_related("region"), region_id=normalise(code)
    )


@login_required
def model_region_list(request: HttpRequest) -> HttpResponse:
    _require_national_admin(request)
    rows = ModelRegion.objects.select_related("region__parent")
    return render(request, "regions/model_region_list.html", {"model_regions": rows})


def _edit(request: HttpRequest, model_region: ModelRegion | None) -> HttpResponse:
    if request.method == "POST":
        form = ModelRegionForm(request.POST, instance=model_region)
        if form.is_valid():
            data = form.cleaned_data
            saved = services.save_model_region(
                user=request.user,
                region=form.region,  # type: ignore[arg-type]
                mou_number=data["mou_number"],
                mou_date=data["mou_date"],
                start_year=data["start_year"],
                end_year=data["end_year"],
                phase=data["phase"],
                illustrative=data["illustrative"],
            )
            messages.success(
                request, _t("Model region %(name)s saved.") % {"name": saved.region.name}
            )
            return redirect("regions:model_region_list")
    else:
        form = ModelRegionForm(instance=model_region)
    return render(
        request,
        "regions/model_region_form.html",
        {"form": form, "model_region": model_region},
        status=400 if request.method == "POST" else 200,
    )


@login_required
def model_region_create(request: HttpRequest) -> HttpResponse:
    _require_national_admin(request)
    return _edit(request, None)


@login_required
def model_region_edit(request: HttpRequest, code: str) -> HttpResponse:
    return _edit(request, _get_model_region(request, code))


@login_required
@require_POST
def model_region_delete(request: HttpRequest, code: str) -> HttpResponse:
    model_region = _get_model_region(request, code)
    name = model_region.region.name
    services.delete_model_region(user=request.user, model_region=model_region)
    messages.success(request, _t("%(name)s is no longer a model region.") % {"name": name})
    return redirect("regions:model_region_list")
