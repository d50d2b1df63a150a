"""Sign-in, password reset and password change forms in GOV.UK style."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import forms as auth_forms
from django.template import loader

from virtualschool.core.forms import govuk_helper, text_field

from .services import user_password_set
from .tasks import send_account_email


class SignInForm(auth_forms.AuthenticationForm):
    error_messages = {
        "invalid_login": "Enter a correct username and password. Both are case sensitive.",
        "inactive": "Your account has been closed. Ask your Virtual School administrator to reopen it.",
    }

    def __init__(self, request: Any = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = "Username"
        self.fields["username"].error_messages["required"] = "Enter your username"
        self.fields["username"].widget.attrs.update({"autocomplete": "username", "spellcheck": "false"})
        # GOV.UK advises against autofocus: it skips screen reader users past the page's heading.
        self.fields["username"].widget.attrs.pop("autofocus", None)
        self.fields["password"].error_messages["required"] = "Enter your password"
        self.helper = govuk_helper(
            "Sign in",
            text_field("username", field_width=20),
            text_field("password", field_width=20),
        )


class PasswordResetRequestForm(auth_forms.PasswordResetForm):
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        error_messages={
            "required": "Enter your email address",
            "invalid": "Enter an email address in the correct format, like name@example.gov.uk",
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = govuk_helper("Send reset link", text_field("email", field_width=30))

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        # Queued, so a known address answers as quickly as an unknown one and a slow mail server cannot
        # reveal which addresses have accounts.
        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        body = loader.render_to_string(email_template_name, context)
        send_account_email.enqueue(subject=subject, body=body, to=to_email)


class NewPasswordForm(auth_forms.SetPasswordForm):
    """Choose a new password after following a reset link."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _govuk_password_fields(self)
        self.helper = govuk_helper(
            "Save new password",
            text_field("new_password1", field_width=20),
            text_field("new_password2", field_width=20),
        )

    def save(self, commit: bool = True) -> Any:
        if not commit:
            return super().save(commit=False)
        return user_password_set(user=self.user, raw_password=self.cleaned_data["new_password1"], how="reset by email")


class ChangePasswordForm(auth_forms.PasswordChangeForm):
    """Change a password while signed in."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["old_password"].label = "Current password"
        self.fields["old_password"].error_messages["required"] = "Enter your current password"
        self.error_messages = {
            **self.error_messages,
            "password_incorrect": "Your current password is not right. Enter it again.",
        }
        _govuk_password_fields(self)
        self.helper = govuk_helper(
            "Change password",
            text_field("old_password", field_width=20),
            text_field("new_password1", field_width=20),
            text_field("new_password2", field_width=20),
        )

    def save(self, commit: bool = True) -> Any:
        if not commit:
            return super().save(commit=False)
        return user_password_set(
            user=self.user, raw_password=self.cleaned_data["new_password1"], how="changed when signed in"
        )


def _govuk_password_fields(form: auth_forms.SetPasswordForm) -> None:
    form.fields["new_password1"].label = "New password"
    form.fields["new_password1"].error_messages["required"] = "Enter a new password"
    form.fields["new_password2"].label = "Confirm new password"
    form.fields["new_password2"].error_messages["required"] = "Enter the new password again"
    form.fields["new_password2"].help_text = ""
    form.error_messages = {
        **form.error_messages,
        "password_mismatch": "The two passwords do not match. Enter the same password twice.",
    }
