"""Accounts, API tokens, the audit trail's immutability and the Django admin."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from virtualschool.accounts import services
from virtualschool.accounts.models import ApiToken, Role, User
from virtualschool.accounts.selectors import user_for_api_token
from virtualschool.accounts.tests.factories import UserFactory
from virtualschool.core import audit
from virtualschool.core.models import AuditEvent, ServicePolicy
from virtualschool.core.selectors import policy_get


@pytest.fixture
def administrator(db: Any) -> User:
    return UserFactory(username="it.admin", role=Role.ADMINISTRATOR, is_staff=True)


def test_an_administrator_opens_an_account_with_no_password_until_the_person_sets_one(administrator: User) -> None:
    user = services.user_create(
        actor=administrator,
        username="j.khan",
        email="J.Khan@Example.GOV.UK",
        full_name="Jo Khan",
        role=Role.SOCIAL_WORKER,
        team="Northern locality",
    )

    assert not user.has_usable_password()
    assert user.email == "J.Khan@example.gov.uk"
    assert not user.is_staff
    event = AuditEvent.objects.get(action=AuditEvent.Action.CREATE, object_type="accounts.user")
    assert event.actor == administrator
    assert event.changes["role"] == [None, "sw"]
    assert "password" not in event.changes


def test_only_administrators_get_into_the_django_admin(administrator: User) -> None:
    admin_user = services.user_create(
        actor=administrator, username="second.admin", email="a2@example.gov.uk", full_name="Al Two", role="admin"
    )
    assert admin_user.is_staff

    demoted = services.user_update(actor=administrator, user=admin_user, role=Role.DATA_SPECIALIST)

    assert not demoted.is_staff


def test_someone_who_is_not_an_administrator_cannot_open_accounts(world: Any) -> None:
    with pytest.raises(PermissionDenied):
        services.user_create(
            actor=world.head, username="x", email="x@example.gov.uk", full_name="X Y", role=Role.PANEL_MEMBER
        )


def test_an_e_mail_address_is_one_persons_whatever_its_case(administrator: User) -> None:
    UserFactory(username="first", email="shared@example.gov.uk")

    with pytest.raises(ValidationError) as excinfo:
        services.user_create(
            actor=administrator, username="second", email="SHARED@example.gov.uk", full_name="Sam Two", role="sw"
        )

    assert "already the e-mail address of another account" in str(excinfo.value.message_dict["email"])


def test_a_change_of_role_is_audited_with_before_and_after(administrator: User) -> None:
    person = UserFactory(username="moving", role=Role.SOCIAL_WORKER)

    services.user_update(actor=administrator, user=person, role=Role.VIRTUAL_SCHOOL_LEAD, team="")

    person.refresh_from_db()
    assert person.role == Role.VIRTUAL_SCHOOL_LEAD
    event = AuditEvent.objects.get(action=AuditEvent.Action.UPDATE, object_id=str(person.pk))
    assert event.changes == {"role": ["sw", "lead"]}


def test_deactivating_closes_the_account_and_its_tokens_but_keeps_the_row(administrator: User) -> None:
    person = UserFactory(username="leaver", role=Role.SOCIAL_WORKER)
    issued = services.api_token_issue(actor=administrator, user=person, name="Case sync")

    services.user_deactivate(actor=administrator, user=person)

    person.refresh_from_db()
    assert not person.is_active
    assert User.objects.filter(pk=person.pk).exists()
    assert user_for_api_token(issued.raw) is None
    assert ApiToken.objects.get(pk=issued.token.pk).revoked_at is not None


def test_an_administrator_cannot_deactivate_their_own_account(administrator: User) -> None:
    with pytest.raises(ValidationError, match="your own account"):
        services.user_deactivate(actor=administrator, user=administrator)


def test_an_issued_token_acts_as_its_user_and_only_its_hash_is_stored(administrator: User) -> None:
    person = UserFactory(username="integration", role=Role.DATA_SPECIALIST)

    issued = services.api_token_issue(actor=administrator, user=person, name="Performance dashboard")

    assert user_for_api_token(issued.raw) == person
    stored = ApiToken.objects.get(pk=issued.token.pk)
    assert stored.key_hash == hashlib.sha256(issued.raw.encode()).hexdigest()
    assert issued.raw not in {str(v) for v in ApiToken.objects.values().get(pk=stored.pk).values()}
    assert issued.raw.startswith(stored.key_prefix)
    assert stored.last_used_at is not None
    event = AuditEvent.objects.get(object_type="accounts.apitoken", action=AuditEvent.Action.CREATE)
    assert issued.raw not in str(event.changes)


def test_a_revoked_or_unknown_token_resolves_to_nobody(administrator: User) -> None:
    person = UserFactory(username="integration", role=Role.DATA_SPECIALIST)
    issued = services.api_token_issue(actor=administrator, user=person)

    services.api_token_revoke(actor=administrator, token=issued.token)

    assert user_for_api_token(issued.raw) is None
    assert user_for_api_token(issued.raw[:-1] + ("A" if issued.raw[-1] != "A" else "B")) is None
    assert user_for_api_token("") is None
    assert user_for_api_token("x" * 10_000) is None
    with pytest.raises(ValidationError, match="already revoked"):
        services.api_token_revoke(actor=administrator, token=issued.token)


def test_a_token_for_a_closed_account_is_refused(administrator: User) -> None:
    person = UserFactory(username="gone", is_active=False)
    with pytest.raises(ValidationError, match="deactivated"):
        services.api_token_issue(actor=administrator, user=person)


def test_audit_rows_cannot_be_changed_or_deleted_through_the_orm(administrator: User) -> None:
    event = audit.record(actor=administrator, action=AuditEvent.Action.VIEW, object_type="test.thing", object_id=1)

    with pytest.raises(PermissionDenied):
        AuditEvent.objects.filter(pk=event.pk).update(actor_label="someone else")
    with pytest.raises(PermissionDenied):
        AuditEvent.objects.filter(pk=event.pk).delete()

    assert AuditEvent.objects.get(pk=event.pk).actor_label == "it.admin"


# --- the Django admin -----------------------------------------------------------------------------------------


@pytest.fixture
def admin_client(administrator: User) -> Client:
    client = Client()
    client.force_login(administrator)
    return client


def test_audit_rows_cannot_be_added_changed_or_deleted_in_the_admin(administrator: User, admin_client: Client) -> None:
    event = audit.record(actor=administrator, action=AuditEvent.Action.VIEW, object_type="test.thing", object_id=1)

    listing = admin_client.get(reverse("admin:core_auditevent_changelist") + "?action__exact=view")
    assert listing.status_code == 200
    assert "test.thing" in listing.content.decode()
    assert admin_client.get(reverse("admin:core_auditevent_add")).status_code == 403
    assert (
        admin_client.post(reverse("admin:core_auditevent_delete", args=[event.pk]), {"post": "yes"}).status_code == 403
    )
    admin_client.post(reverse("admin:core_auditevent_change", args=[event.pk]), {"actor_label": "someone else"})
    page = admin_client.get(reverse("admin:core_auditevent_change", args=[event.pk])).content.decode()
    assert 'name="_save"' not in page
    assert AuditEvent.objects.get(pk=event.pk).actor_label == "it.admin"


def test_the_admin_is_closed_to_people_who_are_not_administrators(world: Any) -> None:
    client = Client()
    client.force_login(world.head)

    response = client.get(reverse("admin:core_auditevent_changelist"))

    assert response.status_code == 302
    assert "login" in response["Location"]


def test_the_user_admin_shows_no_password_hash_and_opens_accounts_through_the_service(
    administrator: User, admin_client: Client
) -> None:
    person = UserFactory(username="has.password", role=Role.SOCIAL_WORKER)
    page = admin_client.get(reverse("admin:accounts_user_change", args=[person.pk])).content.decode()
    assert person.password not in page
    assert "md5$" not in page and "pbkdf2" not in page

    response = admin_client.post(
        reverse("admin:accounts_user_add"),
        {
            "username": "new.teacher",
            "full_name": "Nia Teacher",
            "email": "nia@example.gov.uk",
            "phone": "",
            "role": Role.DESIGNATED_TEACHER,
            "team": "",
        },
    )

    assert response.status_code == 302
    created = User.objects.get(username="new.teacher")
    assert not created.has_usable_password()
    assert AuditEvent.objects.filter(object_type="accounts.user", object_id=str(created.pk), actor=administrator)
    assert (
        admin_client.post(reverse("admin:accounts_user_delete", args=[created.pk]), {"post": "yes"}).status_code == 403
    )


def test_api_tokens_are_read_only_in_the_admin(administrator: User, admin_client: Client) -> None:
    issued = services.api_token_issue(actor=administrator, user=administrator, name="Reporting")

    listing = admin_client.get(reverse("admin:accounts_apitoken_changelist")).content.decode()

    assert issued.token.key_prefix in listing
    assert issued.token.key_hash not in listing
    assert admin_client.get(reverse("admin:accounts_apitoken_add")).status_code == 403
    admin_client.post(
        reverse("admin:accounts_apitoken_changelist"),
        {"action": "revoke", "_selected_action": [issued.token.pk]},
    )
    assert user_for_api_token(issued.raw) is None


def test_the_service_policy_is_one_row_that_can_be_changed_but_not_added_or_deleted(
    administrator: User, admin_client: Client
) -> None:
    policy = policy_get()
    assert admin_client.get(reverse("admin:core_servicepolicy_add")).status_code == 403
    assert admin_client.post(reverse("admin:core_servicepolicy_delete", args=[1]), {"post": "yes"}).status_code == 403

    response = admin_client.post(
        reverse("admin:core_servicepolicy_change", args=[1]),
        {
            "authority_name": policy.authority_name,
            "la_code": "835",
            "roll_duty_working_days": 3,
            "full_time_hours_school_age": "25.0",
            "full_time_hours_post16": "16.0",
            "in_care_long_term_months": 12,
            "sdq_carer_threshold": 14,
            "sdq_school_due_months": 1,
        },
    )

    assert response.status_code == 302
    assert ServicePolicy.objects.get(pk=1).la_code == "835"
    event = AuditEvent.objects.get(object_type="core.servicepolicy", action=AuditEvent.Action.UPDATE)
    assert event.changes["la_code"] == ["999", "835"]
    assert ServicePolicy.objects.count() == 1


@pytest.mark.parametrize(
    "url",
    [
        "admin:index",
        "admin:accounts_user_changelist",
        "admin:accounts_user_add",
        "admin:accounts_apitoken_changelist",
        "admin:schools_school_changelist",
        "admin:schools_school_add",
        "admin:schools_schoolstaff_changelist",
        "admin:schools_schoolstaff_add",
        "admin:core_auditevent_changelist",
    ],
)
def test_every_admin_page_opens_for_an_administrator(world: Any, admin_client: Client, url: str) -> None:
    response = admin_client.get(reverse(url), {"in_area": "yes"} if "school_changelist" in url else {})
    assert response.status_code == 200


def test_linking_a_teacher_to_a_school_in_the_admin_is_audited(world: Any, admin_client: Client) -> None:
    teacher = UserFactory(username="new.dt", role=Role.DESIGNATED_TEACHER)

    response = admin_client.post(
        reverse("admin:schools_schoolstaff_add"),
        {"user": teacher.pk, "school": world.school_a.pk, "is_designated_teacher": "on"},
    )

    assert response.status_code == 302
    assert AuditEvent.objects.filter(object_type="schools.schoolstaff", action=AuditEvent.Action.CREATE).exists()
    link = teacher.school_roles.get()
    admin_client.post(reverse("admin:schools_schoolstaff_delete", args=[link.pk]), {"post": "yes"})
    assert not teacher.school_roles.exists()
    assert AuditEvent.objects.filter(object_type="schools.schoolstaff", action=AuditEvent.Action.DELETE).exists()
