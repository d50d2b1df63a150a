from django.apps import AppConfig


class AttendanceConfig(AppConfig):
    name = "virtualschool.attendance"
    label = "attendance"
    verbose_name = "Attendance marks, figures and alerts"
