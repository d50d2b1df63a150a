"""Permission checks used by services: a refusal is an exception, never a silent no-op."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied


def require(actor: Any, permission: str, obj: Any = None) -> None:
    """Stop unless `actor` has `permission` (a `rules` permission name) on `obj`."""
    if actor is None or not getattr(actor, "is_active", False) or not actor.has_perm(permission, obj):
        raise PermissionDenied(f"You do not have permission to {permission.split('.', 1)[-1].replace('_', ' ')}.")


def require_unless_system(actor: Any, permission: str, obj: Any = None) -> None:
    """As `require`, but `actor` None is the system itself: a management command run with --system by
    someone trusted at the server's shell. Views and the API always pass a real user."""
    if actor is not None:
        require(actor, permission, obj)
