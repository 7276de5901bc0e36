"""User management pages (placeholder until they land)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@login_required
def user_list(request: HttpRequest) -> HttpResponse:
    return render(request, "base.html")
