"""What the public sees of the counts: one publication at a time, each a set of protected
cells. Pages, files and feeds read only the latest publication, never the live counts."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Publication(models.Model):
    """The public figures as published at a moment: which periods, under which threshold.
    A new one is made from the live counts (publication.publish_figures); the older ones
    stay as they were published, the latest is what every public page reads."""

    created_at = models.DateTimeField(_("published at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    threshold = models.PositiveSmallIntegerField(_("threshold"))
    periods = models.JSONField(_("periods"), default=list)  # [[code, name], ...] oldest first
    levels = models.JSONField(_("levels"), default=list)  # [[code, name], ...] lowest first
    cells = models.PositiveIntegerField(_("cells"), default=0)
    hidden = models.PositiveIntegerField(_("cells not published"), default=0)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"publication {self.pk} ({self.created_at:%Y-%m-%d %H:%M})"


class PublicCell(models.Model):
    """One published count: its value, or None with why it is not published (`state`:
    small, or withheld so that a small one cannot be worked out)."""

    publication = models.ForeignKey(
        Publication, on_delete=models.CASCADE, related_name="cell_rows", db_index=False
    )
    table = models.CharField(max_length=12)
    period = models.CharField(max_length=41)
    region = models.CharField(max_length=13)
    key = models.CharField(max_length=40)
    value = models.IntegerField(null=True)
    state = models.CharField(max_length=10, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["publication", "table", "period", "region"], name="public_cell_at")
        ]

    def __str__(self) -> str:
        return f"{self.table} {self.period} {self.region or 'ID'} {self.key}: {self.value}"
