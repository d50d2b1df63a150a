"""Signing in and out, passwords, and the home page each person starts from."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse_lazy
from django.views.decorators.http import require_GET

from virtualschool.core.selectors import policy_get
from virtualschool.placements.selectors import RollFilters, children_missing_education, roll_search

from .forms import ChangePasswordForm, NewPasswordForm, PasswordResetRequestForm, SignInForm
from .navigation import destinations_for, navigation_for


def session_minutes() -> int:
    return settings.SESSION_COOKIE_AGE // 60


class SignInView(auth_views.LoginView):
    template_name = "registration/login.html"
    form_class = SignInForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "session_minutes": session_minutes()}


class SignOutView(auth_views.LogoutView):
    """POST only (Django answers 405 to GET), so a link or an image cannot sign someone out."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().post(request, *args, **kwargs)
        messages.success(request, "You have signed out.")
        return response


class PasswordResetView(auth_views.PasswordResetView):
    form_class = PasswordResetRequestForm
    template_name = "registration/password_reset_form.html"
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"
    success_url = reverse_lazy("password_reset_done")

    @property
    def extra_email_context(self) -> dict[str, Any]:  # type: ignore[override]
        return {
            "service_name": settings.SERVICE_NAME,
            "council_name": settings.COUNCIL_NAME,
            "valid_hours": settings.PASSWORD_RESET_TIMEOUT // 3600,
        }


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "registration/password_reset_done.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "valid_hours": settings.PASSWORD_RESET_TIMEOUT // 3600}


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = NewPasswordForm
    template_name = "registration/password_reset_confirm.html"
    success_url = reverse_lazy("password_reset_complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "registration/password_reset_complete.html"


class PasswordChangeView(auth_views.PasswordChangeView):
    form_class = ChangePasswordForm
    template_name = "registration/password_change_form.html"
    success_url = reverse_lazy("password_change_done")


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "registration/password_change_done.html"


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The signed-in person's starting page: who they are, and cards for the parts of the service they use."""
    user: Any = request.user  # signed in: LoginRequiredMiddleware
    destinations = {d.key for d in destinations_for(user)}
    counts: dict[str, int] = {}
    if destinations & {"roll", "children", "caseload"}:
        home_la_code = policy_get().la_code
        # Open children the user may see: the roll, or for people outside the Virtual School their children.
        counts["roll"] = counts["children"] = roll_search(
            user=user, filters=RollFilters(), home_la_code=home_la_code
        ).count()
        if "caseload" in destinations:
            counts["caseload"] = roll_search(
                user=user, filters=RollFilters(lead_id=user.pk), home_la_code=home_la_code
            ).count()
    if "missing_education" in destinations:
        counts["missing_education"] = len(children_missing_education(user=user))
    cards = [
        {"item": item, "count": counts.get(item.key)}
        for item in navigation_for(user, request.path)
        if item.key != "home"
    ]
    return render(request, "home.html", {"cards": cards, "role_name": user.get_role_display()})
