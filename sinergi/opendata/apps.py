from django.apps import AppConfig


class OpendataConfig(AppConfig):
    """The open-data catalogue (Satu Data Indonesia): aggregate datasets with their metadata,
    as CSV and JSON, harvestable through DCAT and a CKAN-compatible read API."""

    name = "sinergi.opendata"
    label = "opendata"

    def ready(self) -> None:
        from sinergi.opendata import builders, freshness

        builders.register_all()
        freshness.connect()
