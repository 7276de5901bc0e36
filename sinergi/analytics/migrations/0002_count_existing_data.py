"""Count the actors and results that exist when the analytics tables are installed."""

from django.db import migrations


def count_existing(apps, schema_editor):
    from sinergi.analytics.aggregates import rebuild

    rebuild()


class Migration(migrations.Migration):
    dependencies = [("analytics", "0001_initial")]

    operations = [migrations.RunPython(count_existing, migrations.RunPython.noop)]
