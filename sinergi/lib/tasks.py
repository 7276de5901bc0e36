"""The nightly backup: a periodic job of the consumer, registered only when BACKUP_DIR is set."""

from pathlib import Path

from django.conf import settings
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from sinergi.lib.backup import scheduled_backup


def nightly_backup() -> None:
    """A backup in BACKUP_DIR, keeping the BACKUP_KEEP newest (nothing returned: huey would
    keep a result of every run in its queue)."""
    scheduled_backup(Path(settings.BACKUP_DIR), keep=settings.BACKUP_KEEP)


if settings.BACKUP_DIR:
    db_periodic_task(crontab(minute="0", hour=str(settings.BACKUP_HOUR)))(nightly_backup)
