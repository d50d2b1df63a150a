"""Reads of the school register. The register is public data; children at a school are scoped elsewhere."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet

from virtualschool.accounts.models import Role

from .models import School, SchoolStaff


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
    *,
    user: Any,
    query: str = "",
    la_code: str = "",
    in_area: bool | None = None,
    home_la_code: str = "",
    phase: str = "",
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
    if phase:
        qs = qs.filter(phase=phase)
    return qs


def school_get(*, user: Any, pk: int) -> School:
    """One school from the register; School.DoesNotExist when not found (callers answer 404)."""
    return schools_visible_to(user).get(pk=pk)


def school_phases(*, user: Any) -> list[str]:
    """The phases of education found in the register, for filtering."""
    return list(schools_visible_to(user).exclude(phase="").order_by("phase").values_list("phase", flat=True).distinct())


def school_staff_at(*, user: Any, school: School) -> QuerySet[SchoolStaff]:
    """The staff registered at a school (designated teachers first)."""
    if not schools_visible_to(user).filter(pk=school.pk).exists():
        return SchoolStaff.objects.none()
    return (
        SchoolStaff.objects.filter(school=school, user__is_active=True)
        .select_related("user")
        .order_by("-is_designated_teacher", "user__full_name")
    )


def designated_teachers_by_school(*, user: Any, school_ids: list[int]) -> dict[int, list[Any]]:
    """Designated teachers of each school, by school id (one query)."""
    result: dict[int, list[Any]] = {}
    if not school_ids or user is None or not user.is_authenticated:
        return result
    rows = (
        SchoolStaff.objects.filter(school_id__in=school_ids, is_designated_teacher=True, user__is_active=True)
        .select_related("user")
        .order_by("user__full_name")
    )
    for row in rows:
        result.setdefault(row.school_id, []).append(row.user)
    return result


def designated_teachers(*, user: Any) -> QuerySet[Any]:
    """Active designated teachers with the schools they work at, for choosing one on a placement."""
    if user is None or not user.is_authenticated:
        return get_user_model().objects.none()
    return (
        get_user_model()
        .objects.filter(is_active=True, role=Role.DESIGNATED_TEACHER)
        .prefetch_related("school_roles__school")
        .order_by("full_name", "username")
    )


class SchoolLookupError(ValueError):
    """The text typed to find a school matched none, or more than one."""


def school_lookup(*, user: Any, text: str) -> School:
    """The one school a URN, DfE number or name identifies; SchoolLookupError says what to type instead."""
    text = (text or "").strip()
    if not text:
        raise SchoolLookupError("Enter the school's URN or name.")
    digits = text.replace("/", "").replace(" ", "")
    qs = schools_visible_to(user)
    if digits.isdigit():
        by_number = Q(urn=int(digits))
        if len(digits) == 7:
            by_number |= Q(la_code=digits[:3], establishment_number=digits[3:])
        found = list(qs.filter(by_number)[:2])
        if len(found) == 1:
            return found[0]
        if not found:
            raise SchoolLookupError(
                f"No school in the register has the URN or DfE number {text}. Check the number, or enter the name."
            )
        raise SchoolLookupError(f"{text} is the URN of one school and the DfE number of another: enter the name.")
    exact = list(qs.filter(name__iexact=text)[:2])
    if len(exact) == 1:
        return exact[0]
    matches = list(qs.filter(name__icontains=text).order_by("name")[:6])
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise SchoolLookupError(f"No school in the register is called '{text}'. Enter its URN, or part of its name.")
    examples = "; ".join(f"{s.name} ({s.urn})" for s in matches[:5])
    more = " and others" if len(matches) > 5 else ""
    raise SchoolLookupError(f"More than one school matches '{text}': {examples}{more}. Enter the URN.")


def school_names_by_id(*, ids: set[int] | list[int]) -> dict[int, str]:
    """School names by id (the register is public), for showing an audit trail."""
    return {
        pk: f"{name} ({urn})"
        for pk, name, urn in School.objects.filter(pk__in=list(ids)).values_list("pk", "name", "urn")
    }
