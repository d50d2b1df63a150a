"""Who may raise, act on and administer escalations. Reading is scoped in selectors; these rules govern writes.

- Raise a concern for a child: Virtual School staff who work with children (Head, leads, service managers, the SEND
  specialist), and the child's own social worker, reviewing officer or designated teacher.
- Act on an escalation (record contacts and the child's views, move it up, skip, resolve): the person who holds
  it, the person who raised it, the child's allocated lead, the Head and service managers.
- Edit ladders and the escalation policy: administrators and the Head.
"""

from __future__ import annotations

from typing import Any

import rules

from virtualschool.accounts.models import Role
from virtualschool.accounts.rules import has_role, is_administrator, is_head
from virtualschool.children.selectors import children_visible_to

RAISERS_ANY_CHILD = frozenset(
    {Role.VIRTUAL_SCHOOL_HEAD, Role.VIRTUAL_SCHOOL_LEAD, Role.SERVICE_MANAGER, Role.SEND_SPECIALIST}
)
RAISERS_OWN_CHILD = frozenset({Role.SOCIAL_WORKER, Role.REVIEWING_OFFICER, Role.DESIGNATED_TEACHER})

is_manager = has_role(Role.SERVICE_MANAGER)


def _active(user: Any) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


@rules.predicate
def may_raise_for_child(user: Any, child: Any) -> bool:
    if not _active(user) or user.role not in RAISERS_ANY_CHILD | RAISERS_OWN_CHILD:
        return False
    if child is None:  # "may this person raise concerns at all?" (the button on the list page)
        return True
    return children_visible_to(user).filter(pk=child.pk).exists()


@rules.predicate
def works_on_escalation(user: Any, escalation: Any) -> bool:
    if not _active(user) or escalation is None:
        return False
    if user.role in (Role.VIRTUAL_SCHOOL_HEAD, Role.SERVICE_MANAGER):
        return True
    if user.pk in (escalation.holder_id, escalation.raised_by_id):
        return children_visible_to(user).filter(pk=escalation.child_id).exists()
    return user.role == Role.VIRTUAL_SCHOOL_LEAD and escalation.child.allocated_lead_id == user.pk


rules.add_perm("escalations.add_escalation", may_raise_for_child)
rules.add_perm("escalations.change_escalation", works_on_escalation)
rules.add_perm("escalations.change_ladder", is_administrator | is_head)
rules.add_perm("escalations.change_escalationpolicy", is_administrator | is_head)
rules.add_perm("escalations.change_notificationpreference", rules.is_authenticated & rules.is_active)
