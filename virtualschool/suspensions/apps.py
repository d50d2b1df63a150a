from django.apps import AppConfig


class SuspensionsConfig(AppConfig):
    name = "virtualschool.suspensions"
    label = "suspensions"
    verbose_name = "Suspensions, permanent exclusion and reduced timetables"
