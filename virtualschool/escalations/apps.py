from django.apps import AppConfig


class EscalationsConfig(AppConfig):
    name = "virtualschool.escalations"
    label = "escalations"
    verbose_name = "Escalation of concerns"

    def ready(self) -> None:
        from virtualschool.core import extensions

        from . import rules  # noqa: F401 - registers the permissions
        from .demo import write_demo_escalations
        from .records import escalation_records

        extensions.register_child_tab(extensions.ChildTab("escalations", "Escalations", "escalations:child", order=60))
        extensions.register_demo_writer("escalations", write_demo_escalations, order=80)
        extensions.register_child_records("escalations", escalation_records, order=80)
