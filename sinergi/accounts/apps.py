from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "sinergi.accounts"
    label = "accounts"

    def ready(self) -> None:
        from sinergi.accounts.scoping import Rules
        from sinergi.lib.scope import use_rules

        use_rules(Rules())
