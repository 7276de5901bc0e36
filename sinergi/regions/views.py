"""Region pages (placeholder until the region browser lands)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@login_required
def region_browse(request: HttpRequest) -> HttpResponse:
    return render(request, "base.html")


@login_required
def model_region_list(request: HttpRequest) -> HttpResponse:
    return render(request, "base.html")
