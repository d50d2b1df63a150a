"""An API client that authenticates as a given user with a bearer token, as an integration would."""

import json
from typing import Any

import pytest
from django.test import Client

from virtualschool.accounts.models import ApiToken, hash_token

BASE = "/api/v1"


def issue_token(user: Any) -> str:
    """A raw token for `user`, stored the way issue_api_token stores it (hash only)."""
    raw = ApiToken.generate_raw()
    ApiToken.objects.create(user=user, name="test integration", key_prefix=raw[:8], key_hash=hash_token(raw))
    return raw


class ApiClient:
    """Calls /api/v1/ with `Authorization: Bearer <token>` and JSON bodies."""

    def __init__(self, token: str | None) -> None:
        self.client = Client(enforce_csrf_checks=True)
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(BASE + path, params, headers=self.headers)

    def post(self, path: str, body: Any) -> Any:
        return self.client.post(BASE + path, json.dumps(body), content_type="application/json", headers=self.headers)

    def patch(self, path: str, body: Any) -> Any:
        return self.client.patch(BASE + path, json.dumps(body), content_type="application/json", headers=self.headers)


@pytest.fixture
def api_as(db: Any):
    """api_as(user) -> a client acting with that user's token."""

    def _make(user: Any) -> ApiClient:
        return ApiClient(issue_token(user))

    return _make
