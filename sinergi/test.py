"""Personas and factories shared by every app's tests (no JSON fixtures)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import factory

from sinergi.accounts.choices import Role
from sinergi.accounts.models import Membership, User
from sinergi.lib.crypto import encrypt, lookup_hash
from sinergi.regions.codes import ancestors
from sinergi.registry.models import Actor
from sinergi.registry.rules import compose_nik, mask_nik
from sinergi.registry.validation import name_key

PASSWORD = "sinergi-test-pw-1"  # noqa: S105 - test-only password

REMBANG_VILLAGE = "33.17.04.2001"
REMBANG_VILLAGE_2 = "33.17.01.2001"
KENDAL_VILLAGE = "33.24.01.2001"
LANDAK_VILLAGE = "61.08.01.2001"


def make_user(
    username: str, role: str | None, region: str | None, *, may_reveal_nik: bool = True
) -> User:
    user = User.objects.create_user(
        username=username, password=PASSWORD, first_name=username.title()
    )
    if role is not None:
        Membership.objects.create(
            user=user, role=role, region_id=region, may_reveal_nik=may_reveal_nik
        )
    return user


@dataclass
class Personas:
    admin: User  # national admin
    jateng: User  # province officer, Central Java (33)
    rembang: User  # regency officer, Rembang (33.17)
    kendal: User  # regency officer, Kendal (33.24)
    pendamping: User  # facilitator in Rembang
    viewer: User  # read-only viewer over Rembang


def make_personas() -> Personas:
    return Personas(
        admin=make_user("alice-admin", Role.NATIONAL_ADMIN, None),
        jateng=make_user("jane-jateng", Role.PROVINCE_OFFICER, "33"),
        rembang=make_user("rani-rembang", Role.REGENCY_OFFICER, "33.17"),
        kendal=make_user("kiki-kendal", Role.REGENCY_OFFICER, "33.24"),
        pendamping=make_user("fitri-pendamping", Role.FACILITATOR, "33.17"),
        viewer=make_user("vina-viewer", Role.VIEWER, "33.17", may_reveal_nik=False),
    )


_serial = iter(range(1, 10_000))


def valid_nik(
    village_code: str = REMBANG_VILLAGE,
    born: date = date(1985, 3, 12),
    *,
    female: bool = True,
    serial: int | None = None,
) -> str:
    district = ".".join(village_code.split(".")[:3])
    return compose_nik(district, born, female=female, serial=serial or next(_serial))


class ActorFactory(factory.django.DjangoModelFactory):  # type: ignore[misc]  # untyped base
    class Meta:
        model = Actor

    village_code = REMBANG_VILLAGE
    name = factory.Sequence(lambda n: f"Ibu Siti {n}")
    sex = "F"
    birth_date = date(1985, 3, 12)
    business_name = factory.Sequence(lambda n: f"Keripik {n}")
    sector = "makanan-minuman"
    nik = factory.LazyAttribute(lambda o: valid_nik(o.village_code, o.birth_date))

    @classmethod
    def _create(cls, model_class: type[Actor], *args: Any, **kwargs: Any) -> Actor:
        village_code = kwargs.pop("village_code")
        nik = kwargs.pop("nik")
        province, regency, district, _ = ancestors(village_code)
        kwargs.update(
            nik_hash=lookup_hash(nik),
            nik_encrypted=encrypt(nik),
            nik_masked=mask_nik(nik),
            name_key=name_key(kwargs["name"]),
            village_id=village_code,
            province_code=province,
            regency_code=regency,
            district_code=district,
        )
        actor: Actor = super()._create(model_class, *args, **kwargs)
        return actor
