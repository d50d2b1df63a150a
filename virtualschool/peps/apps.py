from django.apps import AppConfig


class PepsConfig(AppConfig):
    name = "virtualschool.peps"
    label = "peps"
    verbose_name = "Personal Education Plans"

    def ready(self) -> None:
        from virtualschool.core import extensions

        from . import duty_events, funding, receivers, rules  # noqa: F401  (registers permissions and signal receivers)
        from .demo import write_demo

        extensions.register_child_tab(
            extensions.ChildTab("peps", "PEPs", "peps:child", order=50, permission="peps.view_pep_tab")
        )
        extensions.register_demo_writer("peps", write_demo, order=50)
        duty_events.register()
        funding.connect()  # no PEP, no premium
