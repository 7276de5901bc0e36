"""Background tasks of the newsroom."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from sinergi.newsroom import services


@db_periodic_task(crontab(minute="*"))  # type: ignore[untyped-decorator]  # huey ships no type hints
def publish_scheduled() -> None:
    """Scheduled articles whose time has come become published, each minute."""
    services.publish_due()
