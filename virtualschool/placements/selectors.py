"""Reads of placements, and of the roll with where each child learns, scoped to the user."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.expressions import OrderBy
from django.utils import timezone

from virtualschool.children.models import Child, SenStatus
from virtualschool.children.selectors import children_visible_to, current_legal_status_subquery
from virtualschool.core.calendar import academic_year_start

from .models import EducationPlacement


def placements_visible_to(user: Any) -> QuerySet[EducationPlacement]:
    """Placements of the children `user` may see."""
    return EducationPlacement.objects.filter(child__in=children_visible_to(user))


def placement_get(*, user: Any, pk: int) -> EducationPlacement:
    """One placement `user` may see; EducationPlacement.DoesNotExist otherwise (callers answer 404)."""
    return placements_visible_to(user).select_related("child", "school", "designated_teacher").get(pk=pk)


def placements_for_child(*, child: Child, user: Any) -> QuerySet[EducationPlacement]:
    """A child's placements, current first, if `user` may see the child."""
    return (
        placements_visible_to(user)
        .filter(child=child)
        .select_related("school", "designated_teacher")
        .order_by("-start_date")
    )


def current_placement_q(on: dt.date, prefix: str = "") -> Q:
    return Q(**{f"{prefix}start_date__lte": on}) & (
        Q(**{f"{prefix}end_date__isnull": True}) | Q(**{f"{prefix}end_date__gte": on})
    )


def current_placements_prefetch(on: dt.date) -> Prefetch:
    """Attach `current_placements` (a list of 0 or 1) to each child."""
    return Prefetch(
        "education_placements",
        queryset=EducationPlacement.objects.filter(current_placement_q(on))
        .select_related("school", "designated_teacher")
        .order_by("-start_date"),
        to_attr="current_placements",
    )


def dob_range_for_year_group(year_group: int, on: dt.date) -> tuple[dt.date, dt.date]:
    """Birth dates of the national curriculum year `year_group` in the academic year containing `on`."""
    born_from_year = academic_year_start(on) - year_group - 5
    return dt.date(born_from_year, 9, 1), dt.date(born_from_year + 1, 8, 31)


@dataclass(frozen=True)
class RollFilters:
    """What a roll or caseload list can be narrowed by."""

    query: str = ""
    lead_id: int | None = None
    school_id: int | None = None
    year_group: int | None = None
    legal_status: str = ""
    in_area: bool | None = None
    send: str = ""  # "", "any", "K" or "E"
    cohort: str = ""
    status: str = "open"  # "open", "closed" or "all"
    upn_needs_correction: bool | None = None


def roll_search(*, user: Any, filters: RollFilters, home_la_code: str, on: dt.date | None = None) -> QuerySet[Child]:
    """The roll as `user` may see it, filtered, with current placement and legal status attached.

    The number of queries does not grow with the number of children (one for children, one for placements).
    """
    on = on or timezone.localdate()
    qs = children_visible_to(user)
    if filters.status == "open":
        qs = qs.filter(closed_on__isnull=True)
    elif filters.status == "closed":
        qs = qs.filter(closed_on__isnull=False)
    if filters.query:
        text = filters.query.strip()
        words = text.split()
        name_q = Q()
        for word in words:
            name_q &= Q(first_name__icontains=word) | Q(last_name__icontains=word) | Q(preferred_name__icontains=word)
        qs = qs.filter(name_q | Q(upn=text.replace(" ", "").upper()) | Q(social_care_reference__iexact=text))
    if filters.lead_id:
        qs = qs.filter(allocated_lead_id=filters.lead_id)
    if filters.year_group is not None:
        born_from, born_to = dob_range_for_year_group(filters.year_group, on)
        qs = qs.filter(date_of_birth__range=(born_from, born_to))
    if filters.send == "any":
        qs = qs.exclude(sen_status=SenStatus.NONE)
    elif filters.send in {SenStatus.SEN_SUPPORT, SenStatus.EHCP, SenStatus.NONE}:
        qs = qs.filter(sen_status=filters.send)
    if filters.cohort:
        qs = qs.filter(cohort=filters.cohort)
    if filters.upn_needs_correction is not None:
        qs = qs.filter(upn_needs_correction=filters.upn_needs_correction)
    qs = qs.annotate(current_legal_status=current_legal_status_subquery())
    if filters.legal_status:
        qs = qs.filter(current_legal_status=filters.legal_status)
    current = EducationPlacement.objects.filter(current_placement_q(on), child=OuterRef("pk"))
    if filters.school_id:
        qs = qs.filter(Exists(current.filter(school_id=filters.school_id)))
    if filters.in_area is True:
        qs = qs.filter(Exists(current.filter(school__la_code=home_la_code)))
    elif filters.in_area is False:
        qs = qs.exclude(Exists(current.filter(school__la_code=home_la_code)))
    return qs.select_related("allocated_lead", "social_worker").prefetch_related(current_placements_prefetch(on))


def children_at_school(*, user: Any, school_id: int, on: dt.date | None = None) -> QuerySet[Child]:
    """Children `user` may see whose current placement is at the school."""
    return roll_search(user=user, filters=RollFilters(school_id=school_id), home_la_code="", on=on)


def children_missing_education(*, user: Any, on: dt.date | None = None) -> list[tuple[Child, int]]:
    """School-age children on the roll with no current placement, and for how many days."""
    on = on or timezone.localdate()
    visible = children_visible_to(user).filter(closed_on__isnull=True)
    current = EducationPlacement.objects.filter(current_placement_q(on), child=OuterRef("pk")).exclude(
        setting_type="none"
    )
    candidates = (
        visible.exclude(Exists(current))
        .select_related("allocated_lead")
        .prefetch_related(
            Prefetch(
                "education_placements",
                queryset=EducationPlacement.objects.order_by("-start_date"),
                to_attr="all_placements",
            )
        )
    )
    result: list[tuple[Child, int]] = []
    for child in candidates:
        if not child.is_school_age(on):
            continue
        result.append((child, days_without_education(child, child.all_placements, on)))
    return result


def days_without_education(child: Child, placements: list[EducationPlacement], on: dt.date) -> int:
    """Days since the last placement ended (or since the child joined the roll, or entered care)."""
    ended = [p.end_date for p in placements if p.end_date and p.end_date < on]
    since = max(ended) if ended else (child.added_to_roll_on or child.period_of_care_start or on)
    return max((on - since).days, 0)


# The columns the roll may be sorted by (a whitelist: nothing from the query string reaches order_by unchecked).
ROLL_SORTS: dict[str, tuple[str, ...]] = {
    "name": ("last_name", "first_name", "pk"),
    "ref": ("social_care_reference", "pk"),
    # An older child is in a higher year group, so year order is date-of-birth order reversed.
    "year": ("-date_of_birth", "last_name", "first_name", "pk"),
    "school": ("current_school_name", "last_name", "first_name", "pk"),
    "legal_status": ("current_legal_status", "last_name", "first_name", "pk"),
    "lead": ("allocated_lead__full_name", "last_name", "first_name", "pk"),
}
DEFAULT_ROLL_SORT = "name"


def roll_order(
    qs: QuerySet[Child], *, sort: str, descending: bool = False, on: dt.date | None = None
) -> QuerySet[Child]:
    """The roll in a whitelisted order (unknown keys sort by name); blanks always come last."""
    on = on or timezone.localdate()
    if sort not in ROLL_SORTS:
        sort = DEFAULT_ROLL_SORT
    if sort == "school":
        current_school = (
            EducationPlacement.objects.filter(current_placement_q(on), child=OuterRef("pk"))
            .order_by("-start_date")
            .values("school__name")[:1]
        )
        qs = qs.annotate(current_school_name=Subquery(current_school))
    ordering: list[OrderBy] = []
    for index, name in enumerate(ROLL_SORTS[sort]):
        reverse = name.startswith("-")
        field = F(name.lstrip("-"))
        # Only the chosen column flips; the tie-breakers keep their natural order.
        if index == 0 and descending:
            reverse = not reverse
        ordering.append(field.desc(nulls_last=True) if reverse else field.asc(nulls_last=True))
    return qs.order_by(*ordering)
