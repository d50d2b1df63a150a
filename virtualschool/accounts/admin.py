"""Accounts and API tokens in the Django admin, for administrators. Writes go through accounts.services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet
from django.http import HttpRequest

from virtualschool.core.admin import AdministratorsOnly

from . import services
from .models import ApiToken, User

# Access follows each person's role (rules), not Django groups.
if admin.site.is_registered(Group):
    admin.site.unregister(Group)


class UserAdminForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["username", "full_name", "email", "phone", "role", "team", "is_active"]

    def clean_username(self) -> str:
        username = self.cleaned_data["username"].strip()
        clash = User.objects.filter(username__iexact=username).exclude(pk=self.instance.pk)
        if clash.exists():
            raise ValidationError("That username is already taken (usernames are not case sensitive here).")
        return username

    def clean_email(self) -> str:
        email = services.normalise_email(self.cleaned_data.get("email") or "")
        if not email:
            raise ValidationError("Enter an e-mail address: invitations and password resets go there.")
        if User.objects.filter(email__iexact=email).exclude(pk=self.instance.pk).exists():
            raise ValidationError("Another account already has this e-mail address.")
        return email


@admin.register(User)
class UserAdmin(AdministratorsOnly):
    """People's accounts. No password or hash is shown: people set their own from an invitation or reset link."""

    form = UserAdminForm
    list_display = ["username", "full_name", "email", "role", "team", "is_active", "last_login"]
    list_filter = ["role", "is_active"]
    search_fields = ["username", "full_name", "email", "team"]
    ordering = ["full_name"]
    readonly_fields = ["is_staff", "last_login", "date_joined"]
    fieldsets = [
        (None, {"fields": ["username", "full_name", "email", "phone"]}),
        ("Role", {"fields": ["role", "team"]}),
        ("Access", {"fields": ["is_active", "is_staff", "last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"fields": ["username", "full_name", "email", "phone", "role", "team"]})]
    actions = ["deactivate", "send_invitation"]

    def get_fieldsets(self, request: HttpRequest, obj: Model | None = None) -> Any:
        return self.add_fieldsets if obj is None else self.fieldsets

    def get_readonly_fields(self, request: HttpRequest, obj: Model | None = None) -> Any:
        # A username is what audit rows and integrations know a person by: it is chosen once.
        return self.readonly_fields if obj is None else [*self.readonly_fields, "username"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self.has_module_permission(request) and request.user.has_perm("accounts.add_user")

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self.has_module_permission(request) and request.user.has_perm("accounts.change_user")

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        # Audit rows point at accounts: close them instead.
        return False

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        data = form.cleaned_data
        actor: Any = request.user
        if not change:
            created = services.user_create(
                actor=actor,
                username=data["username"],
                email=data["email"],
                full_name=data["full_name"],
                role=data["role"],
                team=data.get("team", ""),
                phone=data.get("phone", ""),
            )
            obj.pk = created.pk
            obj._state.adding = False
            return
        values = {k: data[k] for k in form.changed_data if k in services.EDITABLE_USER_FIELDS}
        if values:
            services.user_update(actor=actor, user=obj, **values)
        if "is_active" in form.changed_data:
            if data["is_active"]:
                services.user_reactivate(actor=actor, user=obj)
            else:
                services.user_deactivate(actor=actor, user=obj)

    @admin.action(description="Deactivate the selected accounts", permissions=["change"])
    def deactivate(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        done = 0
        for user in queryset.filter(is_active=True):
            try:
                services.user_deactivate(actor=request.user, user=user)  # type: ignore[arg-type]
                done += 1
            except ValidationError as exc:
                self.message_user(request, f"{user.username}: {' '.join(exc.messages)}", messages.ERROR)
        self.message_user(request, f"{done} account(s) deactivated.", messages.SUCCESS)

    @admin.action(description="E-mail the selected people a link to choose their password", permissions=["add"])
    def send_invitation(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        base_url = request.build_absolute_uri("/")
        sent = 0
        for user in queryset:
            try:
                services.user_invite(actor=request.user, user=user, base_url=base_url)  # type: ignore[arg-type]
                sent += 1
            except ValidationError as exc:
                self.message_user(request, f"{user.username}: {' '.join(exc.messages)}", messages.ERROR)
        self.message_user(request, f"{sent} invitation(s) queued.", messages.SUCCESS)


@admin.register(ApiToken)
class ApiTokenAdmin(AdministratorsOnly):
    """Tokens come from `manage.py issue_api_token`; here they can be seen (never their hash) and revoked."""

    list_display = ["key_prefix", "user", "name", "created_at", "last_used_at", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["key_prefix", "name", "user__username"]
    list_select_related = ["user"]
    fields = ["key_prefix", "user", "name", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = fields
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_revoke_permission(self, request: HttpRequest) -> bool:
        return self.has_module_permission(request) and request.user.has_perm("accounts.add_apitoken")

    @admin.action(description="Revoke the selected tokens", permissions=["revoke"])
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        revoked = 0
        for token in queryset.filter(revoked_at__isnull=True):
            services.api_token_revoke(actor=request.user, token=token)  # type: ignore[arg-type]
            revoked += 1
        self.message_user(request, f"{revoked} token(s) revoked.", messages.SUCCESS)
