"""Bearer-token authentication: an integration acts with the rights of the user its token was issued to."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer

from virtualschool.accounts.selectors import user_for_api_token


class ApiRequest(HttpRequest):
    """A request that passed BearerToken: `auth` is the token's user, who every read and write acts as."""

    auth: Any


class BearerToken(HttpBearer):
    """`Authorization: Bearer <token>`; a revoked token or an inactive user is refused.

    Session cookies are never consulted, so a browser session cannot be used to write without CSRF protection.
    """

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        token = token.strip()
        if not token:
            return None
        user = user_for_api_token(token)
        if user is None or not user.is_active:
            return None
        return user
