"""Who may do what to a PEP (imported from PepsConfig.ready).

Reading is scoped by the children selectors: whoever may see a child may read their PEPs, so the social worker
and reviewing officer always can. Writing is by part:

- the Virtual School (head, leads, data specialist) edits every part; only the head and leads quality-assure;
- the designated teacher of the child's current school edits the school's parts (their own section, the child's
  views, the carer's part, attainment, targets and actions) and arranges the meeting; a colleague at the same
  school edits what the designated teacher delegated to them (named children and/or named parts);
- the child's social worker edits the social worker's section, the child's views and the carer's part;
- attendees and meeting notes are the Virtual School Lead's.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import rules
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils import timezone

from virtualschool.accounts.models import ROLL_EDITOR_ROLES, Role
from virtualschool.accounts.rules import has_role, is_roll_editor

from .sections import PART_LABELS, SCHOOL_PARTS

is_quality_assurer = has_role(Role.VIRTUAL_SCHOOL_HEAD, Role.VIRTUAL_SCHOOL_LEAD)


def _active(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def current_school_id(child: Any, on: dt.date | None = None) -> int | None:
    from virtualschool.placements.models import EducationPlacement

    on = on or timezone.localdate()
    placement = (
        EducationPlacement.objects.filter(child=child, start_date__lte=on)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=on))
        .order_by("-start_date")
        .values("school_id", "designated_teacher_id")
        .first()
    )
    return placement["school_id"] if placement else None


def is_childs_designated_teacher(user: Any, child: Any) -> bool:
    """The designated teacher at the child's current school (or named on their current placement)."""
    from virtualschool.placements.models import EducationPlacement
    from virtualschool.schools.models import SchoolStaff

    if not _active(user) or user.role != Role.DESIGNATED_TEACHER or child is None:
        return False
    on = timezone.localdate()
    current = EducationPlacement.objects.filter(child=child, start_date__lte=on).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=on)
    )
    if current.filter(designated_teacher=user).exists():
        return True
    school_ids = current.exclude(school=None).values("school_id")
    return SchoolStaff.objects.filter(user=user, school_id__in=school_ids, is_designated_teacher=True).exists()


def delegated_parts(user: Any, child: Any) -> set[str]:
    """The school parts of `child`'s PEP a colleague may edit by a designated teacher's delegation."""
    from .models import Delegation

    if not _active(user) or user.role != Role.DESIGNATED_TEACHER or child is None:
        return set()
    school_id = current_school_id(child)
    if school_id is None:
        return set()
    parts: set[str] = set()
    delegations = (
        Delegation.objects.filter(delegate=user, school_id=school_id, revoked_on__isnull=True)
        .filter(delegate__school_roles__school_id=school_id)
        .prefetch_related("children")
    )
    for delegation in delegations:
        named = {c.pk for c in delegation.children.all()}
        if named and child.pk not in named:
            continue
        parts.update(delegation.parts or SCHOOL_PARTS)
    return parts


def is_childs_social_worker(user: Any, child: Any) -> bool:
    return bool(
        _active(user) and user.role == Role.SOCIAL_WORKER and child is not None and child.social_worker_id == user.pk
    )


def editable_parts(user: Any, pep: Any) -> set[str]:
    """Every part of `pep` the user may change now (none once it is approved and locked)."""
    if not _active(user) or pep is None:
        return set()
    child = pep.child
    if user.role in ROLL_EDITOR_ROLES:
        return set(PART_LABELS)
    # Each relation below implies the user may see the child (a current placement at their school, their
    # delegation at the child's current school, or their allocation), so no separate scope query is needed.
    parts: set[str] = set()
    if is_childs_designated_teacher(user, child):
        parts.update(SCHOOL_PARTS)
        parts.add("meeting")
    else:
        parts.update(delegated_parts(user, child))
    if is_childs_social_worker(user, child):
        parts.update({"social_worker", "child_voice", "carer"})
    return parts


def require_part(user: Any, pep: Any, part: str) -> None:
    if part not in editable_parts(user, pep):
        label = PART_LABELS.get(part, part).lower()
        raise PermissionDenied(f"You do not have permission to change the {label} of this PEP.")


@rules.predicate
def can_write_pep(user: Any, obj: Any) -> bool:
    """Someone with a part to play: may open a PEP's forms (obj a Pep or a Child)."""
    if obj is None:
        return False
    child = getattr(obj, "child", obj)
    if _active(user) and user.role in ROLL_EDITOR_ROLES:
        return True
    return (
        is_childs_designated_teacher(user, child)
        or bool(delegated_parts(user, child))
        or is_childs_social_worker(user, child)
    )


@rules.predicate
def can_create_pep(user: Any, child: Any) -> bool:
    return bool(is_roll_editor(user) or is_childs_designated_teacher(user, child))


@rules.predicate
def can_submit_pep(user: Any, pep: Any) -> bool:
    return bool(pep is not None and (is_roll_editor(user) or is_childs_designated_teacher(user, pep.child)))


@rules.predicate
def can_record_care_review(user: Any, child: Any) -> bool:
    if child is None or not _active(user):
        return False
    if is_roll_editor(user) or is_childs_social_worker(user, child):
        return True
    return bool(user.role == Role.REVIEWING_OFFICER and child.reviewing_officer_id == user.pk)


@rules.predicate
def sees_peps(user: Any, child: Any) -> bool:
    """The child tab: anyone who may see the child (the view is already scoped)."""
    return _active(user) and user.role not in {Role.PANEL_MEMBER, Role.ADMINISTRATOR}


rules.add_perm("peps.view_pep_tab", sees_peps)
rules.add_perm("peps.add_pep", can_create_pep)
rules.add_perm("peps.change_pep", can_write_pep)
rules.add_perm("peps.submit_pep", can_submit_pep)
rules.add_perm("peps.quality_assure", is_quality_assurer)
rules.add_perm("peps.decide_proposal", is_roll_editor)
rules.add_perm("peps.amend_approved", is_roll_editor)
rules.add_perm("peps.record_care_review", can_record_care_review)
rules.add_perm("peps.delegate", has_role(Role.DESIGNATED_TEACHER))
rules.add_perm("peps.view_qa_dashboard", has_role(*ROLL_EDITOR_ROLES, Role.SERVICE_MANAGER))
rules.add_perm("peps.change_peppolicy", has_role(Role.VIRTUAL_SCHOOL_HEAD, Role.ADMINISTRATOR))


def require(user: Any, permission: str, obj: Any = None) -> None:
    if not _active(user) or not user.has_perm(permission, obj):
        raise PermissionDenied(f"You do not have permission to {permission.split('.', 1)[-1].replace('_', ' ')}.")
