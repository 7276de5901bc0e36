"""The daily retention run."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from sinergi.privacy import services


@db_periodic_task(crontab(hour="2", minute="30"))  # type: ignore[untyped-decorator]  # huey ships no type hints
def apply_retention() -> None:
    services.apply_retention(user=None)
