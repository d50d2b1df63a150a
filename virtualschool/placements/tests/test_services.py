import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from virtualschool.core.models import AuditEvent
from virtualschool.placements.models import EducationPlacement, SettingType
from virtualschool.placements.selectors import children_missing_education
from virtualschool.placements.services import placement_create, placement_end
from virtualschool.schools.models import OfstedRating
from virtualschool.schools.tests.factories import SchoolFactory


@pytest.mark.django_db
def test_a_new_placement_ends_the_current_one_the_day_before(world):
    new_school = SchoolFactory(name="Cedar Academy")
    placement = placement_create(
        actor=world.lead,
        child=world.child_a,
        school=new_school,
        start_date=dt.date(2026, 11, 2),
        reason_for_change="care_move",
        hours_per_week=30,
    )
    old = world.child_a.education_placements.exclude(pk=placement.pk).get()
    assert old.end_date == dt.date(2026, 11, 1)
    assert old.reason_for_change == "care_move"
    assert placement.ofsted_rating_at_start == OfstedRating.GOOD
    assert (
        AuditEvent.objects.filter(child_id=world.child_a.pk, object_type="placements.educationplacement").count() == 2
    )


@pytest.mark.django_db
def test_an_inadequate_school_needs_an_exceptional_reason(world):
    school = SchoolFactory(ofsted_rating=OfstedRating.INADEQUATE)
    with pytest.raises(ValidationError) as exc:
        placement_create(actor=world.lead, child=world.child_a, school=school, start_date=dt.date(2026, 11, 2))
    assert "exceptional_reason_inadequate" in exc.value.message_dict
    assert world.child_a.education_placements.count() == 1  # nothing half-written: the old one is still open
    assert world.child_a.education_placements.get().end_date is None


@pytest.mark.django_db
def test_a_school_that_requires_improvement_needs_a_rationale(world):
    school = SchoolFactory(ofsted_rating=OfstedRating.REQUIRES_IMPROVEMENT)
    with pytest.raises(ValidationError) as exc:
        placement_create(actor=world.lead, child=world.child_a, school=school, start_date=dt.date(2026, 11, 2))
    assert "rationale_below_good" in exc.value.message_dict
    placement = placement_create(
        actor=world.lead,
        child=world.child_a,
        school=school,
        start_date=dt.date(2026, 11, 2),
        rationale_below_good="Only school near the carer with a specialist unit.",
    )
    assert placement.ofsted_rating_at_start == OfstedRating.REQUIRES_IMPROVEMENT


@pytest.mark.django_db
def test_alternative_provision_has_no_urn_but_needs_a_provider_name(world):
    with pytest.raises(ValidationError) as exc:
        placement_create(
            actor=world.lead,
            child=world.child_a,
            setting_type=SettingType.ALTERNATIVE_PROVISION,
            start_date=dt.date(2026, 11, 2),
        )
    assert "provider_name" in exc.value.message_dict
    placement = placement_create(
        actor=world.lead,
        child=world.child_a,
        setting_type=SettingType.ALTERNATIVE_PROVISION,
        provider_name="Riverside Learning Centre",
        start_date=dt.date(2026, 11, 2),
        hours_per_week=20,
    )
    assert placement.setting_name == "Riverside Learning Centre"
    hours = {"school_age_hours": Decimal(25), "post16_hours": Decimal(16)}
    assert placement.is_part_time(nc_year=9, **hours)
    assert not placement.is_part_time(nc_year=12, **hours)  # 20 hours is full time after year 11
    assert not placement.is_part_time(nc_year=0, **hours)  # reception: no full-time duty


@pytest.mark.django_db
def test_social_worker_cannot_change_placements(world):
    with pytest.raises(PermissionDenied):
        placement_create(actor=world.sw_a, child=world.child_a, school=world.school_b, start_date=dt.date(2026, 11, 2))


@pytest.mark.django_db
def test_a_school_age_child_whose_placement_ended_is_missing_education_with_the_days_counted(world):
    placement = world.child_a.education_placements.get()
    placement_end(actor=world.lead, placement=placement, end_date=dt.date(2026, 11, 10), reason="perm_exclusion")
    missing = dict(children_missing_education(user=world.lead, on=dt.date(2026, 11, 25)))
    assert missing[world.child_a] == 15
    assert world.child_b not in missing


@pytest.mark.django_db
def test_admission_days_run_from_application_to_on_roll(world):
    placement = placement_create(
        actor=world.lead,
        child=world.child_b,
        school=SchoolFactory(),
        start_date=dt.date(2026, 10, 5),
        application_date=dt.date(2026, 9, 14),
        on_roll_date=dt.date(2026, 10, 5),
        admission_route="la_direction",
    )
    assert placement.admission_days == 21
    assert EducationPlacement.objects.filter(child=world.child_b, end_date__isnull=True).count() == 1
