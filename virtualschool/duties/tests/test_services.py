"""Changing the rules and settings: permission checked, validated, audited, nothing half-written."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from virtualschool.core.models import AuditEvent
from virtualschool.duties.models import DutyRule
from virtualschool.duties.services import duty_rule_save, duty_settings_update

pytestmark = pytest.mark.django_db


def test_the_head_changes_a_rules_duration_and_it_is_audited(world):
    rule = DutyRule.objects.get(slug="roll-add-after-care-status")
    duty_rule_save(actor=world.head, rule=rule, duration=5)
    assert DutyRule.objects.get(slug="roll-add-after-care-status").duration == 5
    event = AuditEvent.objects.filter(object_type="duties.dutyrule", action="update").get()
    assert event.changes["duration"] == [3, 5]


def test_a_new_rule_is_a_row(world):
    rule = duty_rule_save(actor=world.admin, slug="careers-guidance", name="Careers guidance from year 9",
                          source="001", start_event="academic_year_started", duration=1, unit="terms",
                          owner_role="designated_teacher", met_by_event="careers_guidance_given",
                          conditions=["school_age"])  # fmt: skip
    assert rule.pk and AuditEvent.objects.filter(object_type="duties.dutyrule", action="create").exists()


@pytest.mark.parametrize("role", ["lead", "sw_a", "dt_a", "panel"])
def test_only_the_head_and_administrators_change_rules(world, role):
    rule = DutyRule.objects.get(slug="roll-add-after-care-status")
    with pytest.raises(PermissionDenied):
        duty_rule_save(actor=world.users()[role], rule=rule, duration=1)
    assert DutyRule.objects.get(pk=rule.pk).duration == 3


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"conditions": ["teenager"]}, "conditions", "Unknown condition teenager"),
        ({"met_by_event": "care_status_received"}, "met_by_event", "must differ"),
        ({"unit": "fortnights"}, "unit", "not a valid choice"),
        ({"recurrence": "repeat", "duration": 0}, "duration", "longer than 0"),
    ],
)
def test_an_invalid_rule_says_what_to_fix_and_saves_nothing(world, values, field, message):
    rule = DutyRule.objects.get(slug="roll-add-after-care-status")
    with pytest.raises(ValidationError) as raised:
        duty_rule_save(actor=world.head, rule=rule, **values)
    assert message in " ".join(raised.value.message_dict[field])
    assert DutyRule.objects.get(pk=rule.pk).unit == "working"
    assert not AuditEvent.objects.filter(object_type="duties.dutyrule").exists()


def test_settings_are_changed_through_the_service(world):
    assert duty_settings_update(actor=world.head, due_soon_days=5).due_soon_days == 5
    with pytest.raises(PermissionDenied):
        duty_settings_update(actor=world.lead, due_soon_days=3)
