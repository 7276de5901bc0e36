from django.apps import AppConfig


class CollectConfig(AppConfig):
    name = "sinergi.collect"
    label = "collect"
