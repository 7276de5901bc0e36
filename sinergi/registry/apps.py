from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "sinergi.registry"
    label = "registry"
