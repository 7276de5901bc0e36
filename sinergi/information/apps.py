from django.apps import AppConfig


class InformationConfig(AppConfig):
    """Public information under UU KIP 14/2008: periodic information and information
    requests answered within the legal deadlines."""

    name = "sinergi.information"
    label = "information"
