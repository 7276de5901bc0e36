from typing import Any

from django.core.management.base import BaseCommand

from sinergi.accounts.lockout import prune_login_counts


class Command(BaseCommand):
    help = (
        "Delete failed-login counts that no longer matter (no attempt within "
        "LOGIN_LOCKOUT_MINUTES, no success within LOGIN_KNOWN_CLIENT_DAYS). Run daily."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        deleted = prune_login_counts()
        self.stdout.write(f"Deleted {deleted} stale login counts.")
