"""The catalogue's files are cached with the public pages (portal.caching) until what the
public sees changes. The datasets built from reference data (model regions and their
MoUs, partners, their agreements and offers) change through other apps' services, which do
not know the catalogue; a saved or deleted row of those models therefore renews the public
pages once its transaction commits."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from sinergi.partners.models import Agreement, Offer, Partner
from sinergi.portal.caching import bump_public_version
from sinergi.regions.models import ModelRegion

SOURCES = (ModelRegion, Partner, Agreement, Offer)


def _renew(**_kwargs: Any) -> None:
    transaction.on_commit(bump_public_version)


def connect() -> None:
    for model in SOURCES:
        post_save.connect(_renew, sender=model, dispatch_uid=f"opendata-{model.__name__}-save")
        post_delete.connect(_renew, sender=model, dispatch_uid=f"opendata-{model.__name__}-del")
    m2m_changed.connect(_renew, sender=Offer.regions.through, dispatch_uid="opendata-offer-m2m")
