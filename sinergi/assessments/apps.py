from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "sinergi.assessments"
    label = "assessments"
