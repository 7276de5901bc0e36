"""Read helpers for actors: the scoped, filtered list every page, export and API call uses."""

from __future__ import annotations

import re
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from sinergi.accounts.scoping import audit_region
from sinergi.lib.crypto import lookup_hash
from sinergi.lib.scope import Do, Principal, ScopedQuerySet
from sinergi.regions.codes import normalise
from sinergi.registry.choices import Sector, Status
from sinergi.registry.events import level_sources
from sinergi.registry.models import Actor
from sinergi.registry.rules import mask_nik
from sinergi.registry.validation import name_key

_CHOICE_FILTERS = (
    ("sector", Sector, _("'%(value)s' is not a valid sector.")),
    ("status", Status, _("'%(value)s' is not a valid status.")),
)


class BadFilter(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def get_actor(user: Principal, actor_id: object, action: Do = Do.VIEW) -> Actor:
    """The actor if the user may act on it; 404 both when missing and when out of scope."""
    if not str(actor_id).isdigit():
        raise Http404
    actors: QuerySet[Actor] = Actor.objects.visible_to(user, action)
    actors = actors.select_related("village", "facilitator")
    for source in level_sources[:1]:
        actors = source.with_levels(actors, None)
    return get_object_or_404(actors, pk=actor_id)


def filter_actors(actors: ScopedQuerySet[Actor], params: dict[str, Any]) -> QuerySet[Actor]:
    """Apply the list filters shared by pages, exports and the API; bad values raise BadFilter."""
    region = (params.get("region") or "").strip()
    queryset: QuerySet[Actor] = actors
    if region:
        code = normalise(region)
        if not code:
            raise BadFilter("region", _t("'%(value)s' is not a region code.") % {"value": region})
        queryset = actors.within(code)
    q = (params.get("q") or "").strip()
    if q:
        condition = Q(name_key__contains=name_key(q)) | Q(business_name__icontains=q)
        if q.isdigit() and len(q) == 16:
            condition |= Q(nik_hash=lookup_hash(q))
        queryset = queryset.filter(condition)
    for field, choices, message in _CHOICE_FILTERS:
        value = (params.get(field) or "").strip()
        if value:
            if value not in choices.values:
                raise BadFilter(field, str(message) % {"value": value})
            queryset = queryset.filter(**{field: value})
    facilitator = (params.get("facilitator") or "").strip()
    if facilitator:
        queryset = queryset.filter(facilitator__username=facilitator)
    return _filter_levels(queryset, params)


_SIXTEEN_DIGITS = re.compile(r"(?<!\d)\d{16}(?!\d)")


def audited_filters(params: Any) -> dict[str, str]:
    """The list filters as an audit row records them: empty ones left out, and any NIK
    searched for masked, so that no clear NIK is written to the audit table."""
    return {
        key: _SIXTEEN_DIGITS.sub(lambda nik: mask_nik(nik.group()), value)
        for key, value in params.items()
        if value
    }


def audited_region(user: Principal, params: Any) -> str:
    """The region an audit row of a filtered list read or export is filed under (see
    scoping.audit_region): the region filter if it lies in the user's scope."""
    return audit_region(user, normalise(params.get("region") or ""))


def _filter_levels(queryset: QuerySet[Actor], params: dict[str, Any]) -> QuerySet[Actor]:
    period = (params.get("period") or "").strip() or None
    level = (params.get("level") or "").strip()
    if not level_sources:
        return queryset
    source = level_sources[0]
    if period is not None and not source.period_exists(period):
        raise BadFilter("period", _t("Period %(value)s does not exist.") % {"value": period})
    if level and level not in source.level_codes():
        raise BadFilter("level", _t("'%(value)s' is not a level.") % {"value": level})
    queryset = source.with_levels(queryset, period)
    # `level` is an annotation added by the level source, unknown to the model.
    # mypy's Django plugin cannot see it either, hence the keyword passed as a dict.
    return queryset.filter(**{"level": level}) if level else queryset  # noqa: PIE804
