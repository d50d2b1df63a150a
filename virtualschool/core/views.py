from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.db.utils import DatabaseError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


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
