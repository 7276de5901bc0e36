"""What the privacy app subscribes to: the consent history follows every write of an actor's
consents, inside the writer's transaction, and actor exports leave out anyone who withdrew
her consent to the programme. The privacy app announces nothing itself."""

from __future__ import annotations


def subscribe() -> None:
    """Wired at start-up (PrivacyConfig.ready)."""
    from sinergi.privacy import services
    from sinergi.registry import events as registry

    registry.consent_written.subscribe(services.on_consent)
    if services.without_withdrawn not in registry.export_filters:
        registry.export_filters.append(services.without_withdrawn)
