from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    """Subscribes the consent history to the registry's consent announcements and the actor
    exports to the consent rule, at start-up."""

    name = "sinergi.privacy"
    label = "privacy"

    def ready(self) -> None:
        from sinergi.privacy import events

        events.subscribe()
