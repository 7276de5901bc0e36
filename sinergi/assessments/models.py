"""Instruments (versioned scoring rules), mapping periods, and each actor's results."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sinergi.assessments.choices import AssessmentStatus, InstrumentStatus, PeriodStatus, Source
from sinergi.audit.subjects import Subject
from sinergi.lib.jobs import Job
from sinergi.lib.scope import Reach, ScopedQuerySet
from sinergi.regions.models import Region
from sinergi.registry.models import Actor


class Instrument(models.Model):
    """One version of a scoring instrument. Once published it never changes."""

    code = models.CharField(_("code"), max_length=40)
    version = models.CharField(_("version"), max_length=20)
    title = models.CharField(_("title"), max_length=200)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=InstrumentStatus.choices,
        default=InstrumentStatus.DRAFT,
    )
    source = models.TextField(help_text=_("The definition as uploaded (YAML)."))
    definition = models.JSONField(help_text=_("The validated definition, canonical form."))
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["code", "-published_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="unique_instrument_version"),
        ]

    def __str__(self) -> str:
        return self.key

    @property
    def key(self) -> str:
        return f"{self.code}@{self.version}"

    @property
    def audit_subject(self) -> Subject:
        """A national matter: filed under the country."""
        return Subject("instrument", self.pk, self.key)


class Period(models.Model):
    """A mapping round (2016, 2017, ...). Closed periods take no new results."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)
    starts_on = models.DateField(_("start date"))
    ends_on = models.DateField(_("end date"))
    status = models.CharField(
        _("status"), max_length=10, choices=PeriodStatus.choices, default=PeriodStatus.OPEN
    )

    class Meta:
        ordering = ["starts_on", "code"]

    def __str__(self) -> str:
        return self.code

    @property
    def audit_subject(self) -> Subject:
        """A national matter: filed under the country (a regency's lock names its regency)."""
        return Subject("period", self.pk, self.code)


class PeriodLock(models.Model):
    """A regency's results for a period, verified and locked by its officer."""

    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="locks")
    regency = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    locked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    locked_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["period", "regency"], name="unique_period_lock"),
        ]

    def __str__(self) -> str:
        return f"{self.period} {self.regency_id}"


class Assessment(models.Model):
    """One scored result of an actor in a period under one instrument version.

    Results are never overwritten: a correction or a re-score adds a new row and the
    previous one is superseded. Per actor and period exactly one accepted row counts:
    the latest one (enforced by a partial unique constraint).
    """

    actor = models.ForeignKey(Actor, on_delete=models.CASCADE, related_name="assessments")
    # Indexes cost every write (a re-score writes a million rows): only those that reads use.
    # Results are read by actor, by period and region, never by instrument or recorder alone;
    # the (period, counted, regency) index serves reads by period alone too.
    period = models.ForeignKey(
        Period, on_delete=models.PROTECT, related_name="assessments", db_index=False
    )
    instrument = models.ForeignKey(
        Instrument, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    answers = models.JSONField()
    level = models.CharField(_("level"), max_length=10)
    total_score = models.FloatField(_("total score"))
    aspects = models.JSONField()
    graduate = models.BooleanField(_("ready to graduate"), default=False)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=AssessmentStatus.choices,
        default=AssessmentStatus.SUBMITTED,
    )
    counted = models.BooleanField(default=False)
    supersedes = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="superseded_by"
    )
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.WEB)
    # Copied from the actor at write time, so that aggregates by region need no join.
    regency_code = models.CharField(max_length=5, db_index=True)
    province_code = models.CharField(max_length=2)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    verified_at = models.DateTimeField(null=True, blank=True)

    # The actor's region, through the copies kept on the result down to the regency.
    reach = Reach(
        levels=("province_code", "regency_code", "actor__district_code", "actor__village_id"),
        caseload="actor__facilitator",
    )
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["actor_id", "period__starts_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["actor", "period"], condition=Q(counted=True), name="one_counted_result"
            ),
        ]
        indexes = [models.Index(fields=["period", "counted", "regency_code"])]

    def __str__(self) -> str:
        return f"{self.actor_id} {self.period_id} {self.level}"

    @property
    def audit_subject(self) -> Subject:
        """Named by its actor and period, filed under her village like her record."""
        return Subject(
            "assessment", self.pk, f"{self.actor.name} {self.period.code}", self.actor.village_id
        )


class RescoreJob(Job):
    """Re-scoring chosen periods and regions under one published instrument version.

    The job adds a new counted result for every counted result of another version and keeps
    the old one (no longer counted). `report` holds the before/after by regency:
    {"levels": [...lowest first], "regencies": {code: {"name", "rescored", "up", "same",
    "down", "invalid", "moves": {from: {to: count}}}}}. `messages` lists results whose stored
    answers no longer fit the target version (not re-scored): [{assessment, actor, period,
    regency, problems: {question: [[text, params], ...]}}], the first few thousand of them.
    """

    instrument = models.ForeignKey(
        Instrument, on_delete=models.PROTECT, related_name="+", verbose_name=_("instrument")
    )
    periods = models.ManyToManyField(Period, related_name="+", verbose_name=_("periods"))
    # Any level, dotted; empty for the whole country.
    region_code = models.CharField(_("region code"), max_length=13, blank=True)
    total = models.PositiveIntegerField(default=0)
    processed = models.PositiveIntegerField(default=0)
    rescored = models.PositiveIntegerField(default=0)
    changed = models.PositiveIntegerField(default=0)  # re-scored to another level
    invalid = models.PositiveIntegerField(default=0)  # answers that no longer fit: not stored
    report = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    # Re-scoring is a national administrator's; the region is what the job covers.
    reach = Reach(code="region_code")
    objects = ScopedQuerySet.as_manager()

    def __str__(self) -> str:
        return f"rescore #{self.pk} ({self.status})"

    @property
    def audit_subject(self) -> Subject:
        """Filed under the region it re-scores."""
        return Subject("rescore_job", self.pk, str(self), self.region_code)

    def progress(self) -> tuple[int, int]:
        return self.processed, self.total
