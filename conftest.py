"""Test set-up: the real Kemendagri regions in every test database, and the personas."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command

from sinergi.test import Personas, make_personas


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any) -> None:
    with django_db_blocker.unblock():
        call_command("load_regions", verbosity=0)


@pytest.fixture
def personas(db: Any) -> Personas:
    return make_personas()


@pytest.fixture(autouse=True)
def private_caches(settings: Any) -> None:
    # The shared cache is files under var/ outside tests; each test starts with empty ones.
    settings.CACHES = {
        alias: {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": alias}
        for alias in ("default", "shared")
    }


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    # The real hasher is deliberately slow; tests log in hundreds of times.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """Debian's chromium, never a downloaded browser; no background traffic to other hosts."""
    return {
        **browser_type_launch_args,
        "executable_path": "/usr/bin/chromium",
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture
def live_regions(transactional_db: Any) -> None:
    """Transactional tests flush every table afterwards; put the regions back first."""
    call_command("load_regions", verbosity=0)
