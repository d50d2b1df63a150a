"""The Django admin (/django-admin/) is for administrators only, and writes through the services like any page."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from .models import AuditEvent, SchoolClosure, SchoolTerm, ServicePolicy
from .services import (
    policy_update,
    school_closure_delete,
    school_closure_save,
    school_term_delete,
    school_term_save,
)

admin.site.site_header = "Virtual School administration"
admin.site.site_title = "Virtual School administration"
admin.site.index_title = "Accounts, schools and settings"


class AdministratorsOnly(admin.ModelAdmin):
    """Seen by active staff accounts (the services give is_staff only to administrators and superusers); what
    they may change is still decided by the `rules` permissions the services check."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        user = request.user
        return bool(user.is_active and user.is_staff)

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self.has_module_permission(request)


@admin.register(AuditEvent)
class AuditEventAdmin(AdministratorsOnly):
    """Audit rows are evidence: read them here, never change or remove them."""

    list_display = ["occurred_at", "actor_label", "action", "object_type", "object_id", "object_repr", "child_id"]
    list_filter = ["action", "object_type", ("actor", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["object_repr", "actor_label", "object_id"]
    date_hierarchy = "occurred_at"
    list_select_related = ["actor"]
    readonly_fields = (
        "occurred_at",
        "actor",
        "actor_label",
        "action",
        "object_type",
        "object_id",
        "object_repr",
        "child_id",
        "changes",
        "context",
    )
    fields = readonly_fields
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


@admin.register(ServicePolicy)
class ServicePolicyAdmin(AdministratorsOnly):
    """One row of the authority's numbers: change it, never add or delete it."""

    fields = [
        "authority_name",
        "la_code",
        "roll_duty_working_days",
        "full_time_hours_school_age",
        "full_time_hours_post16",
        "in_care_long_term_months",
        "sdq_carer_threshold",
        "sdq_school_due_months",
        "modified_at",
    ]
    readonly_fields = ["modified_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self.has_module_permission(request) and request.user.has_perm("core.change_servicepolicy")

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        # A list of one row is a detour: go straight to it.
        policy, _ = ServicePolicy.objects.get_or_create(pk=1)
        return HttpResponseRedirect(reverse("admin:core_servicepolicy_change", args=[policy.pk]))

    def save_model(self, request: HttpRequest, obj: ServicePolicy, form: Any, change: bool) -> None:
        values = {name: form.cleaned_data[name] for name in form.changed_data}
        saved = policy_update(actor=request.user, **values)
        obj.modified_at = saved.modified_at


TERM_FIELDS = ["academic_year", "term", "start_date", "end_date", "half_term_start", "half_term_end"]
CLOSURE_FIELDS = ["start_date", "end_date", "reason"]


class _CalendarAdmin(AdministratorsOnly):
    """Term dates and closure days: the school calendar every school-day deadline is computed from."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self.has_module_permission(request) and request.user.has_perm("core.change_schoolterm")

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self.has_add_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self.has_add_permission(request)

    # Bulk delete would bypass the services (and their audit events): delete one at a time.
    actions = None


@admin.register(SchoolTerm)
class SchoolTermAdmin(_CalendarAdmin):
    list_display = ["__str__", "start_date", "half_term_start", "half_term_end", "end_date"]
    list_filter = ["academic_year", "term"]
    fields = tuple(TERM_FIELDS)

    def save_model(self, request: HttpRequest, obj: SchoolTerm, form: Any, change: bool) -> None:
        values = {name: form.cleaned_data[name] for name in TERM_FIELDS}
        saved = school_term_save(actor=request.user, school_term=obj if change else None, **values)
        obj.pk = saved.pk

    def delete_model(self, request: HttpRequest, obj: SchoolTerm) -> None:
        school_term_delete(actor=request.user, school_term=obj)


@admin.register(SchoolClosure)
class SchoolClosureAdmin(_CalendarAdmin):
    list_display = ["reason", "start_date", "end_date"]
    fields = tuple(CLOSURE_FIELDS)

    def save_model(self, request: HttpRequest, obj: SchoolClosure, form: Any, change: bool) -> None:
        values = {name: form.cleaned_data[name] for name in CLOSURE_FIELDS}
        saved = school_closure_save(actor=request.user, closure=obj if change else None, **values)
        obj.pk = saved.pk

    def delete_model(self, request: HttpRequest, obj: SchoolClosure) -> None:
        school_closure_delete(actor=request.user, closure=obj)
