"""Who may see what of the duties. Which children's duties appear is always the children selectors' scope."""

import rules

from virtualschool.accounts.models import Role
from virtualschool.accounts.rules import has_role

# The compliance view covers the whole roll: the Virtual School Head and those who report for them.
can_view_compliance = has_role(Role.VIRTUAL_SCHOOL_HEAD, Role.DATA_SPECIALIST, Role.SERVICE_MANAGER)

rules.add_perm("duties.view_compliance", can_view_compliance)
rules.add_perm("duties.view_duties", rules.is_authenticated & rules.is_active)

# Rules and settings are configuration: the Virtual School Head and administrators change them.
rules.add_perm("duties.change_dutyrule", has_role(Role.VIRTUAL_SCHOOL_HEAD, Role.ADMINISTRATOR))
rules.add_perm("duties.change_dutysettings", has_role(Role.VIRTUAL_SCHOOL_HEAD, Role.ADMINISTRATOR))
