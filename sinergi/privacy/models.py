"""What a personal-data controller must keep (UU PDP 27/2022): each person's consent history,
the requests she made and when they were answered, and the erasures with their legal basis."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from sinergi.audit.subjects import Subject
from sinergi.privacy.choices import ConsentKind, ConsentSource, ErasureBasis, RequestKind
from sinergi.registry.models import Actor

# UU PDP: a subject's request for access or correction is answered within 3 x 24 hours.
ANSWER_WITHIN = timedelta(hours=72)


class ConsentEvent(models.Model):
    """One consent given or withdrawn, as it was written (never changed afterwards): the
    actor's consent_* fields hold only the present state, this row keeps how it got there."""

    actor = models.ForeignKey(Actor, on_delete=models.CASCADE, related_name="consent_events")
    kind = models.CharField(_("consent"), max_length=12, choices=ConsentKind.choices)
    given = models.BooleanField(_("given"))
    consent_date = models.DateField(_("consent date"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=10, choices=ConsentSource.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Kept when the user account is gone, as audit rows do.
    username = models.CharField(_("recorded by"), max_length=150, blank=True)
    at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        ordering = ["actor_id", "at", "id"]
        indexes = [models.Index(fields=["kind", "actor", "at"])]

    def __str__(self) -> str:
        return f"{self.actor_id} {self.kind} {'given' if self.given else 'withdrawn'}"


class SubjectRequest(models.Model):
    """A request by the person (or someone for her) about her data, and when it was answered.
    Access and correction must be answered within ANSWER_WITHIN of receipt."""

    actor = models.ForeignKey(Actor, on_delete=models.CASCADE, related_name="subject_requests")
    kind = models.CharField(_("request"), max_length=12, choices=RequestKind.choices)
    requester = models.CharField(_("asked by"), max_length=150)
    details = models.TextField(_("what was asked"), blank=True)
    received_at = models.DateTimeField(_("received"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    done_at = models.DateTimeField(_("answered"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    outcome = models.TextField(_("outcome"), blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} request for {self.actor_id}"

    @property
    def audit_subject(self) -> Subject:
        """Filed under her village, like her record."""
        return Subject("subject_request", self.pk, f"{self.kind} #{self.pk}", self.actor.village_id)

    @property
    def deadline(self) -> datetime:
        return self.received_at + ANSWER_WITHIN


class Erasure(models.Model):
    """An actor's identifiers removed and replaced by a pseudonym, with the legal basis.
    Her results, region and counts stay, so programme figures do not move."""

    actor = models.OneToOneField(Actor, on_delete=models.CASCADE, related_name="erasure")
    basis = models.CharField(_("legal basis"), max_length=20, choices=ErasureBasis.choices)
    note = models.TextField(_("explanation"), blank=True)
    pseudonym = models.CharField(_("pseudonym"), max_length=40, unique=True)
    at = models.DateTimeField(_("erased"), auto_now_add=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    username = models.CharField(_("erased by"), max_length=150, blank=True)
    # What was removed where: {"submissions": n, "files_deleted": [...], "audit_rows": n, ...}
    removed = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return self.pseudonym
