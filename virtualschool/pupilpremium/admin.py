"""The PP+ policy in the Django admin: one row, changed through the service (permission and audit)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from virtualschool.core.admin import AdministratorsOnly

from .models import PupilPremiumPolicy
from .services import pp_policy_update


@admin.register(PupilPremiumPolicy)
class PupilPremiumPolicyAdmin(AdministratorsOnly):
    fields = [
        "year_basis",
        "allocation_model",
        "panel_members",
        "decision_quorum",
        "decision_visible_after_days",
        "panel_interval_days",
        "modified_at",
    ]
    readonly_fields = ["modified_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self.has_module_permission(request) and request.user.has_perm("pupilpremium.change_policy")

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        policy, _ = PupilPremiumPolicy.objects.get_or_create(pk=1)
        return HttpResponseRedirect(reverse("admin:pupilpremium_pupilpremiumpolicy_change", args=[policy.pk]))

    def save_model(self, request: HttpRequest, obj: PupilPremiumPolicy, form: Any, change: bool) -> None:
        values = {name: form.cleaned_data[name] for name in form.changed_data}
        saved = pp_policy_update(actor=request.user, **values)
        obj.modified_at = saved.modified_at
