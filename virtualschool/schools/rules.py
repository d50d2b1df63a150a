import rules

from virtualschool.accounts.rules import is_administrator, is_roll_editor

rules.add_perm("schools.add_school", is_roll_editor | is_administrator)
rules.add_perm("schools.change_school", is_roll_editor | is_administrator)
rules.add_perm("schools.import_gias", is_roll_editor | is_administrator)
rules.add_perm("schools.add_schoolstaff", is_administrator | is_roll_editor)
