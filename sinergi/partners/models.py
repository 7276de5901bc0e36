"""Partners (mitra), their agreements and offers, referrals of actors to offers, and the
webhooks partners' own systems are told through."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sinergi.accounts.scoping import audit_region
from sinergi.audit.subjects import Subject
from sinergi.lib.jobs import Job
from sinergi.lib.scope import Do, Reach, ScopedQuerySet
from sinergi.partners.choices import (
    AgreementKind,
    AgreementStatus,
    DeliveryStatus,
    OfferCategory,
    PartnerKind,
    ReferralStatus,
)
from sinergi.regions.models import Region
from sinergi.registry.models import Actor

# A partner is reference data, not personal data: every member reads the national ones and
# those mapped in her regions (facilitators too, who refer their actors); its staff read it.
_PARTNER_REACH = Reach(
    code="region__code", national="region", open_to_facilitators=True, staff="staff__user"
)


class Partner(models.Model):
    """An organisation that serves home industries, mapped at the level of whoever mapped it:
    nationally by the ministry (no region), or in a province or kab/kota by its Dinas. A
    partner without an active agreement is a potential partner."""

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("type"), max_length=20, choices=PartnerKind.choices)
    region = models.ForeignKey(
        Region,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("mapped in"),
    )
    serves = models.ManyToManyField(
        Region, blank=True, related_name="+", verbose_name=_("regions served")
    )
    description = models.TextField(_("description"), blank=True)
    website = models.URLField(_("website"), blank=True)
    contact_name = models.CharField(_("contact person"), max_length=150, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=20, blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    reach = _PARTNER_REACH
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def audit_subject(self) -> Subject:
        return Subject("partner", self.pk, self.name, self.region_id or "")


class PartnerStaff(models.Model):
    """A user who works for one partner organisation: the partner role. She reads and
    answers the referrals sent to her organisation and nothing else of the registry;
    `manages_webhooks` lets her register its webhooks and read their deliveries."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="partner_staff"
    )
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="staff")
    manages_webhooks = models.BooleanField(_("manages webhooks"), default=False)

    class Meta:
        ordering = ["partner_id", "user_id"]

    def __str__(self) -> str:
        return f"{self.user} @ {self.partner}"


class Agreement(models.Model):
    """A signed MoU or PKS with a partner: its number, parties, dates and the signed PDF."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="agreements")
    kind = models.CharField(_("type"), max_length=3, choices=AgreementKind.choices)
    number = models.CharField(_("number"), max_length=100)
    parties = models.CharField(_("parties"), max_length=255)
    signed_on = models.DateField(_("signed on"))
    starts_on = models.DateField(_("valid from"))
    ends_on = models.DateField(_("valid until"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=AgreementStatus.choices, default=AgreementStatus.ACTIVE
    )
    document = models.FileField(_("signed document"), upload_to="agreements/", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    reach = _PARTNER_REACH.through("partner")
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["partner_id", "-signed_on", "id"]

    def __str__(self) -> str:
        return self.number

    @property
    def audit_subject(self) -> Subject:
        return Subject("agreement", self.pk, self.number, self.partner.region_id or "")


class Offer(models.Model):
    """What a partner provides, and to whom, as data: eligibility by level, sector, legality
    held or missing, years in business, regions, and the instrument items it answers.

    Each change raises `revision`; a referral keeps the terms it was made under.
    """

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="offers")
    title = models.CharField(_("title"), max_length=200)
    category = models.CharField(_("category"), max_length=20, choices=OfferCategory.choices)
    description = models.TextField(_("description"), blank=True)
    regions = models.ManyToManyField(
        Region, blank=True, related_name="+", verbose_name=_("regions")
    )
    starts_on = models.DateField(_("from"), null=True, blank=True)
    ends_on = models.DateField(_("until"), null=True, blank=True)
    capacity = models.PositiveIntegerField(_("places"), null=True, blank=True)
    levels = models.JSONField(_("levels"), default=list, blank=True)
    sectors = models.JSONField(_("sectors"), default=list, blank=True)
    legality_required = models.JSONField(_("legality required"), default=list, blank=True)
    legality_missing = models.JSONField(_("legality missing"), default=list, blank=True)
    min_years = models.PositiveSmallIntegerField(_("minimum years in business"), default=0)
    items = models.JSONField(_("instrument items answered"), default=list, blank=True)
    active = models.BooleanField(_("open"), default=True)
    revision = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    reach = _PARTNER_REACH.through("partner")
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["partner__name", "title", "id"]

    def __str__(self) -> str:
        return self.title

    @property
    def audit_subject(self) -> Subject:
        return Subject("offer", self.pk, self.title, self.partner.region_id or "")


class Referral(models.Model):
    """An actor referred to a partner's offer, and what came of it.

    Its terms (`terms`: the offer's title, category and eligibility at the time, with its
    revision) and the reasons of the match are kept as they were. `addressee` is set when the
    referral is sent: from then on, and only then, the partner's staff see it.
    """

    actor = models.ForeignKey(Actor, on_delete=models.CASCADE, related_name="referrals")
    offer = models.ForeignKey(Offer, on_delete=models.PROTECT, related_name="referrals")
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="referrals")
    addressee = models.ForeignKey(
        Partner, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ReferralStatus.choices, default=ReferralStatus.PROPOSED
    )
    terms = models.JSONField()
    score = models.FloatField(_("match score"), default=0)
    reasons = models.JSONField(_("reasons"), default=list)
    level = models.CharField(_("level when referred"), max_length=10, blank=True)
    note = models.TextField(_("note"), blank=True)
    reason = models.TextField(_("reason"), blank=True)  # of a decline or withdrawal
    served_on = models.DateField(_("served on"), null=True, blank=True)
    amount = models.BigIntegerField(_("amount (Rp)"), null=True, blank=True)
    outcome = models.TextField(_("outcome"), blank=True)
    # Copied from the actor at write time so that monitoring by region needs no join.
    province_code = models.CharField(max_length=2)
    regency_code = models.CharField(max_length=5, db_index=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    # The actor's region and caseload, and the staff of the partner it was sent to.
    reach = Reach(
        levels=("province_code", "regency_code", "actor__district_code", "actor__village_id"),
        caseload="actor__facilitator",
        staff="addressee__staff__user",
    )
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["partner", "status"], name="referral_partner_status"),
            models.Index(fields=["actor", "offer"], name="referral_actor_offer"),
        ]

    def __str__(self) -> str:
        return f"{self.actor_id} → {self.offer_id} ({self.status})"

    @property
    def audit_subject(self) -> Subject:
        """Named by its actor and filed under her village, like her record."""
        return Subject("referral", self.pk, str(self.terms.get("title", "")), self.actor.village_id)


class ReferralStep(models.Model):
    """One transition of a referral: who moved it from what to what, when, and why."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="steps")
    source = models.CharField(max_length=10, choices=ReferralStatus.choices, blank=True)
    target = models.CharField(max_length=10, choices=ReferralStatus.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["referral_id", "at", "id"]

    def __str__(self) -> str:
        return f"{self.referral_id}: {self.source} → {self.target}"


class Webhook(models.Model):
    """A URL of a partner's own system told of its referrals, signed with its secret.
    Disabled automatically after WEBHOOK_DISABLE_AFTER failed deliveries in a row."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="webhooks")
    url = models.URLField(_("URL"), max_length=500)
    events = models.JSONField(_("events"))
    secret = models.CharField(max_length=200)  # encrypted: partners.webhooks.seal / secret_of
    active = models.BooleanField(_("active"), default=True)
    failures_in_row = models.PositiveIntegerField(default=0)
    disabled_reason = models.CharField(max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    # The partner's own staff, and the national programme.
    reach = Reach(staff="partner__staff__user", reads_need=Do.CHANGE)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["partner_id", "id"]

    def __str__(self) -> str:
        return self.url

    @property
    def audit_subject(self) -> Subject:
        return Subject("webhook", self.pk, self.url, "")


class Delivery(models.Model):
    """One event to one webhook and its attempts: the partner admin's delivery log."""

    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(max_length=40)
    body = models.TextField()
    status = models.CharField(
        max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=255, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)

    reach = Reach(staff="webhook__partner__staff__user", reads_need=Do.CHANGE)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        # The periodic sweep's question: pending deliveries whose next attempt is due.
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="delivery_due")]

    def __str__(self) -> str:
        return f"{self.event} → {self.webhook_id} ({self.status})"


class ReferralBatch(Job):
    """Sending the top match of each of up to 1,000 chosen actors, as one job row.

    Runs as the user who started it: her scope and the offers she may read are checked again
    when it runs. For each actor her best eligible offer is proposed and sent; one without
    consent to sharing with partners keeps her referral proposed. `messages` are
    [{actor, reason, level}], one for each actor not sent (ids only: names are read when the
    page is shown, so an erased actor leaves none here).
    """

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    actor_ids = models.JSONField(default=list)
    note = models.TextField(_("note"), blank=True)
    total = models.PositiveIntegerField(default=0)
    processed = models.PositiveIntegerField(default=0)
    sent_count = models.PositiveIntegerField(default=0)
    proposed_count = models.PositiveIntegerField(default=0)  # kept proposed: no consent
    skipped_count = models.PositiveIntegerField(default=0)

    # A batch is its starter's (and the national administrators').
    reach = Reach(owner="created_by")
    objects = ScopedQuerySet.as_manager()

    def __str__(self) -> str:
        return f"referral batch #{self.pk} ({self.status})"

    @property
    def audit_subject(self) -> Subject:
        return Subject("referral_batch", self.pk, str(self), audit_region(self.created_by))

    def progress(self) -> tuple[int, int]:
        return self.processed, self.total


# --- Referral monitoring: pre-summed counts (partners.monitoring_counts keeps them) -------


class ReferralCount(models.Model):
    """Referrals in a slice (region and breakdown, see partners.monitoring_slices) by
    status and whether they were sent and answered, with the credit disbursed."""

    region = models.CharField(max_length=13)
    dim = models.CharField(max_length=10)
    value = models.CharField(max_length=20)
    status = models.CharField(max_length=10)
    sent = models.BooleanField()
    answered = models.BooleanField()
    referrals = models.IntegerField(default=0)
    amount = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["region", "dim", "value", "status", "sent", "answered"],
                name="one_referral_count",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.region or 'ID'} {self.dim}={self.value} {self.status}: {self.referrals}"


class ReferralDays(models.Model):
    """The served referrals of a slice by days from sent to served, [[days, referrals], ...]
    in order of days, and their median. One row per slice: a nation's partners are a hundred
    rows to read, not the thousands a row per day would make; the median is written with the
    histogram, which is read only when several regions are summed."""

    region = models.CharField(max_length=13)
    dim = models.CharField(max_length=10)
    value = models.CharField(max_length=20)
    histogram = models.JSONField(default=list)
    median = models.FloatField(null=True)  # of the histogram, kept with it

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["region", "dim", "value"], name="one_referral_days"),
        ]

    def __str__(self) -> str:
        return f"{self.region or 'ID'} {self.dim}={self.value}"


class ReferredTransition(models.Model):
    """Referred actors counted at `level_a` in period a and `level_b` in period b, in a
    slice: those with a referral sent between the two periods' starts. One row per pair of
    periods, the lower id first, as analytics.TransitionCount (which counts everyone)."""

    period_a = models.ForeignKey(
        "assessments.Period", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    period_b = models.ForeignKey(
        "assessments.Period", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    region = models.CharField(max_length=13)
    dim = models.CharField(max_length=10)
    value = models.CharField(max_length=20)
    level_a = models.CharField(max_length=10)
    level_b = models.CharField(max_length=10)
    actors = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["period_a", "period_b", "region", "dim", "value", "level_a", "level_b"],
                name="one_referred_transition",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.period_a_id}->{self.period_b_id} {self.region or 'ID'} {self.dim}"
