import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from virtualschool.children.models import Child, Cohort, upn_problem
from virtualschool.children.services import (
    care_episode_record,
    child_close,
    child_create,
    child_update,
    period_of_care_start,
)
from virtualschool.core.models import AuditEvent

BASE = {
    "social_care_reference": "SC1",
    "first_name": "Test",
    "last_name": "Pupil",
    "date_of_birth": dt.date(2014, 2, 3),
}


@pytest.mark.django_db
def test_a_lead_adds_a_child_and_the_creation_is_audited(world):
    child = child_create(actor=world.lead, **BASE)
    event = AuditEvent.objects.get(child_id=child.pk, action="create")
    assert event.actor == world.lead
    assert event.changes["social_care_reference"] == [None, "SC1"]


@pytest.mark.django_db
def test_a_child_with_a_mistyped_upn_stays_on_the_roll_with_the_upn_flagged(world):
    child = child_create(actor=world.lead, upn="A12345678901X", **BASE)
    assert Child.objects.filter(pk=child.pk).exists()
    assert child.upn_needs_correction
    assert child.upn_problem()


@pytest.mark.django_db
def test_unknown_upn_codes_are_not_flagged(world):
    child = child_create(actor=world.lead, upn="un2", **BASE)
    assert child.upn == "UN2"
    assert not child.upn_needs_correction


@pytest.mark.django_db
def test_a_valid_upn_is_not_flagged(world):
    child = child_create(actor=world.lead, upn="N801234567011", **BASE)
    assert not child.upn_needs_correction, child.upn_problem()


def test_a_upn_from_an_authority_newer_than_the_stdnum_list_is_accepted():
    from stdnum.gb import upn

    body = "838123456701"  # Dorset (838), formed in 2019
    assert upn_problem(upn.calc_check_digit(body) + body) == ""
    assert "check letter" in upn_problem("A" + body if upn.calc_check_digit(body) != "A" else "B" + body)


@pytest.mark.django_db
def test_a_designated_teacher_cannot_add_a_child_to_the_roll(world):
    with pytest.raises(PermissionDenied):
        child_create(actor=world.dt_a, **BASE)
    assert not Child.objects.filter(social_care_reference="SC1").exists()


@pytest.mark.django_db
def test_previously_looked_after_child_needs_consent_of_the_person_with_parental_responsibility(world):
    with pytest.raises(ValidationError) as exc:
        child_create(actor=world.lead, cohort=Cohort.PREVIOUSLY_LOOKED_AFTER, **BASE)
    assert set(exc.value.message_dict) == {"parental_responsibility_holder", "consent_given_on"}
    child = child_create(
        actor=world.lead,
        cohort=Cohort.PREVIOUSLY_LOOKED_AFTER,
        parental_responsibility_holder="Adoptive parent",
        consent_given_on=dt.date(2026, 10, 1),
        **BASE,
    )
    assert child.consent_recorded_by == world.lead


@pytest.mark.django_db
def test_child_looked_after_elsewhere_needs_their_home_virtual_school_contact(world):
    with pytest.raises(ValidationError) as exc:
        child_create(actor=world.lead, cohort=Cohort.OTHER_AUTHORITY, home_authority_name="Elsewhere", **BASE)
    assert "home_virtual_school_email" in exc.value.message_dict


@pytest.mark.django_db
def test_closing_a_child_needs_a_reason_and_keeps_the_record(world):
    with pytest.raises(ValidationError):
        child_close(actor=world.lead, child=world.child_a, closed_on=dt.date(2026, 11, 20), reason="")
    child = child_close(
        actor=world.lead,
        child=world.child_a,
        closed_on=dt.date(2026, 11, 20),
        reason="returned_home",
        notified_on=dt.date(2026, 11, 18),
    )
    assert not child.is_open
    assert child.removed_from_roll_on == dt.date(2026, 11, 20)
    assert child.roll_exit_working_days() == 2


@pytest.mark.django_db
def test_services_refuse_fields_that_are_derived(world):
    with pytest.raises(ValidationError):
        child_update(actor=world.lead, child=world.child_a, upn_needs_correction=False)


@pytest.mark.django_db
def test_recording_episodes_keeps_the_period_of_care_in_step(world):
    child = world.child_b
    care_episode_record(
        actor=world.lead,
        child=child,
        start_date=dt.date(2023, 5, 1),
        end_date=dt.date(2023, 9, 1),
        reason_new_episode="S",
        legal_status="V2",
    )
    care_episode_record(
        actor=world.lead, child=child, start_date=dt.date(2025, 2, 3), reason_new_episode="S", legal_status="C1"
    )
    child.refresh_from_db()
    assert child.period_of_care_start == dt.date(2025, 2, 3)
    assert child.date_first_entered_care == dt.date(2023, 5, 1)
    episode = care_episode_record(
        actor=world.lead, child=child, start_date=dt.date(2025, 2, 3), legal_status="C2", reason_new_episode="S"
    )
    assert episode.legal_status == "C2"
    assert AuditEvent.objects.filter(child_id=child.pk, object_type="children.careepisode", action="update").exists()


def test_a_period_of_care_runs_through_contiguous_episodes():
    rows = [
        (dt.date(2024, 1, 1), dt.date(2024, 3, 1), "S"),
        (dt.date(2024, 3, 1), dt.date(2024, 6, 1), "P"),
        (dt.date(2024, 6, 1), None, "L"),
    ]
    assert period_of_care_start(rows) == dt.date(2024, 1, 1)
    gap = [*rows[:2], (dt.date(2024, 7, 1), None, "S")]
    assert period_of_care_start(gap) == dt.date(2024, 7, 1)
    assert period_of_care_start([]) is None


@pytest.mark.django_db
def test_roll_entry_more_than_three_working_days_after_care_status_is_late(world):
    child = child_update(
        actor=world.lead,
        child=world.child_a,
        care_status_received_on=dt.date(2026, 11, 13),
        added_to_roll_on=dt.date(2026, 11, 19),
    )
    assert child.roll_entry_working_days() == 4


@pytest.mark.django_db
def test_in_care_twelve_months_counts_from_the_current_period(world):
    child = world.child_a
    child.period_of_care_start = dt.date(2025, 11, 25)
    assert child.in_care_for_months(12, dt.date(2026, 11, 25))
    assert not child.in_care_for_months(12, dt.date(2026, 11, 24))
