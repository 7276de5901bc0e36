from django.apps import AppConfig


class PortalConfig(AppConfig):
    """The public side of Sinergi: figures with small-cell protection, open data and public
    information, for anonymous visitors first."""

    name = "sinergi.portal"
    label = "portal"

    def ready(self) -> None:
        from sinergi.portal.datasets import register_sources

        register_sources()
