"""The project's URLs with the two pages other parts of the partners app serve, so that the
menu's links to them can be seen to appear once they exist."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from sinergi.urls import urlpatterns as project


def _page(request: HttpRequest) -> HttpResponse:
    return HttpResponse("neighbour")


urlpatterns = [
    path("partners/monitoring/", _page),
    path("partners/webhooks/", _page),
    *project,
]
