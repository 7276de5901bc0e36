"""Information requests under UU KIP 14/2008, their steps, the periodic information the
ministry publishes, and the holidays its deadlines skip."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sinergi.audit.subjects import Subject
from sinergi.information.choices import (
    OPEN,
    Category,
    Delivery,
    ObjectionReason,
    Outcome,
    RequestStatus,
)


class Holiday(models.Model):
    """A national holiday (or collective leave day) on which no deadline day is counted."""

    date = models.DateField(_("date"), unique=True)
    name = models.CharField(_("name"), max_length=150)

    class Meta:
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.name}"

    @property
    def audit_subject(self) -> Subject:
        return Subject("holiday", self.pk, str(self))


class PeriodicInformation(models.Model):
    """An entry of informasi berkala (Pasal 9), published on the public page: a link or an
    uploaded PDF."""

    title = models.CharField(_("title"), max_length=200)
    category = models.CharField(_("category"), max_length=12, choices=Category.choices)
    description = models.TextField(_("description"), blank=True)
    year = models.PositiveSmallIntegerField(_("year"))
    link = models.URLField(_("link"), max_length=500, blank=True)
    document = models.FileField(_("PDF document"), upload_to="information/", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["category", "-year", "title"]

    def __str__(self) -> str:
        return self.title

    @property
    def audit_subject(self) -> Subject:
        return Subject("periodic_information", self.pk, self.title)


class InformationRequest(models.Model):
    """A written request for public information (Pasal 22). Its requester's name, email,
    phone and address are personal data: only the staff who answer requests read them, and
    each of their reads is audited. The requester follows it by tracking number and email."""

    tracking_number = models.CharField(_("tracking number"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=150)
    email = models.EmailField(_("email"))
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    occupation = models.CharField(_("occupation"), max_length=100, blank=True)
    information = models.TextField(_("information requested"))
    purpose = models.TextField(_("purpose"))
    delivery = models.CharField(_("how to receive it"), max_length=10, choices=Delivery.choices)
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    status = models.CharField(
        _("status"), max_length=12, choices=RequestStatus.choices, default=RequestStatus.RECEIVED
    )
    due_on = models.DateField(_("due"))
    extended_due_on = models.DateField(_("extended due"), null=True, blank=True)
    extension_reason = models.TextField(_("reason for the extension"), blank=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, blank=True)
    answer = models.TextField(_("answer"), blank=True)
    refusal_reason = models.TextField(_("exemption reason"), blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-received_at", "-id"]

    def __str__(self) -> str:
        return self.tracking_number

    @property
    def audit_subject(self) -> Subject:
        # The tracking number only: the requester's name is personal data.
        return Subject("information_request", self.pk, self.tracking_number)

    @property
    def deadline(self) -> date:
        """The day the answer is due: the extended one once extended."""
        return self.extended_due_on or self.due_on

    def is_overdue(self, today: date) -> bool:
        return self.status in OPEN and self.deadline < today


class RequestStep(models.Model):
    """One step of a request: who moved it from what to what, when, and why."""

    request = models.ForeignKey(InformationRequest, on_delete=models.CASCADE, related_name="steps")
    source = models.CharField(max_length=12, choices=RequestStatus.choices, blank=True)
    target = models.CharField(max_length=12, choices=RequestStatus.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["request_id", "at", "id"]

    def __str__(self) -> str:
        return f"{self.request_id}: {self.source} → {self.target}"


class Objection(models.Model):
    """A requester's objection (keberatan, Pasal 35-36) to the superior of the PPID, filed
    within 30 working days of the answer or of the deadline passing unanswered, and
    answered within 30 working days of its receipt. One per request."""

    request = models.OneToOneField(
        InformationRequest, on_delete=models.CASCADE, related_name="objection"
    )
    reason = models.CharField(_("reason"), max_length=20, choices=ObjectionReason.choices)
    statement = models.TextField(_("statement"))
    filed_at = models.DateTimeField(_("filed"), default=timezone.now)
    due_on = models.DateField(_("due"))
    answer = models.TextField(_("answer"), blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self) -> str:
        return f"{self.request}: {self.reason}"

    @property
    def audit_subject(self) -> Subject:
        return Subject("information_objection", self.pk, str(self.request))
