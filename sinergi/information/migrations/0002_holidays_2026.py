"""The national holidays of 2026 (SKB 3 Menteri No. 1497/2025, 2/2025, 5/2025); collective
leave days (cuti bersama) are left to the staff to add where the office is closed."""

from datetime import date

from django.db import migrations

HOLIDAYS_2026 = (
    (date(2026, 1, 1), "Tahun Baru 2026 Masehi"),
    (date(2026, 1, 16), "Isra Mikraj Nabi Muhammad SAW"),
    (date(2026, 2, 17), "Tahun Baru Imlek 2577 Kongzili"),
    (date(2026, 3, 19), "Hari Suci Nyepi (Tahun Baru Saka 1948)"),
    (date(2026, 3, 21), "Idulfitri 1447 H"),
    (date(2026, 3, 22), "Idulfitri 1447 H"),
    (date(2026, 4, 3), "Wafat Yesus Kristus"),
    (date(2026, 4, 5), "Kebangkitan Yesus Kristus (Paskah)"),
    (date(2026, 5, 1), "Hari Buruh Internasional"),
    (date(2026, 5, 14), "Kenaikan Yesus Kristus"),
    (date(2026, 5, 27), "Iduladha 1447 H"),
    (date(2026, 5, 31), "Hari Raya Waisak 2570 BE"),
    (date(2026, 6, 1), "Hari Lahir Pancasila"),
    (date(2026, 6, 16), "1 Muharam Tahun Baru Islam 1448 H"),
    (date(2026, 8, 17), "Proklamasi Kemerdekaan"),
    (date(2026, 8, 25), "Maulid Nabi Muhammad SAW"),
    (date(2026, 12, 25), "Kelahiran Yesus Kristus"),
)


def seed(apps, schema_editor):  # type: ignore[no-untyped-def]
    Holiday = apps.get_model("information", "Holiday")
    for day, name in HOLIDAYS_2026:
        Holiday.objects.get_or_create(date=day, defaults={"name": name})


class Migration(migrations.Migration):
    dependencies = [("information", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
