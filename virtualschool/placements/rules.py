import rules

from virtualschool.accounts.rules import is_roll_editor

rules.add_perm("placements.add_educationplacement", is_roll_editor)
rules.add_perm("placements.change_educationplacement", is_roll_editor)
rules.add_perm("placements.end_educationplacement", is_roll_editor)
