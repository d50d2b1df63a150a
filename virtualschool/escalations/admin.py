"""Ladders and the escalation policy in the Django admin (administrators and the Head); every change is audited."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from virtualschool.core import audit
from virtualschool.core.admin import AdministratorsOnly

from .models import EscalationPolicy, Ladder, LadderLevel


def _audited_save(request: HttpRequest, obj: Model, change: bool) -> None:
    before = audit.snapshot(type(obj).objects.get(pk=obj.pk)) if change and obj.pk else None
    obj.save()
    if before is None:
        audit.record_create(request.user, obj)
    else:
        audit.record_update(request.user, obj, before)


class LevelInline(admin.StackedInline):
    model = LadderLevel
    extra = 0
    fields = [
        ("number", "name"),
        ("responsible", "copied"),
        ("time_amount", "time_unit"),
        ("safeguarding_time_amount", "safeguarding_time_unit"),
        "time_note",
        "actions",
        "responses",
        ("ask_child_views", "consider_reviewing_officer", "repeats"),
    ]

    # The levels are part of the ladder: whoever may change ladders may see, add, change and remove levels.
    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return request.user.has_perm("escalations.change_ladder")

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return request.user.has_perm("escalations.change_ladder")

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return request.user.has_perm("escalations.change_ladder")

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return request.user.has_perm("escalations.change_ladder")


class _LadderEditors(AdministratorsOnly):
    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self.has_module_permission(request) and request.user.has_perm("escalations.change_ladder")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self.has_change_permission(request)


@admin.register(Ladder)
class LadderAdmin(_LadderEditors):
    list_display = ["name", "slug", "failing_party", "source", "active", "may_skip"]
    list_filter = ["failing_party", "active"]
    search_fields = ["name", "slug", "source"]
    inlines = [LevelInline]
    actions = None
    fields = [
        "name",
        "slug",
        "source",
        "failing_party",
        "summary",
        "order",
        "active",
        ("may_skip", "skip_by"),
        "safeguarding_all_steps",
        "safeguarding_note",
    ]

    def get_readonly_fields(self, request: HttpRequest, obj: Ladder | None = None) -> list[str]:
        # The slug is the API's contract: fixed once a ladder exists.
        return ["slug"] if obj is not None else []

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False  # deactivate a ladder instead: escalations refer to it

    def save_model(self, request: HttpRequest, obj: Ladder, form: Any, change: bool) -> None:
        _audited_save(request, obj, change)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        for level in formset.save(commit=False):
            _audited_save(request, level, bool(level.pk))
        for level in formset.deleted_objects:
            audit.record_delete(request.user, level)
            level.delete()


@admin.register(EscalationPolicy)
class EscalationPolicyAdmin(AdministratorsOnly):
    fields = [
        "due_soon_working_days",
        "email_max_attempts",
        "email_backoff_minutes",
        "email_lease_minutes",
        "email_batch_size",
        "modified_at",
    ]
    readonly_fields = ["modified_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self.has_module_permission(request) and request.user.has_perm("escalations.change_escalationpolicy")

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        policy, _ = EscalationPolicy.objects.get_or_create(pk=1)
        return HttpResponseRedirect(reverse("admin:escalations_escalationpolicy_change", args=[policy.pk]))

    def save_model(self, request: HttpRequest, obj: EscalationPolicy, form: Any, change: bool) -> None:
        _audited_save(request, obj, change)
