"""Who may record suspensions, exclusions and reduced timetables (ADR 0009-suspensions-policy).

Reading is scoped in selectors: everyone who may see a child (their social worker, reviewing officer,
designated teacher and the Virtual School) sees that child's suspensions. Writing: the Virtual School Head,
Leads and data specialist for any child; a designated teacher for the pupils of their own school (the service
also refuses a suspension from another school).
"""

import rules

from virtualschool.accounts.rules import is_administrator, is_head, is_roll_editor
from virtualschool.children.rules import is_childs_designated_teacher

can_record = is_roll_editor | is_childs_designated_teacher

rules.add_perm("suspensions.add_suspension", can_record)
rules.add_perm("suspensions.change_suspension", can_record)
rules.add_perm("suspensions.add_exclusionrisk", can_record)
rules.add_perm("suspensions.change_exclusionrisk", can_record)
rules.add_perm("suspensions.add_reducedtimetable", can_record)
rules.add_perm("suspensions.change_reducedtimetable", can_record)
rules.add_perm("suspensions.change_suspensionpolicy", is_administrator | is_head)
