"""The metadata of the open-data catalogue: one row per dataset, kept by the walidata."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from sinergi.audit.subjects import Subject
from sinergi.opendata.choices import CC_BY, Frequency


class Dataset(models.Model):
    """A published dataset's metadata as Satu Data Indonesia asks for it, and the name of
    the registered source (sinergi.opendata.sources) that builds its table. Its `slug` is
    its name and id in the CKAN-compatible API and in its download addresses."""

    slug = models.SlugField(_("name in addresses"), max_length=100, unique=True)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"))
    source = models.CharField(_("source"), max_length=60)
    producer = models.CharField(_("producer (produsen data)"), max_length=200)
    custodian = models.CharField(_("custodian (walidata)"), max_length=200)
    spatial = models.CharField(_("spatial coverage"), max_length=200, default="Indonesia")
    temporal = models.CharField(_("time coverage"), max_length=100, blank=True)
    frequency = models.CharField(
        _("update frequency"), max_length=12, choices=Frequency.choices, default=Frequency.ANNUAL
    )
    license_id = models.CharField(_("licence code"), max_length=40, default=CC_BY[0])
    license_title = models.CharField(_("licence"), max_length=120, default=CC_BY[1])
    license_url = models.URLField(_("licence address"), default=CC_BY[2])
    contact_name = models.CharField(_("contact name"), max_length=150)
    contact_email = models.EmailField(_("contact email"))
    keywords = models.CharField(
        _("keywords"), max_length=300, blank=True, help_text=_("Separated by commas.")
    )
    published = models.BooleanField(_("published"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title", "slug"]

    def __str__(self) -> str:
        return self.title

    @property
    def keyword_list(self) -> list[str]:
        return [k.strip() for k in self.keywords.split(",") if k.strip()]

    @property
    def audit_subject(self) -> Subject:
        return Subject("dataset", self.slug, self.title)
