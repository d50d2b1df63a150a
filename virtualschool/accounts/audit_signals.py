"""Sign-in and sign-out are audited. Django offers these only as signals, so this is the one place we use them."""

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from virtualschool.core import audit
from virtualschool.core.models import AuditEvent


def _ip(request: Any) -> str:
    return request.META.get("REMOTE_ADDR", "") if request is not None else ""


@receiver(user_logged_in)
def _logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    audit.record(
        actor=user,
        action=AuditEvent.Action.LOGIN,
        object_type="accounts.user",
        object_id=user.pk,
        object_repr=user.username,
        context={"ip": _ip(request)},
    )


@receiver(user_logged_out)
def _logged_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        audit.record(
            actor=user,
            action=AuditEvent.Action.LOGOUT,
            object_type="accounts.user",
            object_id=user.pk,
            object_repr=user.username,
            context={"ip": _ip(request)},
        )


@receiver(user_login_failed)
def _login_failed(sender: Any, credentials: dict, request: Any = None, **kwargs: Any) -> None:
    audit.record(
        actor=None,
        action=AuditEvent.Action.LOGIN_FAILED,
        object_type="accounts.user",
        object_repr=str(credentials.get("username", ""))[:150],
        context={"ip": _ip(request)},
    )
