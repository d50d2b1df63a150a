from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "virtualschool.demo"
    label = "demo"
    verbose_name = "Synthetic demonstration data"
