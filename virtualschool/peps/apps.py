from django.apps import AppConfig


class PepsConfig(AppConfig):
    name = "virtualschool.peps"
    label = "peps"
    verbose_name = "Personal Education Plans"
