"""Who may change the roll. Reading is scoped in selectors; these rules govern writes."""

import rules

from virtualschool.accounts.models import Role
from virtualschool.accounts.rules import is_head, is_roll_editor

from .selectors import children_visible_to

rules.add_perm("children.add_child", is_roll_editor)
rules.add_perm("children.change_child", is_roll_editor)
rules.add_perm("children.close_child", is_roll_editor)
rules.add_perm("children.delete_child", is_head)
rules.add_perm("children.add_careepisode", is_roll_editor)
rules.add_perm("children.change_careepisode", is_roll_editor)
rules.add_perm("children.import_903", is_roll_editor)
rules.add_perm("children.export_children", rules.is_authenticated & rules.is_active)
rules.add_perm("children.view_audit_history", is_head)


# SDQs (ADR 0006): the Virtual School and the child's social worker record any respondent's questionnaire; the
# designated teacher of the child's school records the teacher's. Everyone who may see the child sees them.
@rules.predicate
def is_childs_social_worker(user, child) -> bool:  # type: ignore[no-untyped-def]
    if child is None or not user.is_authenticated or not user.is_active or user.role != Role.SOCIAL_WORKER:
        return False
    return bool(child.social_worker_id == user.pk)


@rules.predicate
def is_childs_designated_teacher(user, child) -> bool:  # type: ignore[no-untyped-def]
    if child is None or not user.is_authenticated or user.role != Role.DESIGNATED_TEACHER:
        return False
    return children_visible_to(user).filter(pk=child.pk).exists()


rules.add_perm("children.record_teacher_sdq", is_roll_editor | is_childs_social_worker | is_childs_designated_teacher)
rules.add_perm("children.record_carer_or_self_sdq", is_roll_editor | is_childs_social_worker)
rules.add_perm("children.delete_sdqscore", is_roll_editor)
