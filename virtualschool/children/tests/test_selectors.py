import pytest

from virtualschool.children.models import Child
from virtualschool.children.selectors import child_get, children_visible_to


@pytest.mark.django_db
def test_each_role_sees_only_the_children_it_needs_to(world, expected_visible):
    for name, user in world.users().items():
        visible = set(children_visible_to(user).values_list("pk", flat=True))
        expected = {getattr(world, c).pk for c in expected_visible[name]}
        assert visible == expected, name


@pytest.mark.django_db
def test_designated_teacher_loses_sight_of_a_child_who_has_left_their_school(world):
    placement = world.child_a.education_placements.get()
    placement.end_date = placement.start_date
    placement.save()
    assert not children_visible_to(world.dt_a).filter(pk=world.child_a.pk).exists()


@pytest.mark.django_db
def test_out_of_scope_child_is_not_found_rather_than_forbidden(world):
    with pytest.raises(Child.DoesNotExist):
        child_get(user=world.sw_b, pk=world.child_a.pk)
