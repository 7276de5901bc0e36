"""manage.py apply_retention [--dry-run]: what the daily retention job does, by hand."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from sinergi.privacy import services


class Command(BaseCommand):
    help = "Delete old import files, pseudonymise actors past retention, prune old audit rows."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="Print what would be done; change nothing."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        due = (
            services.retention_due() if options["dry_run"] else services.apply_retention(user=None)
        )
        verb = "would" if options["dry_run"] else "did"
        before = due.audit_before.isoformat() if due.audit_before else "never (kept for ever)"
        self.stdout.write(
            f"{verb} delete {len(due.import_jobs)} import files (jobs {due.import_jobs})\n"
            f"{verb} pseudonymise {len(due.actors)} actors (ids {due.actors})\n"
            f"{verb} prune {due.audit_rows} audit rows before {before}"
        )
