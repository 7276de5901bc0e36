"""Actors (pelaku IR), their legality items and consent."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from sinergi.audit.subjects import Subject
from sinergi.lib.scope import Reach, ScopedQuerySet
from sinergi.regions.models import Region
from sinergi.registry.choices import LegalityKind, Sector, Sex, Status

# The fields of an actor record stored as they are cleaned (no derived or protected value).
RECORD_FIELDS = (
    "name",
    "sex",
    "birth_date",
    "phone",
    "address",
    "business_name",
    "sector",
    "products",
    "year_started",
    "consent_date",
    "consent_programme",
    "consent_partners",
    "consent_publication",
    "status",
)


class Actor(models.Model):
    """A woman who runs a home industry. Her NIK is never stored in clear.

    The region columns above the village are copied from the village code so that every
    scoped query is one indexed equality, at any level.
    """

    nik_hash = models.CharField(max_length=64, unique=True)
    nik_encrypted = models.TextField()
    nik_masked = models.CharField(_("NIK"), max_length=16)
    name = models.CharField(_("name"), max_length=150)
    # Indexed as the first column of actor_dedup, which serves lookups by name_key alone.
    name_key = models.CharField(max_length=150)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    birth_date = models.DateField(_("birth date"))
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    village = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("village")
    )
    district_code = models.CharField(max_length=8, db_index=True)
    regency_code = models.CharField(max_length=5, db_index=True)
    province_code = models.CharField(max_length=2, db_index=True)
    business_name = models.CharField(_("business name"), max_length=150)
    sector = models.CharField(_("sector"), max_length=20, choices=Sector.choices)
    products = models.CharField(_("products"), max_length=255, blank=True)
    year_started = models.PositiveSmallIntegerField(_("year started"), null=True, blank=True)
    consent_date = models.DateField(_("consent date"), null=True, blank=True)
    consent_programme = models.BooleanField(_("consent: programme"), default=False)
    consent_partners = models.BooleanField(_("consent: sharing with partners"), default=False)
    consent_publication = models.BooleanField(_("consent: publication"), default=False)
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="caseload",
        verbose_name=_("facilitator"),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.ACTIVE
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Scoped at every level through the region columns; a facilitator reaches her caseload.
    reach = Reach(
        levels=("province_code", "regency_code", "district_code", "village_id"),
        caseload="facilitator",
    )
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        indexes = [
            models.Index(fields=["name_key", "birth_date", "village"], name="actor_dedup"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def audit_subject(self) -> Subject:
        """Audit rows about her name her and are filed under her village."""
        return Subject("actor", self.pk, self.name, self.village_id)


class LegalityItem(models.Model):
    """A licence or certificate an actor's business holds."""

    actor = models.ForeignKey(Actor, on_delete=models.CASCADE, related_name="legality_items")
    kind = models.CharField(_("type"), max_length=10, choices=LegalityKind.choices)
    number = models.CharField(_("number"), max_length=60, blank=True)
    issued_on = models.DateField(_("issue date"), null=True, blank=True)
    expires_on = models.DateField(_("expiry date"), null=True, blank=True)

    class Meta:
        ordering = ["actor_id", "kind", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}".strip()
