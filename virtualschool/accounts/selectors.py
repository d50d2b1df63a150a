"""Reads about people and API tokens."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from .models import ApiToken, User, hash_token

# A token is at most a few dozen characters; anything much longer is not one, and is not worth hashing.
MAX_TOKEN_LENGTH = 200
# last_used_at is for spotting unused integrations, not an access log: one write a minute per token is plenty.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


def user_for_api_token(raw: str) -> User | None:
    """The active user a bearer token acts as, or None for an unknown, revoked or closed-account token."""
    # Found by its SHA-256 hash, so no string comparison leaks how much of a guess was right. Use is noted
    # (to the minute) in last_used_at: the one write this read makes, as Django's last_login does.
    if not isinstance(raw, str):
        return None
    raw = raw.strip()
    if not raw or len(raw) > MAX_TOKEN_LENGTH:
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=hash_token(raw), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def api_tokens_matching(prefix_or_username: str) -> QuerySet[ApiToken]:
    """Tokens still working whose prefix starts with `prefix_or_username`, or that belong to that username."""
    key = prefix_or_username.strip()
    if not key:
        return ApiToken.objects.none()
    match = Q(user__username=key)
    if len(key) >= 4:
        match |= Q(key_prefix__startswith=key[: ApiToken._meta.get_field("key_prefix").max_length])
    return ApiToken.objects.filter(match, revoked_at__isnull=True).select_related("user").order_by("created_at")


def api_tokens_of(*, user: Any) -> QuerySet[ApiToken]:
    """A person's tokens, newest first, working or not (never the hashes' meaning: only prefixes are shown)."""
    return ApiToken.objects.filter(user=user).order_by("-created_at")


def users_visible_to(user: Any) -> QuerySet[User]:
    """Accounts `user` may look up: every account for administrators and the Virtual School Head, else none."""
    if user is None or not user.is_authenticated or not user.has_perm("accounts.view_user"):
        return User.objects.none()
    return User.objects.all()


def user_by_username(username: str) -> User | None:
    """The account with exactly this username (for the management commands), or None."""
    return User.objects.filter(username=username.strip()).first()
