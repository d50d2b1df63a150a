"""Helpers for reads through the API: who looked is recorded for every child a response shows."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import models
from django.http import HttpRequest
from ninja.pagination import LimitOffsetPagination

from virtualschool.core import audit

VIA_API = {"via": "api"}


def record_list_view(actor: Any, rows: Iterable[models.Model], *, child_of: str | None = None) -> None:
    """One VIEW audit event per row a list response shows, written in one statement."""
    audit.record_views(actor, rows, child_of=child_of, context={**VIA_API, "list": True})


class AuditedChildPagination(LimitOffsetPagination):
    """limit/offset pagination that records a VIEW of each child on the page returned."""

    child_of: str | None = None

    def paginate_queryset(self, queryset: Any, pagination: Any, request: HttpRequest, **params: Any) -> Any:
        page = super().paginate_queryset(queryset, pagination, request, **params)
        items = list(page[self.items_attribute])
        record_list_view(request.auth, items, child_of=self.child_of)  # type: ignore[attr-defined]
        page[self.items_attribute] = items
        return page


class AuditedPlacementPagination(AuditedChildPagination):
    """The same, for placements: each event names the placement's child."""

    child_of = "child_id"
