"""PEP pages (filled in below)."""

from django.http import HttpRequest, HttpResponse


def due_list_page(request: HttpRequest) -> HttpResponse:
    return HttpResponse("")


def child_peps(request: HttpRequest, pk: int) -> HttpResponse:
    return HttpResponse("")
