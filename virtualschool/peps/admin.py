"""The PEP policy in the Django admin: one row of timings and thresholds, changed through its service."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from virtualschool.core.admin import AdministratorsOnly

from .models import PepPolicy
from .services import pep_policy_update, policy_get


@admin.register(PepPolicy)
class PepPolicyAdmin(AdministratorsOnly):
    """Change the numbers, never add or delete the row."""

    readonly_fields = ["modified_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self.has_module_permission(request) and request.user.has_perm("peps.change_peppolicy")

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        return HttpResponseRedirect(reverse("admin:peps_peppolicy_change", args=[policy_get().pk]))

    def save_model(self, request: HttpRequest, obj: PepPolicy, form: Any, change: bool) -> None:
        saved = pep_policy_update(actor=request.user, **{name: form.cleaned_data[name] for name in form.changed_data})
        obj.modified_at = saved.modified_at
