"""Audit pages (placeholder until the audit page lands)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@login_required
def event_list(request: HttpRequest) -> HttpResponse:
    return render(request, "base.html")
