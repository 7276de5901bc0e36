"""The demo's open-data catalogue: one dataset per registered source, described as the
ministry's walidata would, recorded through the catalogue's own service. Datasets about
persons (levels, transitions, referral outcomes) are added only once the portal has
registered their builders, which read its small-cell protected figures.

Like the rest of the demo it only adds what is missing (datasets by name).
"""

from __future__ import annotations

from sinergi.opendata import sources
from sinergi.opendata.choices import Frequency
from sinergi.opendata.models import Dataset
from sinergi.opendata.services import DatasetData, save_dataset

PRODUCER = "Kementerian Pemberdayaan Perempuan dan Perlindungan Anak"
CUSTODIAN = "Pusat Data dan Informasi Kemen PPPA"
CONTACT = ("Pusat Data dan Informasi Kemen PPPA", "walidata@sinergi.example")
MODEL_REGIONS = "Kabupaten/kota model Industri Rumahan"

# slug, source, title, description, spatial, temporal, frequency, keywords
_PLANS: tuple[tuple[str, str, str, str, str, str, str, str], ...] = (
    (
        "kabupaten-kota-model-ir",
        "model_regions",
        "Kabupaten/kota model Industri Rumahan dan nota kesepahamannya",
        "Daftar kabupaten/kota yang menjalankan model pengembangan Industri Rumahan (IR) "
        "bersama Kemen PPPA: kode wilayah Kemendagri, provinsi, fase (model atau "
        "replikasi), tahun mulai dan selesai, serta nomor dan tanggal nota kesepahaman (MoU).",
        MODEL_REGIONS,
        "2016–",
        Frequency.IRREG,
        "industri rumahan, wilayah model, MoU, kabupaten, kota",
    ),
    (
        "mitra-industri-rumahan",
        "partners",
        "Mitra pengembangan Industri Rumahan menurut wilayah dan jenis",
        "Jumlah organisasi mitra (BUMN/bank, lembaga keuangan mikro, asosiasi, perguruan "
        "tinggi, perusahaan platform, dan lainnya) yang dipetakan secara nasional, per "
        "provinsi dan per kabupaten/kota, serta berapa yang memiliki perjanjian kerja sama "
        "yang berlaku. Jumlah organisasi, bukan orang.",
        "Indonesia",
        "",
        Frequency.IRREG,
        "mitra, kemitraan, industri rumahan, MoU, PKS",
    ),
    (
        "layanan-mitra-industri-rumahan",
        "offers",
        "Layanan mitra untuk Industri Rumahan menurut kategori",
        "Jumlah layanan mitra yang sedang dibuka (permodalan, pelatihan, sertifikasi, akses "
        "pasar, keterampilan digital, peralatan, pendampingan) per kategori, jumlah mitra "
        "yang menawarkannya, dan jumlah tempat yang disebutkan.",
        "Indonesia",
        "",
        Frequency.IRREG,
        "layanan, mitra, permodalan, pelatihan, industri rumahan",
    ),
    (
        "tingkat-industri-rumahan",
        "levels",
        "Jumlah pelaku Industri Rumahan menurut tingkat, wilayah dan periode",
        "Jumlah pelaku usaha IR pada tingkat IR 1 Pemula, IR 2 Berkembang dan IR 3 Maju per "
        "kabupaten/kota model dan periode pemetaan. Jumlah 1 sampai 4 ditulis “<5”; sel "
        "lain dikosongkan bila perlu agar jumlah kecil tidak dapat dihitung ulang.",
        MODEL_REGIONS,
        "2017–2019",
        Frequency.ANNUAL,
        "industri rumahan, naik kelas, tingkat, pemetaan",
    ),
    (
        "kenaikan-kelas-industri-rumahan",
        "transitions",
        "Perpindahan tingkat (naik kelas) pelaku Industri Rumahan",
        "Jumlah pelaku yang naik, tetap atau turun tingkat di antara dua periode pemetaan, "
        "per kabupaten/kota model. Jumlah 1 sampai 4 ditulis “<5”.",
        MODEL_REGIONS,
        "2017–2019",
        Frequency.ANNUAL,
        "industri rumahan, naik kelas, transisi",
    ),
    (
        "hasil-rujukan-mitra",
        "referral_outcomes",
        "Hasil rujukan pelaku Industri Rumahan ke layanan mitra",
        "Jumlah rujukan ke layanan mitra menurut kategori layanan dan hasilnya (diterima, "
        "ditolak, dilayani). Jumlah 1 sampai 4 ditulis “<5”.",
        MODEL_REGIONS,
        "2017–2019",
        Frequency.ANNUAL,
        "rujukan, mitra, layanan, industri rumahan",
    ),
)


def ensure_datasets() -> int:
    """Describe each registered source that has no dataset yet; returns how many."""
    existing = set(Dataset.objects.values_list("slug", flat=True))
    created = 0
    for slug, source, title, description, spatial, temporal, frequency, keywords in _PLANS:
        if slug in existing or not sources.is_registered(source):
            continue
        data = DatasetData(
            slug=slug,
            title=title,
            description=description,
            source=source,
            producer=PRODUCER,
            custodian=CUSTODIAN,
            contact_name=CONTACT[0],
            contact_email=CONTACT[1],
            spatial=spatial,
            temporal=temporal,
            frequency=frequency,
            keywords=keywords,
        )
        save_dataset(user=None, dataset=None, data=data)
        created += 1
    return created
