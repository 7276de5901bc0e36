from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "sinergi.assessments"
    label = "assessments"

    def ready(self) -> None:
        from sinergi.assessments.levels import AssessmentLevels
        from sinergi.registry.queries import level_sources

        if not any(isinstance(s, AssessmentLevels) for s in level_sources):
            level_sources.append(AssessmentLevels())
