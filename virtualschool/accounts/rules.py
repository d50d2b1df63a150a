"""Predicates about people, shared by every app's permission rules."""

import rules

from .models import ROLL_EDITOR_ROLES, Role


def has_role(*roles: str) -> rules.Predicate:
    wanted = frozenset(roles)

    @rules.predicate(name=f"has_role({','.join(sorted(wanted))})")
    def _pred(user) -> bool:  # type: ignore[no-untyped-def]
        return bool(user and user.is_authenticated and user.is_active and user.role in wanted)

    return _pred


is_head = has_role(Role.VIRTUAL_SCHOOL_HEAD)
is_lead = has_role(Role.VIRTUAL_SCHOOL_LEAD)
is_administrator = has_role(Role.ADMINISTRATOR)
is_roll_editor = has_role(*ROLL_EDITOR_ROLES)
is_designated_teacher = has_role(Role.DESIGNATED_TEACHER)

rules.add_perm("accounts.add_user", is_administrator)
rules.add_perm("accounts.change_user", is_administrator)
rules.add_perm("accounts.view_user", is_administrator | is_head)
rules.add_perm("accounts.add_apitoken", is_administrator)
rules.add_perm("core.change_servicepolicy", is_administrator | is_head)
rules.add_perm("core.change_schoolterm", is_administrator | is_head)
rules.add_perm("core.view_child_audit", is_head)
