"""The demo's newsroom (Bakohumas): four publishing organisations, their editors and
reviewers (`humas-kemenpppa`, editor of Kemen PPPA; `humas-jateng`, editor and reviewer of
the Dinas PPPA of Central Java; a reviewer for each of the others), and a dozen articles
written, reviewed and published through the newsroom's services: one republished by the
Dinas PPPA Jawa Tengah from Kemen PPPA, one joint release, one scheduled a week ahead and
one waiting for review. The texts retell public facts of the programme in our own words
and name no actor.

Like the rest of the demo it only adds what is missing: organisations by name, logins by
username; articles only when the demo has none yet."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from sinergi.accounts.models import User
from sinergi.accounts.services import save_user
from sinergi.demo.data import PASSWORD
from sinergi.newsroom import services
from sinergi.newsroom.choices import Category
from sinergi.newsroom.models import Article, Organisation
from sinergi.regions.models import Region

EDITOR_LOGIN = "humas-kemenpppa"
JATENG_LOGIN = "humas-jateng"

KEMEN = "Kemen PPPA"
JATENG = "Dinas PPPA Provinsi Jawa Tengah"
KOMINFO = "Diskominfo Provinsi Jawa Tengah"
CAMPUS = "Perguruan Tinggi Mitra IR (contoh)"

ORGANISATIONS = (
    (KEMEN, "ministry", None, "Kementerian Pemberdayaan Perempuan dan Perlindungan Anak."),
    (JATENG, "dinas_pppa", "33", "Dinas PPPA tingkat provinsi di Jawa Tengah."),
    (KOMINFO, "diskominfo", "33", "Dinas Komunikasi dan Informatika Provinsi Jawa Tengah."),
    (CAMPUS, "university", "33", "Perguruan tinggi contoh yang melatih pelaku IR (data demo)."),
)

# username, first name, organisation, role, what the login shows
LOGINS = (
    (EDITOR_LOGIN, "Humas", KEMEN, "editor", "newsroom editor of Kemen PPPA"),
    ("redaktur-kemenpppa", "Redaktur", KEMEN, "reviewer", "newsroom reviewer of Kemen PPPA"),
    (JATENG_LOGIN, "Humas", JATENG, "reviewer", "newsroom editor and reviewer, Dinas PPPA Jateng"),
    (
        "humas-diskominfo-jateng",
        "Humas",
        KOMINFO,
        "reviewer",
        "newsroom reviewer, Diskominfo Jateng",
    ),
    ("humas-kampus", "Humas", CAMPUS, "reviewer", "newsroom reviewer of the demo university"),
)


@dataclass(frozen=True)
class Story:
    organisation: str
    title: str
    lead: str
    paragraphs: tuple[str, ...]
    category: str
    regions: tuple[str, ...] = ()
    state: str = "published"  # published, scheduled or review


STORIES = (
    Story(
        KEMEN,
        "Evaluasi model Industri Rumahan: ribuan pelaku naik kelas sejak 2016",
        "Pemetaan ulang hingga akhir 2018 mencatat 547 pelaku pindah dari IR 1 ke IR 2 dan "
        "546 pelaku dari IR 2 ke IR 3.",
        (
            "Kemen PPPA bersama mitra pendamping menilai kembali pelaksanaan model "
            "pengembangan Industri Rumahan yang berjalan di daerah model sejak 2016.",
            "Perpindahan kluster menunjukkan bahwa pendampingan, pelatihan dan dukungan "
            "Dinas PPPA setempat berdampak pada skala usaha pelaku.",
        ),
        Category.NEWS,
    ),
    Story(
        KEMEN,
        "Workshop Pengembangan IR 2019 di Semarang sepakati tujuh rekomendasi",
        "Sebanyak 115 peserta dari 21 kabupaten/kota model dan Dinas PPPA provinsi menyusun "
        "langkah replikasi model IR.",
        (
            "Peserta menekankan komitmen, koordinasi dan sinergi antara provinsi dan "
            "kabupaten/kota sebagai kunci replikasi.",
            "Rekomendasi juga meminta mekanisme monitoring dan evaluasi, instrumen evaluasi "
            "dampak, serta penguatan tim pelaksana dan pendamping.",
        ),
        Category.PRESS_RELEASE,
        ("33",),
    ),
    Story(
        KEMEN,
        "Enam mitra siap bersinergi mengembangkan Industri Rumahan",
        "Lembaga keuangan, asosiasi, perguruan tinggi, platform digital dan operator "
        "telekomunikasi membuka peluang kolaborasi bagi daerah model.",
        (
            "Mitra yang hadir antara lain PNM Mekaar, IWAPI, Rumah Kreatif BUMN Bank Mandiri, "
            "APTIKOM, Gojek dan XL Axiata.",
            "Ke depan fasilitasi bagi daerah lebih banyak berupa pendampingan untuk membangun "
            "kolaborasi daripada bantuan alat.",
        ),
        Category.NEWS,
    ),
    Story(
        KEMEN,
        "Legalitas usaha pelaku IR: P-IRT, IUMK dan surat keterangan usaha",
        "Hingga akhir masa uji coba tercatat 514 pelaku dengan P-IRT, 275 dengan IUMK dan 253 "
        "dengan surat keterangan usaha dari desa.",
        (
            "Pendamping membantu pelaku menyiapkan berkas dan mengurus izin produksi pangan "
            "industri rumah tangga.",
            "Legalitas membuka akses ke pasar modern, pembiayaan dan kemitraan.",
        ),
        Category.GOOD_PRACTICE,
    ),
    Story(
        KEMEN,
        "Pengumuman: pemetaan ulang pelaku IR periode berikutnya",
        "Dinas PPPA kabupaten/kota model diminta menyiapkan jadwal pemetaan ulang bersama "
        "para pendamping.",
        ("Pemetaan memakai instrumen berversi sehingga hasil antarperiode dapat dibandingkan.",),
        Category.ANNOUNCEMENT,
    ),
    Story(
        KEMEN,
        "Agenda: rapat koordinasi replikasi model IR tingkat nasional",
        "Kemen PPPA mengundang Dinas PPPA provinsi membahas rencana prioritas replikasi.",
        ("Rapat membahas pembagian peran pusat, provinsi dan kabupaten/kota.",),
        Category.AGENDA,
        state="scheduled",
    ),
    Story(
        KEMEN,
        "Panduan pendampingan lima layanan IR sedang disusun",
        "Rancangan panduan memuat informasi sumber daya produktif, pelatihan, sarana, "
        "pendampingan dan pemasaran.",
        ("Naskah menunggu telaah redaktur sebelum terbit.",),
        Category.NEWS,
        state="review",
    ),
    Story(
        JATENG,
        "Rembang dan Kendal lanjutkan model IR dengan anggaran daerah",
        "Setelah tiga tahun pendampingan pusat, dua kabupaten model di Jawa Tengah "
        "mereplikasi model IR ke desa lain.",
        (
            "Tim pelaksana kabupaten memetakan desa baru dan menyiapkan pendamping lokal.",
            "Dinas PPPA provinsi memantau kemajuan dan menghubungkan daerah dengan mitra.",
        ),
        Category.NEWS,
        ("33.17", "33.24"),
    ),
    Story(
        JATENG,
        "Praktik baik Wonosobo: pembukuan sederhana untuk usaha rumahan",
        "Kelompok pelaku IR belajar memisahkan uang usaha dan uang rumah tangga.",
        (
            "Pendamping memakai buku kas sederhana yang diisi setiap hari.",
            "Catatan keuangan memudahkan pelaku mengajukan pembiayaan kelompok.",
        ),
        Category.GOOD_PRACTICE,
        ("33.07",),
    ),
    Story(
        JATENG,
        "Pendaftaran pelatihan pemasaran digital bagi pelaku IR dibuka",
        "Pelaku IR di kabupaten/kota model Jawa Tengah dapat mendaftar melalui Dinas PPPA "
        "setempat.",
        ("Kuota terbatas; pendamping membantu pendaftaran kelompok.",),
        Category.ANNOUNCEMENT,
        ("33",),
    ),
    Story(
        KOMINFO,
        "Pelaku IR belajar memasarkan produk lewat lokapasar",
        "Diskominfo dan Dinas PPPA Jawa Tengah melatih pelaku memotret produk dan menulis "
        "deskripsi yang menarik.",
        ("Peserta praktik langsung membuka toko daring dan mengunggah produk pertama.",),
        Category.NEWS,
        ("33",),
    ),
    Story(
        CAMPUS,
        "Kelas literasi TIK untuk pelaku IR di Kendal",
        "Mahasiswa dan dosen mendampingi pelaku memakai ponsel untuk mencatat pesanan.",
        ("Kelas diadakan di balai desa dan diikuti kelompok pelaku IR.",),
        Category.GOOD_PRACTICE,
        ("33.24",),
    ),
)


def ensure_organisations() -> int:
    admin = User.objects.get(username="admin")
    created = 0
    for name, kind, region, description in ORGANISATIONS:
        if Organisation.objects.filter(name=name).exists():
            continue
        services.create_organisation(
            user=admin,
            name=name,
            kind=kind,
            region=Region.objects.get(code=region) if region else None,
            description=description,
        )
        created += 1
    return created


def ensure_logins() -> int:
    admin = User.objects.get(username="admin")
    created = 0
    for username, first_name, organisation, role, _shows in LOGINS:
        if User.objects.filter(username=username).exists():
            continue
        member = save_user(
            by=admin,
            user=None,
            username=username,
            first_name=first_name,
            last_name=f"({organisation})",
            email="",
            is_active=True,
            password=PASSWORD,
            memberships=[],
        )
        services.add_member(
            user=admin,
            organisation=Organisation.objects.get(name=organisation),
            member=member,
            role=role,
        )
        created += 1
    return created


def _reviewer_of(organisation: Organisation) -> User:
    return organisation.members.filter(role="reviewer").select_related("user").first().user  # type: ignore[union-attr]


def _tell(story: Story, organisation: Organisation) -> Article:
    """Written by the organisation's first member (the editor), sent for review, and
    published or scheduled by its reviewer."""
    writer = organisation.members.order_by("role", "pk").first().user  # type: ignore[union-attr]
    article = services.write_article(
        user=writer,
        organisation=organisation,
        data=services.ArticleData(
            title=story.title,
            lead=story.lead,
            body="".join(f"<p>{p}</p>" for p in story.paragraphs),
            category=story.category,
            regions=tuple(Region.objects.filter(code__in=story.regions)),
        ),
    )
    services.submit_for_review(user=writer, article=article)
    if story.state == "review":
        return article
    publish_at = timezone.now() + timedelta(days=7) if story.state == "scheduled" else None
    return services.publish_article(
        user=_reviewer_of(organisation), article=article, publish_at=publish_at
    )


def ensure_articles() -> int:
    """The stories, then a republication and a joint release between them."""
    if Article.objects.exists():
        return 0
    orgs = {o.name: o for o in Organisation.objects.all()}
    told = {story.title: _tell(story, orgs[story.organisation]) for story in STORIES}
    jateng = orgs[JATENG]
    services.republish_article(
        user=_reviewer_of(jateng), original=told[STORIES[1].title], organisation=jateng
    )
    kominfo_story = next(s for s in STORIES if s.organisation == KOMINFO)
    joint = services.propose_joint_release(
        user=_reviewer_of(orgs[KOMINFO]), article=told[kominfo_story.title], organisation=jateng
    )
    services.accept_joint_release(user=_reviewer_of(jateng), joint=joint)
    return len(told) + 1
