from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "sinergi.assessments"
    label = "assessments"

    def ready(self) -> None:
        from sinergi.assessments import events

        events.subscribe()
