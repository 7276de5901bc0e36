"""The audit page: who did what, scoped like everything else, with the changes readable."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from sinergi.audit.forms import AuditFilterForm
from sinergi.audit.models import AuditEvent
from sinergi.audit.services import diff
from sinergi.lib.htmx import render_page
from sinergi.lib.scope import Do, may

PAGE_SIZE = 50


@dataclass(frozen=True)
class Change:
    key: str
    before: str
    after: str


def _readable(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def changes(event: AuditEvent) -> list[Change]:
    """Only the keys whose values moved between before and after, as display strings."""
    if event.before is None and event.after is None:
        return []
    before, after = diff(event.before or {}, event.after or {})
    return [Change(k, _readable(before[k]), _readable(after[k])) for k in sorted(after)]


@login_required
@require_GET
def event_list(request: HttpRequest) -> HttpResponse:
    if not may(request.user, Do.READ_AUDIT):
        raise PermissionDenied
    filters = AuditFilterForm(request.GET)
    events = AuditEvent.objects.visible_to(request.user)
    events = filters.apply(events) if filters.is_valid() else events.none()
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(event, changes(event)) for event in page]
    return render_page(
        request,
        "audit/event_list.html",
        "audit/partials/_event_rows.html",
        {"page": page, "rows": rows, "filters": filters},
    )
