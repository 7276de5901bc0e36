"""manage.py verify_audit: walk the audit hash chain; exit 1 at the first row that fails."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sinergi.audit.chain import verify
from sinergi.audit.models import AuditEvent


class Command(BaseCommand):
    help = (
        "Check the audit trail's hash chain and append-only triggers; report the first "
        "broken row and exit non-zero if any."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--expect",
            metavar="ID:HASH",
            help="a row's hash noted earlier (printed by a previous run): it must still match",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        verdict = verify()
        checkpoint = verdict.checkpoint
        if checkpoint is not None:
            self.stdout.write(
                f"Checkpoint: {checkpoint.pruned} rows older than {checkpoint.before:%Y-%m-%d} "
                f"pruned on {checkpoint.at:%Y-%m-%d}; the chain starts after row "
                f"{checkpoint.through_id}."
            )
        self.stdout.write(
            f"Checked {verdict.checked} rows, {verdict.redacted} of them redacted; "
            f"head: {verdict.head_id or 0}:{verdict.head_hash}"
        )
        problems = []
        if verdict.missing_triggers:
            problems.append(f"missing triggers: {', '.join(verdict.missing_triggers)}")
        if verdict.broken_id is not None:
            problems.append(f"row {verdict.broken_id} is broken: {verdict.reason}")
        elif verdict.reason:
            problems.append(verdict.reason)
        if options["expect"]:
            problems.extend(self._expected(options["expect"]))
        if problems:
            raise CommandError("; ".join(problems))
        self.stdout.write("The audit chain is intact.")

    def _expected(self, expect: str) -> list[str]:
        pk, _, wanted = expect.partition(":")
        if not pk.isdigit() or not wanted:
            return [f"--expect must be ID:HASH, got {expect!r}"]
        found = AuditEvent.objects.filter(pk=int(pk)).values_list("hash", flat=True).first()
        if found != wanted:
            return [f"row {pk} no longer has the expected hash"]
        return []
