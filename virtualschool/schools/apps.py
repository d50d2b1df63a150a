from django.apps import AppConfig


class SchoolsConfig(AppConfig):
    name = "virtualschool.schools"
    label = "schools"
    verbose_name = "Schools"
