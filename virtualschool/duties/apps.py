from django.apps import AppConfig


class DutiesConfig(AppConfig):
    name = "virtualschool.duties"
    label = "duties"
    verbose_name = "Statutory duties"

    def ready(self) -> None:
        from virtualschool.core import extensions

        from . import rules, signals  # noqa: F401  (permissions)
        from .demo import write_demo_duties
        from .events import register_roll_sources

        register_roll_sources()
        signals.connect()
        extensions.register_child_tab(
            extensions.ChildTab("duties", "Duties", "duties:child", order=50, permission="duties.view_duties")
        )
        extensions.register_demo_writer("duties", write_demo_duties, order=900)
