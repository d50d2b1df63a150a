"""The school register and school staff in the Django admin, for administrators. Writes go through services."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import transaction
from django.db.models import Model, QuerySet
from django.http import HttpRequest

from virtualschool.core.admin import AdministratorsOnly
from virtualschool.core.selectors import policy_get

from .models import School, SchoolStaff
from .services import EDITABLE_FIELDS, school_create, school_staff_add, school_staff_remove, school_update


class InAreaFilter(admin.SimpleListFilter):
    title = "home authority's area"
    parameter_name = "in_area"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("yes", "In area"), ("no", "Out of area")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[School]) -> QuerySet[School]:
        home = policy_get().la_code
        if self.value() == "yes":
            return queryset.filter(la_code=home)
        if self.value() == "no":
            return queryset.exclude(la_code=home)
        return queryset


@admin.register(School)
class SchoolAdmin(AdministratorsOnly):
    list_display = ["name", "urn", "dfe_number", "la_name", "phase", "type_name", "ofsted_rating", "status"]
    list_filter = [InAreaFilter, "phase", "ofsted_rating", "status"]
    search_fields = ["name", "=urn", "postcode", "la_name"]
    fields = [
        "urn",
        "name",
        "la_code",
        "la_name",
        "establishment_number",
        "dfe_number",
        "type_name",
        "phase",
        "status",
        "postcode",
        "ofsted_rating",
        "ofsted_last_inspected",
    ]
    readonly_fields = ["dfe_number"]

    @admin.display(description="DfE number")
    def dfe_number(self, obj: School) -> str:
        return obj.dfe_number

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self.has_module_permission(request) and request.user.has_perm("schools.add_school")

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self.has_module_permission(request) and request.user.has_perm("schools.change_school", obj)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        # Placements point at schools; a closed school keeps its row with status "Closed".
        return False

    def save_model(self, request: HttpRequest, obj: School, form: Any, change: bool) -> None:
        if change:
            values = {k: form.cleaned_data[k] for k in form.changed_data if k in EDITABLE_FIELDS}
            if values:
                school_update(actor=request.user, school=obj, **values)
            return
        values = {k: v for k, v in form.cleaned_data.items() if k in EDITABLE_FIELDS}
        created = school_create(actor=request.user, **values)
        obj.pk = created.pk
        obj._state.adding = False


@admin.register(SchoolStaff)
class SchoolStaffAdmin(AdministratorsOnly):
    """Who works at which school: a designated teacher sees the looked-after children placed at their schools."""

    list_display = ["user", "school", "is_designated_teacher", "created_at"]
    list_filter = ["is_designated_teacher"]
    search_fields = ["user__username", "user__full_name", "school__name", "=school__urn"]
    list_select_related = ["user", "school"]
    autocomplete_fields = ["user", "school"]
    fields = ["user", "school", "is_designated_teacher"]

    def get_readonly_fields(self, request: HttpRequest, obj: Model | None = None) -> Any:
        return [] if obj is None else self.fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self.has_module_permission(request) and request.user.has_perm("schools.add_schoolstaff")

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        # A link is added or removed, not edited.
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self.has_add_permission(request)

    def save_model(self, request: HttpRequest, obj: SchoolStaff, form: Any, change: bool) -> None:
        data = form.cleaned_data
        created = school_staff_add(
            actor=request.user,
            user=data["user"],
            school=data["school"],
            is_designated_teacher=data["is_designated_teacher"],
        )
        obj.pk = created.pk
        obj._state.adding = False

    def delete_model(self, request: HttpRequest, obj: SchoolStaff) -> None:
        school_staff_remove(actor=request.user, membership=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[SchoolStaff]) -> None:
        with transaction.atomic():
            for membership in queryset.select_related("user", "school"):
                school_staff_remove(actor=request.user, membership=membership)
