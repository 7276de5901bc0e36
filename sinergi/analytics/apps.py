from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    """Subscribes the pre-summed counts to the write services' announcements at start-up, so
    they change in the same transaction as the results and actors they count."""

    name = "sinergi.analytics"
    label = "analytics"

    def ready(self) -> None:
        from sinergi.analytics import events

        events.subscribe()
