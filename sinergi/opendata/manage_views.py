"""The walidata's pages: the national admin keeps the catalogue's metadata. To anyone
else they do not exist (404)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from sinergi.lib.scope import Do, may
from sinergi.opendata import services, sources
from sinergi.opendata.forms import DatasetForm
from sinergi.opendata.models import Dataset


def _require_national_admin(request: HttpRequest) -> None:
    if not may(request.user, Do.ADMINISTER):
        raise Http404


@login_required
def dataset_list(request: HttpRequest) -> HttpResponse:
    _require_national_admin(request)
    rows = [(d, sources.is_registered(d.source)) for d in Dataset.objects.all()]
    return render(request, "opendata/dataset_list.html", {"rows": rows})


def _edit(request: HttpRequest, dataset: Dataset | None) -> HttpResponse:
    form = DatasetForm(request.POST or None, instance=dataset)
    if request.method == "POST" and form.is_valid():
        data = services.DatasetData(**{name: form.cleaned_data[name] for name in form.Meta.fields})
        saved = services.save_dataset(user=request.user, dataset=dataset, data=data)
        messages.success(request, _("Dataset %(title)s saved.") % {"title": saved.title})
        return redirect("opendata:dataset_list")
    return render(
        request,
        "opendata/dataset_form.html",
        {"form": form, "dataset": dataset},
        status=400 if request.method == "POST" else 200,
    )


@login_required
def dataset_create(request: HttpRequest) -> HttpResponse:
    _require_national_admin(request)
    return _edit(request, None)


@login_required
def dataset_edit(request: HttpRequest, slug: str) -> HttpResponse:
    _require_national_admin(request)
    return _edit(request, get_object_or_404(Dataset, slug=slug))
