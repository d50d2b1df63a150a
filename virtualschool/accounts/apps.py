from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "virtualschool.accounts"
    label = "accounts"
    verbose_name = "People and access"

    def ready(self) -> None:
        from . import audit_signals  # noqa: F401  (sign-in events are only offered as signals by Django)
