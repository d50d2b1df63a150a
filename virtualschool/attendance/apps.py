from django.apps import AppConfig


class AttendanceConfig(AppConfig):
    name = "virtualschool.attendance"
    label = "attendance"
    verbose_name = "Attendance marks, figures and alerts"

    def ready(self) -> None:
        from virtualschool.core.extensions import (
            ChildTab,
            register_child_records,
            register_child_tab,
            register_demo_writer,
        )

        from . import rules  # noqa: F401  (registers the permissions)
        from .demo import write_attendance_demo
        from .records import attendance_record_summary

        register_child_tab(ChildTab("attendance", "Attendance", "attendance:child", order=45))
        register_child_records("attendance", attendance_record_summary, order=10)
        register_demo_writer("attendance", write_attendance_demo, order=40)
