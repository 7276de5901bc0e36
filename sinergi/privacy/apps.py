from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    """Subscribes the consent history to the registry's consent announcements and the actor
    exports to the consent rule, at start-up."""

    name = "sinergi.privacy"
    label = "privacy"

    def ready(self) -> None:
        from sinergi.privacy import services
        from sinergi.registry.exports import export_filters
        from sinergi.registry.services import consent_listeners

        if services.on_consent not in consent_listeners:
            consent_listeners.append(services.on_consent)
        if services.without_withdrawn not in export_filters:
            export_filters.append(services.without_withdrawn)
