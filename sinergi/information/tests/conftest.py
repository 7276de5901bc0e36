from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.core.cache import caches
from django.test import Client

from sinergi.information import services


@pytest.fixture(autouse=True)
def empty_shared_cache() -> None:
    caches["shared"].clear()


def request_data(**changes: Any) -> services.RequestData:
    values: dict[str, Any] = {
        "name": "Fiktif Pemohon",
        "email": "pemohon@example.org",
        "information": "Daftar wilayah model 2016-2019",
        "purpose": "Penelitian",
        "delivery": "email",
        **changes,
    }
    return services.RequestData(**values)


def english(**defaults: Any) -> Client:
    """A visitor reading English, so that tests read the source strings."""
    client = Client(**defaults)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client
