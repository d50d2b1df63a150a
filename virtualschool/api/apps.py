from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "virtualschool.api"
    label = "api"
    verbose_name = "JSON API"
