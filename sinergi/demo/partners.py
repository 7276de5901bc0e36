"""The demo's partners and referrals: the six national partners the programme names, a few
partners mapped by the demo's Dinas, their agreements and offers, the partner login
`mitra-mekaar`, and referrals of 2017-2019 made by the real matching and referral services
(each step at its own past date) with a realistic mix of outcomes.

Like the rest of the demo it only adds what is missing: partners by name, the login by
username; referrals only when the demo has none yet.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from sinergi.accounts.models import User
from sinergi.accounts.services import save_user
from sinergi.demo.data import PASSWORD
from sinergi.partners import services
from sinergi.partners.choices import OfferCategory as C
from sinergi.partners.choices import PartnerKind as K
from sinergi.partners.facts import facts_of, offers_on
from sinergi.partners.lifecycle import Step
from sinergi.partners.matching import Matcher
from sinergi.partners.models import Offer, Partner, Referral
from sinergi.regions.models import Region
from sinergi.registry.models import Actor

PARTNER_LOGIN = "mitra-mekaar"


@dataclass(frozen=True)
class OfferPlan:
    title: str
    category: str
    items: tuple[str, ...] = ()
    levels: tuple[str, ...] = ()
    sectors: tuple[str, ...] = ()
    legality_required: tuple[str, ...] = ()
    legality_missing: tuple[str, ...] = ()
    min_years: int = 0
    description: str = ""


@dataclass(frozen=True)
class PartnerPlan:
    name: str
    kind: str
    region: str | None  # None: mapped nationally
    mapped_by: str  # the demo login that maps it
    agreement: tuple[str, str, date] | None  # kind, number, signed on
    offers: tuple[OfferPlan, ...]
    website: str = ""


PARTNERS = (
    PartnerPlan(
        "PNM Mekaar", K.MICROFINANCE, None, "admin",
        ("pks", "PKS.12/KPPPA/PNM/2017", date(2017, 2, 14)),
        (
            OfferPlan("Modal usaha kelompok Mekaar", C.CAPITAL, ("capital", "equipment"),
                      levels=("IR1", "IR2")),
            OfferPlan("Pendampingan pembukuan mingguan", C.MENTORING, ("bookkeeping",),
                      levels=("IR1", "IR2")),
        ),
        "https://www.pnm.co.id",
    ),
    PartnerPlan(
        "IWAPI (Ikatan Wanita Pengusaha Indonesia)", K.ASSOCIATION, None, "admin",
        ("mou", "MoU.04/KPPPA/IWAPI/2016", date(2016, 11, 21)),
        (OfferPlan("Jejaring dan mentoring pengusaha perempuan", C.MENTORING,
                   ("network", "market_reach"), levels=("IR2", "IR3")),),
    ),
    PartnerPlan(
        "Rumah Kreatif BUMN Bank Mandiri", K.BANK, None, "admin",
        ("mou", "MoU.09/KPPPA/MANDIRI/2017", date(2017, 4, 3)),
        (
            OfferPlan("Kelas UMKM naik kelas", C.TRAINING, ("bookkeeping", "digital"),
                      levels=("IR1", "IR2")),
            OfferPlan("Kredit usaha mikro", C.CAPITAL, ("capital", "workers"),
                      levels=("IR2", "IR3"), legality_required=("nib",), min_years=2),
        ),
    ),
    PartnerPlan(
        "APTIKOM", K.UNIVERSITY, None, "admin",
        ("mou", "MoU.11/KPPPA/APTIKOM/2017", date(2017, 8, 8)),
        (OfferPlan("Literasi digital bersama mahasiswa", C.DIGITAL, ("digital",)),),
    ),
    PartnerPlan(
        "Gojek", K.PLATFORM, None, "admin", None,
        (OfferPlan("Pendaftaran mitra GoFood", C.MARKET, ("market_reach", "digital"),
                   sectors=("makanan-minuman",), legality_required=("pirt",)),),
    ),
    PartnerPlan(
        "XL Axiata", K.TELECOM, None, "admin",
        ("mou", "MoU.02/KPPPA/XL/2018", date(2018, 1, 30)),
        (OfferPlan("Pelatihan pemasaran daring", C.DIGITAL, ("digital", "market_reach"),
                   levels=("IR1", "IR2")),),
    ),
    PartnerPlan(
        "Klinik Sertifikasi Halal dan P-IRT Jawa Tengah", K.GOVERNMENT, "33", "dinas-jateng",
        ("pks", "PKS.07/DP3AP2KB/2017", date(2017, 3, 20)),
        (OfferPlan("Pendampingan P-IRT dan sertifikat halal", C.CERTIFICATION, ("legality",),
                   sectors=("makanan-minuman",), legality_missing=("pirt", "halal")),),
    ),
    PartnerPlan(
        "Koperasi Wanita Srikandi Rembang", K.ASSOCIATION, "33.17", "dinas-rembang", None,
        (OfferPlan("Pinjaman alat produksi", C.EQUIPMENT, ("equipment",), levels=("IR1",)),),
    ),
    PartnerPlan(
        "Universitas di Kendal (KKN tematik)", K.UNIVERSITY, "33.24", "dinas-kendal", None,
        (OfferPlan("Pendampingan NIB oleh mahasiswa KKN", C.CERTIFICATION, ("legality",),
                   legality_missing=("nib",)),),
    ),
)  # fmt: skip

# What becomes of a referral once sent, by the share of referrals (the rest stay unanswered).
ACCEPTED, DECLINED = 0.72, 0.16
SERVED, COMPLETED = 0.85, 0.75  # of those accepted, of those served
DECLINE_REASONS = (
    "Kuota kelompok di desa ini sudah penuh",
    "Usaha belum memenuhi syarat minimal lembaga",
    "Pelaku memilih program lain",
)
OUTCOMES = (
    "Usaha berjalan; omzet naik setelah pendampingan",
    "Angsuran lancar, modal dipakai untuk bahan baku",
    "Produk sudah dijual daring",
)


def _at(day: date) -> datetime:
    return datetime.combine(day, time(10), tzinfo=timezone.get_current_timezone())


def ensure_partners() -> int:
    """Map the planned partners that are not there yet, by the demo login that maps each."""
    existing = set(Partner.objects.values_list("name", flat=True))
    users = User.objects.in_bulk({p.mapped_by for p in PARTNERS}, field_name="username")
    created = 0
    for plan in PARTNERS:
        if plan.name in existing:
            continue
        user = users[plan.mapped_by]
        region = Region.objects.get(pk=plan.region) if plan.region else None
        partner = services.map_partner(
            user=user,
            data=services.PartnerData(
                name=plan.name, kind=plan.kind, region=region, website=plan.website
            ),
        )
        if plan.agreement:
            kind, number, signed = plan.agreement
            services.record_agreement(
                user=user,
                partner=partner,
                data=services.AgreementData(
                    kind=kind,
                    number=number,
                    parties=f"Kementerian PPPA / Dinas PPPA dan {plan.name}",
                    signed_on=signed,
                    starts_on=signed,
                    ends_on=date(signed.year + 5, signed.month, signed.day),
                ),
            )
        for offer in plan.offers:
            services.publish_offer(
                user=user,
                partner=partner,
                data=services.OfferData(
                    title=offer.title,
                    category=offer.category,
                    description=offer.description,
                    levels=offer.levels,
                    sectors=offer.sectors,
                    legality_required=offer.legality_required,
                    legality_missing=offer.legality_missing,
                    min_years=offer.min_years,
                    items=offer.items,
                    starts_on=date(2017, 1, 1),
                ),
            )
        created += 1
    return created


def ensure_partner_login() -> int:
    """The partner login `mitra-mekaar`: PNM Mekaar staff who also manages its webhooks."""
    if User.objects.filter(username=PARTNER_LOGIN).exists():
        return 0
    admin = User.objects.get(username="admin")
    staff = save_user(
        by=admin,
        user=None,
        username=PARTNER_LOGIN,
        first_name="Mira",
        last_name="(PNM Mekaar)",
        email="",
        is_active=True,
        password=PASSWORD,
        memberships=[],
    )
    services.add_partner_staff(
        user=admin,
        partner=Partner.objects.get(name="PNM Mekaar"),
        staff=staff,
        manages_webhooks=True,
    )
    return 1


def ensure_referrals(*, per_year: int, seed: int) -> int:
    """Referrals of 2017-2019, made once: each year some consenting actors of the model
    regions are matched on a day of that year and referred to their best offer by their
    facilitator (or the national admin); the partner side answers at later dates."""
    if Referral.objects.exists():
        return 0
    rng = random.Random(seed)
    admin = User.objects.get(username="admin")
    mekaar_staff = User.objects.get(username=PARTNER_LOGIN)
    pool = list(
        Actor.objects.filter(consent_partners=True).select_related("facilitator").order_by("pk")
    )
    made = 0
    for year in (2017, 2018, 2019):
        chosen = sorted(rng.sample(pool, min(per_year, len(pool))), key=lambda a: a.pk)
        day = date(year, 3, 1)
        matcher = Matcher(offers_on(Offer.objects.all(), day))
        for actor, facts in zip(chosen, facts_of(chosen, day), strict=True):
            found = matcher.match(facts, limit=1)
            if not found:
                continue
            offer = Offer.objects.get(pk=found[0].offer)
            if services.open_referral(actor, offer) is not None:
                continue
            when = day + timedelta(days=rng.randrange(0, 240))
            referrer = actor.facilitator or admin
            referral = services.propose_referral(
                user=referrer, actor=actor, offer=offer, at=_at(when)
            )
            made += 1
            _follow_up(referral, referrer, admin, mekaar_staff, when, rng)
    return made


def _follow_up(
    referral: Referral,
    referrer: User,
    admin: User,
    mekaar_staff: User,
    day: date,
    rng: random.Random,
) -> None:
    """Send it, and let the partner's side answer it as partners do."""
    if rng.random() < 0.08:
        services.move_referral(
            user=referrer, referral=referral,
            step=Step("withdrawn", reason="Pelaku pindah domisili"), at=_at(day + timedelta(3)),
        )  # fmt: skip
        return
    sent = day + timedelta(days=rng.randrange(0, 5))
    services.move_referral(user=referrer, referral=referral, step=Step("sent"), at=_at(sent))
    partner_side = mekaar_staff if referral.partner.name == "PNM Mekaar" else admin
    draw = rng.random()
    if draw >= ACCEPTED + DECLINED:
        return  # not answered yet
    answered = sent + timedelta(days=rng.randrange(2, 21))
    if draw >= ACCEPTED:
        services.move_referral(
            user=partner_side, referral=referral,
            step=Step("declined", reason=rng.choice(DECLINE_REASONS)), at=_at(answered),
        )  # fmt: skip
        return
    services.move_referral(user=partner_side, referral=referral, step=Step("accepted"),
                           at=_at(answered))  # fmt: skip
    if rng.random() >= SERVED:
        return
    served = answered + timedelta(days=rng.randrange(3, 40))
    credit = referral.terms.get("category") == C.CAPITAL
    services.move_referral(
        user=partner_side, referral=referral,
        step=Step("served", date=served,
                  amount=rng.randrange(10, 60) * 100_000 if credit else None),
        at=_at(served),
    )  # fmt: skip
    if rng.random() < COMPLETED:
        services.move_referral(
            user=partner_side, referral=referral,
            step=Step("completed", reason=rng.choice(OUTCOMES)),
            at=_at(served + timedelta(days=rng.randrange(30, 120))),
        )  # fmt: skip
