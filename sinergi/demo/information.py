"""The demo's public information: a few entries of periodic information and a handful of
information requests from obviously fictional requesters (example.org), each taken through
the real services into a different state (received, in process, extended, answered in each
way, withdrawn, one past its deadline, one refusal objected to).

Like the rest of the demo it only adds what is missing: entries by title; requests only when
the demo has none yet.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.utils import timezone

from sinergi.accounts.models import User
from sinergi.information import services
from sinergi.information.choices import Category, Delivery, ObjectionReason, Outcome
from sinergi.information.models import InformationRequest, PeriodicInformation

ENTRIES = (
    services.EntryData(
        title="Profil program Industri Rumahan",
        category=Category.PROFILE,
        year=2026,
        description="Tujuan, dasar hukum (Permen PPPA No. 2/2016), tahapan dan wilayah model.",
        link="/about/",
    ),
    services.EntryData(
        title="Angka tahunan pelaku Industri Rumahan",
        category=Category.ACTIVITIES,
        year=2026,
        description="Jumlah pelaku per klaster dan kenaikan kelas, per tahun dan wilayah.",
        link="/figures/",
    ),
    services.EntryData(
        title="Laporan keuangan Kemen PPPA",
        category=Category.FINANCIAL,
        year=2025,
        description="Laporan keuangan kementerian di situs resminya.",
        link="https://www.kemenpppa.go.id/",
    ),
)


@dataclass(frozen=True)
class RequestPlan:
    name: str
    information: str
    days_ago: int
    steps: tuple[str, ...]  # "process", "extend", "granted", "partly", "refused", ...


# Received a few days ago and answered in time, but for one left past its deadline.
REQUESTS = (
    RequestPlan("Contoh Pemohon Satu", "Daftar 21 wilayah model dan tahun MoU-nya", 1, ()),
    RequestPlan("Contoh Pemohon Dua", "Jumlah pelaku IR per klaster 2019", 3, ("process",)),
    RequestPlan("Contoh Pemohon Tiga", "Laporan evaluasi model IR 2019", 8, ("process", "extend")),
    RequestPlan("Contoh Pemohon Empat", "Pedoman pendampingan IR", 4, ("process", "granted")),
    RequestPlan(
        "Contoh Pemohon Lima",
        "Data pelaku IR dengan NIK di Rembang",
        6,
        ("process", "refused", "object"),
    ),
    RequestPlan("Contoh Pemohon Enam", "Anggaran pemetaan per kab/kota", 7, ("partly",)),
    RequestPlan("Contoh Pemohon Tujuh", "Daftar koperasi binaan", 9, ("not_held",)),
    RequestPlan("Contoh Pemohon Delapan", "Notulen rapat koordinasi 2018", 2, ("withdrawn",)),
    RequestPlan("Contoh Pemohon Sembilan", "Jadwal pelatihan 2026", 30, ("process",)),  # late
)

_ANSWERS = {
    Outcome.GRANTED: ("Pedoman terlampir dalam email ini.", ""),
    Outcome.PARTLY: (
        "Anggaran total per provinsi terlampir; rincian per kegiatan dikecualikan.",
        "Pasal 17 huruf i: memorandum antarbadan publik yang belum final.",
    ),
    Outcome.REFUSED: (
        "Permohonan tidak dapat dipenuhi; data agregat tersedia di halaman angka.",
        "Pasal 17 huruf h: data pribadi pelaku (NIK) dikecualikan.",
    ),
    Outcome.NOT_HELD: ("Informasi tersebut tidak dikuasai Kemen PPPA.", ""),
}


def ensure_entries() -> int:
    admin = User.objects.get(username="admin")
    created = 0
    for data in ENTRIES:
        if not PeriodicInformation.objects.filter(title=data.title).exists():
            services.publish_entry(user=admin, data=data)
            created += 1
    return created


def _received(days_ago: int) -> datetime:
    day = timezone.localdate() - timedelta(days=days_ago)
    return timezone.make_aware(datetime.combine(day, time(9, 30)))


def ensure_requests() -> int:
    """The demo's requests, only when there are none yet."""
    if InformationRequest.objects.exists():
        return 0
    admin = User.objects.get(username="admin")
    for number, plan in enumerate(REQUESTS, start=1):
        request = services.submit_request(
            user=None,
            received_at=_received(plan.days_ago),
            data=services.RequestData(
                name=plan.name,
                email=f"pemohon{number}@example.org",
                information=plan.information,
                purpose="Contoh permohonan untuk demo",
                delivery=Delivery.EMAIL,
            ),
        )
        for step in plan.steps:
            if step == "process":
                services.start_processing(user=admin, request=request)
            elif step == "extend":
                services.extend_request(
                    user=admin, request=request, reason="Data dihimpun dari beberapa unit."
                )
            elif step == "object":
                services.file_objection(
                    user=None,
                    request=request,
                    reason=ObjectionReason.REFUSED,
                    statement="Saya hanya meminta jumlah pelaku, bukan NIK.",
                )
            elif step == "withdrawn":
                services.withdraw_request(
                    user=admin, request=request, reason="Pemohon mencabut permohonan lewat email."
                )
            else:
                answer, reason = _ANSWERS[Outcome(step)]
                services.answer_request(
                    user=admin,
                    request=request,
                    outcome=step,
                    answer=answer,
                    refusal_reason=reason,
                )
    return len(REQUESTS)
