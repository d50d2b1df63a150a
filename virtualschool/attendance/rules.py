"""Who may import and read attendance. Reading a child's marks follows the child's scope (selectors)."""

import rules

from virtualschool.accounts.models import Role
from virtualschool.accounts.rules import has_role, is_head

# The data specialist and the Head import for anyone; a designated teacher for their own school's pupils (the
# importer rejects rows for other children). Leads read everything but import through the data specialist.
can_import_any = has_role(Role.VIRTUAL_SCHOOL_HEAD, Role.DATA_SPECIALIST)
is_designated_teacher = has_role(Role.DESIGNATED_TEACHER)

rules.add_perm("attendance.import_attendance", can_import_any | is_designated_teacher)
rules.add_perm("attendance.import_for_any_child", can_import_any)
rules.add_perm("attendance.change_attendancepolicy", is_head | has_role(Role.ADMINISTRATOR))
rules.add_perm(
    "attendance.view_dashboard",
    has_role(
        Role.VIRTUAL_SCHOOL_HEAD,
        Role.VIRTUAL_SCHOOL_LEAD,
        Role.DATA_SPECIALIST,
        Role.SERVICE_MANAGER,
        Role.SEND_SPECIALIST,
        Role.DESIGNATED_TEACHER,
        Role.SOCIAL_WORKER,
        Role.REVIEWING_OFFICER,
    ),
)
