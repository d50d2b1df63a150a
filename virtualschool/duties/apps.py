from django.apps import AppConfig


class DutiesConfig(AppConfig):
    name = "virtualschool.duties"
    label = "duties"
    verbose_name = "Statutory duties, escalation and notifications"
