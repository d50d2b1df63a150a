from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "virtualschool.core"
    label = "core"
    verbose_name = "Core"
