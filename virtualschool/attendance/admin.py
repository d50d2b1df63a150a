"""The attendance policy numbers in the Django admin: one row, changed through the service (audited)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from virtualschool.core.admin import AdministratorsOnly

from .figures import policy_get
from .models import AttendancePolicy
from .services import attendance_policy_update


@admin.register(AttendancePolicy)
class AttendancePolicyAdmin(AdministratorsOnly):
    fields = [
        "alert_below_percent",
        "falling_points",
        "persistent_absence_percent",
        "severe_absence_percent",
        "missing_run_sessions",
        "minimum_possible_sessions",
        "modified_at",
    ]
    readonly_fields = ["modified_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self.has_module_permission(request) and request.user.has_perm("attendance.change_attendancepolicy")

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        return HttpResponseRedirect(reverse("admin:attendance_attendancepolicy_change", args=[policy_get().pk]))

    def save_model(self, request: HttpRequest, obj: AttendancePolicy, form: Any, change: bool) -> None:
        values = {name: form.cleaned_data[name] for name in form.changed_data}
        saved = attendance_policy_update(actor=request.user, **values)
        obj.modified_at = saved.modified_at
