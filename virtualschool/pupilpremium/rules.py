"""Who may do what with Pupil Premium Plus. Reads are scoped in selectors; these rules govern pages and writes.

- The Virtual School Head manages the budget (grant years, top-slice, term allocations, bands, the ledger).
- The Head, service manager and data specialist (the monthly budget meeting) see the budget, impact and exports.
- A Virtual School Lead or a designated teacher applies for a child they work with (the Head may too).
- Panel members decide the applications on the panels they sit on, unless connected to the child.
"""

from __future__ import annotations

from typing import Any

import rules

from virtualschool.accounts.models import Role
from virtualschool.accounts.rules import has_role, is_head
from virtualschool.children.selectors import children_visible_to

is_budget_reader = has_role(Role.VIRTUAL_SCHOOL_HEAD, Role.SERVICE_MANAGER, Role.DATA_SPECIALIST)
is_applicant_role = has_role(Role.VIRTUAL_SCHOOL_HEAD, Role.VIRTUAL_SCHOOL_LEAD, Role.DESIGNATED_TEACHER)
is_panel_organiser = has_role(Role.VIRTUAL_SCHOOL_HEAD, Role.SERVICE_MANAGER)
# People who may sit on a panel: "three members of the Virtual School" (002), or a named PP+ panel member.
PANEL_ROLES = frozenset(
    {
        Role.PANEL_MEMBER,
        Role.VIRTUAL_SCHOOL_HEAD,
        Role.VIRTUAL_SCHOOL_LEAD,
        Role.SERVICE_MANAGER,
        Role.DATA_SPECIALIST,
        Role.SEND_SPECIALIST,
    }
)
is_panel_role = has_role(*PANEL_ROLES)


@rules.predicate
def works_with_child(user: Any, child: Any) -> bool:
    if child is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return children_visible_to(user).filter(pk=child.pk).exists()


@rules.predicate
def sits_on_panel(user: Any, panel: Any) -> bool:
    if panel is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return panel.members.filter(pk=user.pk).exists()


rules.add_perm("pupilpremium.manage_budget", is_head)
rules.add_perm("pupilpremium.change_policy", is_head | has_role(Role.ADMINISTRATOR))
rules.add_perm("pupilpremium.view_budget", is_budget_reader)
rules.add_perm("pupilpremium.export", is_budget_reader)
rules.add_perm("pupilpremium.view_impact", is_budget_reader | has_role(Role.VIRTUAL_SCHOOL_LEAD))
rules.add_perm("pupilpremium.apply", is_applicant_role)
rules.add_perm("pupilpremium.apply_for_child", is_applicant_role & works_with_child)
rules.add_perm("pupilpremium.review_target", is_applicant_role & works_with_child)
rules.add_perm("pupilpremium.manage_panels", is_panel_organiser)
rules.add_perm("pupilpremium.view_panel", is_panel_organiser | sits_on_panel)
rules.add_perm("pupilpremium.vote", is_panel_role & sits_on_panel)
rules.add_perm("pupilpremium.declare_conflict", is_panel_role)
rules.add_perm("pupilpremium.view_child_tab", is_budget_reader | (is_applicant_role & works_with_child))
