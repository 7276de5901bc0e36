from django.apps import AppConfig


class LibConfig(AppConfig):
    name = "sinergi.lib"
    label = "lib"
