"""The school side of bulk onboarding: which URNs exist, and linking a designated teacher to their schools.

accounts.services.users_import asks for these through its SchoolLinks protocol, so that accounts imports no app
above it; the import_users command hands it SchoolStaffLinks().
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from django.db import transaction

from ..models import School, SchoolStaff
from ..services import school_staff_add, school_staff_remove


class SchoolStaffLinks:
    """SchoolStaff rows as the set of a person's school URNs. `actor` None is the system (--system)."""

    def unknown_urns(self, urns: Collection[int]) -> set[int]:
        wanted = set(urns)
        if not wanted:
            return set()
        return wanted - set(School.objects.filter(urn__in=wanted).values_list("urn", flat=True))

    def urns_of(self, user: Any) -> set[int]:
        return set(SchoolStaff.objects.filter(user=user).values_list("school__urn", flat=True))

    @transaction.atomic
    def set_urns(self, *, actor: Any, user: Any, urns: Collection[int]) -> None:
        """Make `user` staff at exactly these schools, recording each link added or removed."""
        wanted = set(urns)
        current = {m.school.urn: m for m in SchoolStaff.objects.filter(user=user).select_related("school")}
        for urn in sorted(set(current) - wanted):
            school_staff_remove(actor=actor, membership=current[urn])
        for school in School.objects.filter(urn__in=wanted - set(current)).order_by("urn"):
            school_staff_add(actor=actor, user=user, school=school)
