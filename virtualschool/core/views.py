from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.db import connection
from django.db.utils import DatabaseError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from . import notifications


@login_not_required
@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database answers, 503 when it does not (for load balancers and monitoring)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        return JsonResponse(
            {"status": "unavailable", "database": "unreachable", "error": type(exc).__name__}, status=503
        )
    return JsonResponse({"status": "ok", "database": "reachable"})


@login_not_required
@require_GET
def accessibility_statement(request: HttpRequest) -> HttpResponse:
    """How accessible the service is and how to report a problem (public: people need it before signing in)."""
    return render(request, "core/accessibility.html")


@login_not_required
@require_GET
def privacy_notice(request: HttpRequest) -> HttpResponse:
    """What the service records about children and staff, and why (public)."""
    return render(request, "core/privacy.html")


@require_http_methods(["GET", "POST"])
def notification_list(request: HttpRequest) -> HttpResponse:
    """The signed-in person's notifications, newest first; POST marks them read."""
    if request.method == "POST":
        ids = [int(v) for v in request.POST.getlist("notification") if v.isdigit()]
        if not ids and not request.POST.get("all"):
            messages.error(request, "Select the notifications to mark as read, or choose Mark all as read.")
            return redirect("notifications")
        changed = notifications.mark_read(request.user, None if request.POST.get("all") else ids)
        messages.success(request, f"{changed} notification{'s' if changed != 1 else ''} marked as read.")
        return redirect("notifications")
    page = Paginator(notifications.notifications_for(request.user), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "core/notifications.html",
        {"page_obj": page, "unread": notifications.unread_count(request.user)},
    )
