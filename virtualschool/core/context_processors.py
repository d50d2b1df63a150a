from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from . import notifications


def service(request: HttpRequest) -> dict[str, object]:
    return {
        "service_name": settings.SERVICE_NAME,
        "council_name": settings.COUNCIL_NAME,
        "service_phase": settings.SERVICE_PHASE,
        # Counted only when a page shows it.
        "unread_notifications": SimpleLazyObject(lambda: notifications.unread_count(getattr(request, "user", None))),
    }
