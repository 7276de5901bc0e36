from django.apps import AppConfig


class PartnersConfig(AppConfig):
    """Partners, their offers, matching and referrals (the programme's synergy)."""

    name = "sinergi.partners"
    label = "partners"
