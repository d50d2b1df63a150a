"""Duty rules and the engine's settings in the Django admin, written through the services (audited)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from virtualschool.core.admin import AdministratorsOnly

from .engine import rule_status, settings_get
from .models import DutyRule, DutySettings
from .services import RULE_FIELDS, duty_rule_save, duty_settings_update


@admin.register(DutyRule)
class DutyRuleAdmin(AdministratorsOnly):
    list_display = [
        "name",
        "slug",
        "start_event",
        "duration",
        "unit",
        "owner_role",
        "met_by_event",
        "active",
        "measured",
    ]
    list_filter = ["active", "owner_role", "unit"]
    search_fields = ["name", "slug", "start_event", "met_by_event"]
    actions = None  # bulk delete would bypass the service and its audit event

    @admin.display(description="measured")
    def measured(self, obj: DutyRule) -> str:
        status = rule_status(obj)
        return "Yes" if status.measured else status.reason

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self.has_module_permission(request) and request.user.has_perm("duties.change_dutyrule")

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self.has_add_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False  # switch a rule off instead: its history stays

    def save_model(self, request: HttpRequest, obj: DutyRule, form: Any, change: bool) -> None:
        values = {name: form.cleaned_data[name] for name in form.changed_data if name in RULE_FIELDS}
        existing = DutyRule.objects.get(pk=obj.pk) if change else None
        saved = duty_rule_save(actor=request.user, rule=existing, **(values if change else {
            name: form.cleaned_data[name] for name in RULE_FIELDS if name in form.cleaned_data}))  # fmt: skip
        obj.pk = saved.pk


@admin.register(DutySettings)
class DutySettingsAdmin(AdministratorsOnly):
    fields = ["due_soon_days", "history_years", "notify_first_seen_days", "modified_at"]
    readonly_fields = ["modified_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self.has_module_permission(request) and request.user.has_perm("duties.change_dutysettings")

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        found = settings_get()
        return HttpResponseRedirect(reverse("admin:duties_dutysettings_change", args=[found.pk]))

    def save_model(self, request: HttpRequest, obj: DutySettings, form: Any, change: bool) -> None:
        saved = duty_settings_update(
            actor=request.user, **{name: form.cleaned_data[name] for name in form.changed_data}
        )
        obj.modified_at = saved.modified_at
