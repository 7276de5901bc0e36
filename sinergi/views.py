"""Project-wide pages that belong to no domain app."""

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from sinergi.accounts.scoping import memberships
from sinergi.newsroom.access import is_newsroom_user
from sinergi.partners.inbox import staff_of
from sinergi.portal import views as portal
from sinergi.regions.models import RegionRelease


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:  # noqa: BLE001 - any database failure means unhealthy
        return JsonResponse({"status": "error"}, status=503)
    return JsonResponse({"status": "ok"})


def home(request: HttpRequest) -> HttpResponse:
    """The public portal for an anonymous visitor; a signed-in user's own home otherwise."""
    if not request.user.is_authenticated:
        return portal.home(request)
    if staff_of(request.user) is not None:
        return redirect("partners:referral_inbox")  # a partner's staff: her inbox
    if not memberships(request.user) and is_newsroom_user(request.user):
        return redirect("newsroom:manage")  # a PR unit's editor: her newsroom
    return redirect("registry:actor_list")


@require_GET
def about(request: HttpRequest) -> HttpResponse:
    return render(request, "lib/about.html", {"releases": RegionRelease.objects.all()})
