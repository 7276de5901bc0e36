"""A process for test_backup: `setup` prepares a migrated database, `write` registers actors
through the real services until it is stopped, printing each id once its row is committed."""

from __future__ import annotations

import os
import sys
import time
from datetime import date

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sinergi.settings")
django.setup()

from sinergi.accounts.choices import Role  # noqa: E402 - after django.setup()
from sinergi.accounts.models import User  # noqa: E402
from sinergi.regions.choices import Level  # noqa: E402
from sinergi.regions.models import Region  # noqa: E402
from sinergi.registry.records import validate_actor  # noqa: E402
from sinergi.registry.services import register_actor  # noqa: E402
from sinergi.test import REMBANG_VILLAGE, make_user, valid_nik  # noqa: E402

WRITER = "alice-admin"


def setup() -> None:
    parent = None
    for level, code in enumerate(("33", "33.17", "33.17.04", REMBANG_VILLAGE), start=1):
        parent, _ = Region.objects.get_or_create(
            code=code,
            defaults={"name": f"Region {code}", "level": Level(level), "parent": parent},
        )
    make_user(WRITER, Role.NATIONAL_ADMIN, None)


def write() -> None:
    user = User.objects.get(username=WRITER)
    for serial in range(1, 10_000):
        data = {
            "name": f"Ibu Backup {serial}",
            "nik": valid_nik(REMBANG_VILLAGE, date(1980, 5, 17), serial=serial),
            "sex": "F",
            "birth_date": "1980-05-17",
            "village_code": REMBANG_VILLAGE,
            "business_name": f"Usaha {serial}",
            "sector": "fashion-tekstil",
        }
        valid, errors = validate_actor(user=user, data=data)
        if valid is None:
            raise SystemExit(f"invalid actor: {errors}")
        actor = register_actor(user=user, data=valid.data, village=valid.village)  # type: ignore[arg-type]
        print(actor.pk, flush=True)  # after the commit: register_actor is atomic
        time.sleep(0.005)


if __name__ == "__main__":
    {"setup": setup, "write": write}[sys.argv[1]]()
