"""Test set-up: the real Kemendagri regions in every test database, and the personas."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction
from hypothesis import settings as hypothesis_settings

from sinergi.audit.chain import permit_deletion
from sinergi.audit.models import AuditEvent
from sinergi.test import Personas, make_personas

# Property tests assert what holds, not how fast: on a loaded two-core machine an example can
# take longer than Hypothesis's default 200 ms deadline, which failed a test that is correct.
hypothesis_settings.register_profile("sinergi", deadline=None)
hypothesis_settings.load_profile("sinergi")


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


@pytest.fixture(autouse=True)
def audit_rows_deleted_before_flush(request: pytest.FixtureRequest) -> Any:
    """A transactional test ends with a flush of every table, which the append-only audit
    table refuses while it holds rows: delete them first, the sanctioned way."""
    marker = request.node.get_closest_marker("django_db")
    names = request.fixturenames
    if (
        "transactional_db" not in names
        and "live_server" not in names
        and not (marker is not None and marker.kwargs.get("transaction"))
    ):
        yield
        return
    request.getfixturevalue("transactional_db")  # set up before, so flushed after this
    yield
    with transaction.atomic(), permit_deletion(2**62):
        AuditEvent.objects.all().delete()
