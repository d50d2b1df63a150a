"""Who may change the roll. Reading is scoped in selectors; these rules govern writes."""

import rules

from virtualschool.accounts.rules import is_head, is_roll_editor

rules.add_perm("children.add_child", is_roll_editor)
rules.add_perm("children.change_child", is_roll_editor)
rules.add_perm("children.close_child", is_roll_editor)
rules.add_perm("children.delete_child", is_head)
rules.add_perm("children.add_careepisode", is_roll_editor)
rules.add_perm("children.change_careepisode", is_roll_editor)
rules.add_perm("children.import_903", is_roll_editor)
rules.add_perm("children.export_children", rules.is_authenticated & rules.is_active)
rules.add_perm("children.view_audit_history", is_head)
