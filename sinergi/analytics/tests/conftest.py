"""Mapping rounds for the analytics tests."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from sinergi.assessments import services
from sinergi.assessments.models import Period


def period(code: str) -> Period:
    year = int(code)
    return services.create_period(
        user=None, code=code, name=code, starts_on=date(year, 1, 1), ends_on=date(year, 12, 31)
    )


@pytest.fixture
def rounds(db: Any) -> tuple[Period, Period]:
    """The default instrument and two open rounds, 2018 and 2019."""
    services.load_default_instrument()
    return period("2018"), period("2019")
