"""The suspension policy in the Django admin: one row of numbers, changed through the service (audited)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from virtualschool.core.admin import AdministratorsOnly

from .models import SuspensionPolicy
from .selectors import suspension_policy
from .services import suspension_policy_update


@admin.register(SuspensionPolicy)
class SuspensionPolicyAdmin(AdministratorsOnly):
    """One row: change it, never add or delete it."""

    readonly_fields = ["modified_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self.has_module_permission(request) and request.user.has_perm("suspensions.change_suspensionpolicy")

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        policy = suspension_policy()
        return HttpResponseRedirect(reverse("admin:suspensions_suspensionpolicy_change", args=[policy.pk]))

    def save_model(self, request: HttpRequest, obj: SuspensionPolicy, form: Any, change: bool) -> None:
        values = {name: form.cleaned_data[name] for name in form.changed_data}
        saved = suspension_policy_update(actor=request.user, **values)
        obj.modified_at = saved.modified_at
