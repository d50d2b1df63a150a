from django.apps import AppConfig


class PepsConfig(AppConfig):
    name = "virtualschool.peps"
    label = "peps"
    verbose_name = "Personal Education Plans"

    def ready(self) -> None:
        from . import receivers, rules  # noqa: F401  (registers permissions and signal receivers)
