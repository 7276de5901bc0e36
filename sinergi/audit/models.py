"""Audit trail: who did what to which object, and who viewed or exported personal data."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sinergi.lib.scope import Do, Reach, ScopedQuerySet


class Action(models.TextChoices):
    CREATE = "create", _("Create")
    UPDATE = "update", _("Update")
    DELETE = "delete", _("Delete")
    VIEW_PERSONAL = "view_personal", _("View personal data")
    EXPORT = "export", _("Export")
    IMPORT = "import", _("Import")
    LOGIN = "login", _("Log in")
    LOGIN_FAILED = "login_failed", _("Failed log in")
    LOCKOUT = "lockout", _("Account locked")
    NIK_CONFLICT = "nik_conflict", _("NIK registered elsewhere")
    REDACT = "redact", _("Redact personal data")
    PRUNE = "prune", _("Delete old audit rows")


class AuditEvent(models.Model):
    """One recorded event. Rows are append-only, enforced by database triggers (migration
    0004): the only UPDATE allowed is a redaction of the personal columns (`object_repr`,
    `before`, `after`) that marks the row `redacted`, the only DELETE a retention prune of
    the oldest rows (services.prune_events). Each row links to the one before it through
    `prev_hash` (see chain.py and docs/audit.md), so a changed, removed or inserted row is
    found by `manage.py verify_audit`."""

    # Set by the chain when the row is appended (it is part of the hashed content).
    at = models.DateTimeField(default=timezone.now, db_index=True)
    # PROTECT: deleting a user would rewrite her audit rows (SET_NULL), which the trigger
    # refuses; users with a history are deactivated instead.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    username = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=20, choices=Action.choices, db_index=True)
    # Indexed through (object_type, object_id) below; a second index would only slow writes.
    object_type = models.CharField(max_length=50)
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(max_length=200, blank=True)
    # Region code of the object, so that the audit page can be scoped like everything else.
    region_code = models.CharField(max_length=13, blank=True, db_index=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    note = models.CharField(max_length=500, blank=True)
    # The chain (chain.py). `salt` is random per row and keys `personal_hash`, the hash of
    # the personal columns; a redaction clears the salt, so the erased values cannot be
    # confirmed by guessing them against the hash that remains.
    salt = models.CharField(max_length=32, blank=True)
    personal_hash = models.CharField(max_length=64, blank=True)
    prev_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64, blank=True)
    redacted = models.BooleanField(default=False)

    # Filed under the region of the object or of the acting user's scope ("" national).
    reach = Reach(code="region_code", reads_need=Do.READ_AUDIT)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.action} {self.object_type}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Refused: rows are appended through sinergi.audit.services.record() (the chain)."""
        raise TypeError("Append audit rows with sinergi.audit.services.record().")


class AuditCheckpoint(models.Model):
    """Where the chain starts after a retention prune: rows up to `through_id` were deleted,
    and the first kept row links to `hash`. Appended by every prune; the newest counts."""

    at = models.DateTimeField(default=timezone.now)
    through_id = models.BigIntegerField()
    hash = models.CharField(max_length=64)
    pruned = models.PositiveIntegerField()
    before = models.DateTimeField()

    class Meta:
        ordering = ["-through_id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d} pruned {self.pruned} through {self.through_id}"


class DeletionPermit(models.Model):
    """A permit for the SQLite trigger (which cannot see temporary tables or settings): rows
    up to `through_id` may be deleted. Inserted and removed inside the pruning transaction,
    so no other connection ever sees one."""

    through_id = models.BigIntegerField()

    def __str__(self) -> str:
        return f"delete through {self.through_id}"
