"""The sources of the datasets that are not about persons: the model regions and their
MoUs, and the partner organisations and their offers. Counts of organisations are
published as they are (no small-cell protection: they are not people)."""

from __future__ import annotations

from django.db.models import Count, Exists, Max, OuterRef, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _l

from sinergi.opendata import sources
from sinergi.opendata.sources import Field, Table
from sinergi.partners.choices import AgreementStatus, OfferCategory, PartnerKind
from sinergi.partners.models import Agreement, Offer, Partner
from sinergi.regions.choices import Level, Phase
from sinergi.regions.models import ModelRegion

_REGION_CODE = _l("Kemendagri region code")

MODEL_REGION_FIELDS = (
    Field("region_code", _l("Regency/city code"), "string", _REGION_CODE),
    Field("region_name", _l("Regency/city"), "string"),
    Field("province_code", _l("Province code"), "string", _REGION_CODE),
    Field("province_name", _l("Province"), "string"),
    Field("phase", _l("Phase"), "string", _l("model: a model region; replication: a replication")),
    Field("start_year", _l("Start year"), "integer"),
    Field("end_year", _l("End year"), "integer", _l("Empty while it runs.")),
    Field("mou_number", _l("MoU number"), "string"),
    Field("mou_date", _l("MoU date"), "date", _l("YYYY-MM-DD")),
    Field(
        "illustrative",
        _l("Illustrative"),
        "string",
        _l("yes: not from a public source (demo data standing in for an unknown region)"),
    ),
)


def model_regions() -> Table:
    rows = ModelRegion.objects.select_related("region__parent").order_by("region_id")
    return Table(
        MODEL_REGION_FIELDS,
        [
            (
                m.region_id,
                m.region.name,
                m.region.parent_id or "",
                m.region.parent.name if m.region.parent else "",
                Phase(m.phase).value,
                m.start_year,
                m.end_year,
                m.mou_number,
                m.mou_date,
                "yes" if m.illustrative else "no",
            )
            for m in rows
        ],
    )


PARTNER_FIELDS = (
    Field("level", _l("Mapped at"), "string", _l("national, province or regency")),
    Field("region_code", _l("Region code"), "string", _l("Empty for national partners.")),
    Field("region_name", _l("Region"), "string"),
    Field("kind", _l("Type code"), "string"),
    Field("kind_name", _l("Type"), "string"),
    Field("partners", _l("Partners"), "integer", _l("Partner organisations mapped.")),
    Field(
        "with_agreement",
        _l("With an active agreement"),
        "integer",
        _l("Of them, those with an active MoU or cooperation agreement (PKS)."),
    ),
)

_LEVELS = {None: "national", int(Level.PROVINCE): "province", int(Level.REGENCY): "regency"}


def partners() -> Table:
    active = Agreement.objects.filter(partner=OuterRef("pk"), status=AgreementStatus.ACTIVE)
    groups = (
        Partner.objects.annotate(agreed=Exists(active))
        .values("region_id", "region__name", "region__level", "kind")
        .annotate(n=Count("id"), agreed_n=Count("id", filter=Q(agreed=True)))
        .order_by("region_id", "kind")
    )
    kinds = dict(PartnerKind.choices)
    rows = sorted(
        (
            (
                _LEVELS.get(g["region__level"], "other"),
                g["region_id"] or "",
                g["region__name"] or "",
                g["kind"],
                str(kinds.get(g["kind"], g["kind"])),
                g["n"],
                g["agreed_n"],
            )
            for g in groups
        ),
        key=lambda row: (["national", "province", "regency"].index(str(row[0])), row[1], row[3]),
    )
    modified = Partner.objects.aggregate(at=Max("updated_at"))["at"]
    return Table(PARTNER_FIELDS, rows, modified)


OFFER_FIELDS = (
    Field("category", _l("Category code"), "string"),
    Field("category_name", _l("Category"), "string"),
    Field("open_offers", _l("Open offers"), "integer", _l("Offers open today.")),
    Field("partners", _l("Partners offering"), "integer"),
    Field(
        "places", _l("Places"), "integer", _l("Places the open offers state (empty: not stated).")
    ),
)


def offers() -> Table:
    today = timezone.localdate()
    open_now = Offer.objects.filter(active=True).exclude(ends_on__lt=today)
    groups = {
        g["category"]: g
        for g in open_now.values("category").annotate(
            n=Count("id"), partner_n=Count("partner", distinct=True), places=Sum("capacity")
        )
    }
    rows = [
        (
            code,
            str(label),
            groups[code]["n"],
            groups[code]["partner_n"],
            groups[code]["places"],
        )
        for code, label in OfferCategory.choices
        if code in groups
    ]
    modified = Offer.objects.aggregate(at=Max("updated_at"))["at"]
    return Table(OFFER_FIELDS, rows, modified)


def register_all() -> None:
    sources.register("model_regions", model_regions)
    sources.register("partners", partners)
    sources.register("offers", offers)
