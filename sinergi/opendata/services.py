"""Writes of the open-data catalogue: the walidata (the national admin) records and
changes a dataset's metadata. Each write is atomic, leaves one audit row, and renews the
public pages once it commits."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db import transaction

from sinergi.accounts.models import User
from sinergi.audit.models import Action
from sinergi.audit.services import diff, record
from sinergi.lib.scope import Do, may
from sinergi.opendata.choices import CC_BY, Frequency
from sinergi.opendata.models import Dataset
from sinergi.portal.caching import bump_public_version

Acting = User | AnonymousUser | None


class Refused(Exception):
    """The acting user may not keep the catalogue."""


@dataclass(frozen=True)
class DatasetData:
    """A dataset's metadata as validated by the form (or given by the demo loader)."""

    slug: str
    title: str
    description: str
    source: str
    producer: str
    custodian: str
    contact_name: str
    contact_email: str
    spatial: str = "Indonesia"
    temporal: str = ""
    frequency: str = Frequency.ANNUAL
    license_id: str = CC_BY[0]
    license_title: str = CC_BY[1]
    license_url: str = CC_BY[2]
    keywords: str = ""
    published: bool = True


def snapshot(dataset: Dataset) -> dict[str, Any]:
    return {name: getattr(dataset, name) for name in DatasetData.__dataclass_fields__}


def save_dataset(*, user: Acting, dataset: Dataset | None, data: DatasetData) -> Dataset:
    """Record a new dataset (`dataset` None) or change one. Only the national programme
    keeps the catalogue (user None: the system, e.g. the demo loader)."""
    if user is not None and not may(user, Do.ADMINISTER):
        raise Refused("Only the national programme keeps the open-data catalogue.")
    with transaction.atomic():
        # Read afresh: a bound form has already written its values onto the instance.
        target = Dataset.objects.select_for_update().get(pk=dataset.pk) if dataset else Dataset()
        before = snapshot(target) if dataset else None
        for name, value in asdict(data).items():
            setattr(target, name, value)
        target.save()
        after = snapshot(target)
        if before is None:
            record(user, Action.CREATE, target, after=after)
        else:
            old, new = diff(before, after)
            record(user, Action.UPDATE, target, before=old, after=new)
        transaction.on_commit(bump_public_version)
    return target
