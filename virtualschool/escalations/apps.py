from django.apps import AppConfig


class EscalationsConfig(AppConfig):
    name = "virtualschool.escalations"
    label = "escalations"
    verbose_name = "Escalation of concerns"
