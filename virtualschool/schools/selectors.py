"""Reads of the school register. The register is public data; children at a school are scoped elsewhere."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from virtualschool.accounts.models import Role

from .models import School


def schools_visible_to(user: Any) -> QuerySet[School]:
    """Schools `user` may look up (all of the register for signed-in staff)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return School.objects.none()
    return School.objects.all()


def schools_of_staff_member(user: Any) -> QuerySet[School]:
    """The schools a designated teacher works at."""
    if user is None or not user.is_authenticated or user.role != Role.DESIGNATED_TEACHER:
        return School.objects.none()
    return School.objects.filter(staff__user=user)


def school_search(
    *, user: Any, query: str = "", la_code: str = "", in_area: bool | None = None, home_la_code: str = ""
) -> QuerySet[School]:
    """Schools matching a name, URN, DfE number or postcode."""
    qs = schools_visible_to(user)
    query = query.strip()
    if query:
        q = Q(name__icontains=query) | Q(postcode__iexact=query)
        digits = query.replace("/", "")
        if digits.isdigit():
            q |= Q(urn=int(digits))
            if len(digits) == 7:
                q |= Q(la_code=digits[:3], establishment_number=digits[3:])
        qs = qs.filter(q)
    if la_code:
        qs = qs.filter(la_code=la_code)
    if in_area is True:
        qs = qs.filter(la_code=home_la_code)
    elif in_area is False:
        qs = qs.exclude(la_code=home_la_code)
    return qs
