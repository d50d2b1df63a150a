import pytest
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, connection, transaction

from virtualschool.children.services import child_update
from virtualschool.core.models import AuditEvent


@pytest.mark.django_db
def test_a_change_records_who_changed_what_before_and_after(world):
    child_update(actor=world.lead, child=world.child_a, carer_name="Mrs Example Carer")
    event = AuditEvent.objects.get(child_id=world.child_a.pk, action="update")
    assert event.actor == world.lead
    assert event.changes["carer_name"] == ["", "Mrs Example Carer"]


@pytest.mark.django_db
def test_a_save_that_changes_nothing_records_nothing(world):
    child_update(actor=world.lead, child=world.child_a, first_name=world.child_a.first_name)
    assert not AuditEvent.objects.filter(child_id=world.child_a.pk, action="update").exists()


@pytest.mark.django_db
def test_a_refused_write_leaves_no_audit_event_and_no_change(world):
    with pytest.raises(PermissionDenied):
        child_update(actor=world.dt_a, child=world.child_a, carer_name="Someone")
    world.child_a.refresh_from_db()
    assert world.child_a.carer_name == ""
    assert not AuditEvent.objects.filter(child_id=world.child_a.pk).exists()


@pytest.mark.django_db
def test_audit_events_cannot_be_changed_or_deleted_through_the_orm(world):
    child_update(actor=world.lead, child=world.child_a, carer_name="A Carer")
    events = AuditEvent.objects.filter(child_id=world.child_a.pk)
    with pytest.raises(PermissionDenied):
        events.update(actor_label="someone else")
    with pytest.raises(PermissionDenied):
        events.delete()


@pytest.mark.django_db
def test_the_database_refuses_to_change_an_audit_event(world):
    child_update(actor=world.lead, child=world.child_a, carer_name="A Carer")
    event = AuditEvent.objects.filter(child_id=world.child_a.pk).first()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditevent SET actor_label = 'tampered' WHERE id = %s", [event.pk])
    event.refresh_from_db()
    assert event.actor_label == "lead"


@pytest.mark.django_db
def test_postgresql_refuses_to_delete_an_audit_event_row(world):
    if connection.vendor != "postgresql":
        pytest.skip("Row-level delete protection is a PostgreSQL trigger (SQLite's test flush needs DELETE).")
    child_update(actor=world.lead, child=world.child_a, carer_name="A Carer")
    event = AuditEvent.objects.filter(child_id=world.child_a.pk).first()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditevent WHERE id = %s", [event.pk])
    assert AuditEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.django_db
def test_saving_the_same_hours_written_differently_records_no_change(world):
    from decimal import Decimal

    from virtualschool.core.services import policy_update

    policy_update(actor=world.head, full_time_hours_school_age=Decimal("25.0"))
    policy_update(actor=world.head, full_time_hours_school_age=25)
    assert not AuditEvent.objects.filter(object_type="core.servicepolicy").exists()
    policy_update(actor=world.head, full_time_hours_school_age=Decimal("27.5"))
    event = AuditEvent.objects.get(object_type="core.servicepolicy")
    assert event.changes == {"full_time_hours_school_age": ["25", "27.5"]}
