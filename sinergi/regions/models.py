"""The official Kemendagri region tree and the regencies that run the IR model."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from sinergi.audit.subjects import Subject
from sinergi.regions.choices import Level, Phase


class Region(models.Model):
    """A province, regency/city, district or village, keyed by its dotted Kemendagri code."""

    code = models.CharField(max_length=13, primary_key=True)
    name = models.CharField(max_length=120, db_index=True)
    level = models.PositiveSmallIntegerField(choices=Level.choices, db_index=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    release = models.CharField(max_length=40)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class RegionRelease(models.Model):
    """Which source release the region table was loaded from, and when."""

    source = models.CharField(max_length=80, unique=True)
    loaded_at = models.DateTimeField(auto_now=True)
    provinces = models.PositiveIntegerField(default=0)
    regencies = models.PositiveIntegerField(default=0)
    districts = models.PositiveIntegerField(default=0)
    villages = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return self.source

    @property
    def audit_subject(self) -> Subject:
        return Subject("region_release", self.source, self.source)


class ModelRegion(models.Model):
    """A regency/city that runs the IR model under an MoU with the ministry."""

    region = models.OneToOneField(
        Region,
        on_delete=models.PROTECT,
        related_name="model_region",
        limit_choices_to={"level": Level.REGENCY},
    )
    mou_number = models.CharField(_("MoU number"), max_length=100, blank=True)
    mou_date = models.DateField(_("MoU date"), null=True, blank=True)
    start_year = models.PositiveSmallIntegerField(_("start year"))
    end_year = models.PositiveSmallIntegerField(_("end year"), null=True, blank=True)
    phase = models.CharField(_("phase"), max_length=12, choices=Phase.choices, default=Phase.MODEL)
    illustrative = models.BooleanField(
        _("illustrative"),
        default=False,
        help_text=_("Not from a public source: demo data standing in for an unknown region."),
    )

    class Meta:
        ordering = ["region_id"]

    def __str__(self) -> str:
        return str(self.region)

    @property
    def audit_subject(self) -> Subject:
        """Named by its regency, under which it is filed."""
        return Subject("model_region", self.region_id, str(self.region), self.region_id)
