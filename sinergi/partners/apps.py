from django.apps import AppConfig


class PartnersConfig(AppConfig):
    """Partners, their offers, matching and referrals (the programme's synergy)."""

    name = "sinergi.partners"
    label = "partners"

    def ready(self) -> None:
        from sinergi.partners import events

        events.subscribe()
