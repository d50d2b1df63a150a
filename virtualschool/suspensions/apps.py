from django.apps import AppConfig


class SuspensionsConfig(AppConfig):
    name = "virtualschool.suspensions"
    label = "suspensions"
    verbose_name = "Suspensions, permanent exclusion and reduced timetables"

    def ready(self) -> None:
        from virtualschool.core import extensions

        from . import calendar_sync, demo, duty_events, records

        extensions.register_child_tab(
            extensions.ChildTab("behaviour", "Behaviour and exclusion", "suspensions:child", order=60)
        )
        extensions.register_child_records("suspensions", records.suspensions_summary, order=30)
        extensions.register_child_records("reduced-timetables", records.timetables_summary, order=31)
        extensions.register_demo_writer("suspensions", demo.write_demo, order=40)
        duty_events.register()  # the duties engine's clocks on suspensions
        calendar_sync.connect()
