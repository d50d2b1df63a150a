"""Bulk onboarding (import_users) and API tokens for integrations (issue_api_token, revoke_api_token)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.test import Client

from virtualschool.accounts.models import ApiToken, Role, User
from virtualschool.accounts.selectors import user_for_api_token
from virtualschool.accounts.services import parse_role
from virtualschool.accounts.tests.factories import UserFactory
from virtualschool.children.selectors import children_visible_to
from virtualschool.children.tests.factories import ChildFactory
from virtualschool.core.models import AuditEvent
from virtualschool.placements.tests.factories import EducationPlacementFactory
from virtualschool.schools.models import SchoolStaff
from virtualschool.schools.tests.factories import SchoolFactory

COLUMNS = ["username", "email", "full_name", "role", "schools", "team"]


def write_users(path: Path, rows: list[list[str]], *, header: list[str] = COLUMNS) -> Path:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def import_users(path: Path, *args: str) -> dict[str, Any]:
    out = io.StringIO()
    call_command("import_users", str(path), "--json", *args, stdout=out)
    return json.loads(out.getvalue())


@pytest.fixture
def schools(db: Any) -> tuple[Any, Any]:
    return SchoolFactory(urn=131001, name="Quarrydale Primary"), SchoolFactory(urn=131002, name="Rookwood High")


EVERY_ROLE = [
    ["a.head", "a.head@example.gov.uk", "Ada Head", "Virtual School Head", "", ""],
    ["b.lead", "b.lead@example.gov.uk", "Bo Lead", "virtual school lead", "", ""],
    ["c.data", "c.data@example.gov.uk", "Cy Data", "data", "", ""],
    ["d.send", "d.send@example.gov.uk", "Di Send", "SEND specialist", "", ""],
    ["e.manager", "e.manager@example.gov.uk", "Ed Manager", "Service Manager", "", ""],
    ["f.teacher", "f.teacher@example.gov.uk", "Fay Teacher", "designated teacher", "131001; 131002", ""],
    ["g.social", "g.social@example.gov.uk", "Gus Social", "SW", "", "Northern locality"],
    ["h.iro", "h.iro@example.gov.uk", "Hal Iro", "reviewing officer", "", "IRO service"],
    ["i.panel", "i.panel@example.gov.uk", "Ivy Panel", "PP+ panel member", "", ""],
    ["j.admin", "j.admin@example.gov.uk", "Jay Admin", "Administrator", "", ""],
]


def test_one_person_in_every_role_is_onboarded(schools: Any, tmp_path: Path) -> None:
    path = write_users(tmp_path / "staff.csv", EVERY_ROLE)

    summary = import_users(path, "--system")

    assert (summary["created"], summary["updated"], summary["unchanged"], summary["rejected"]) == (10, 0, 0, 0)
    roles = dict(User.objects.values_list("username", "role"))
    assert roles == {
        "a.head": Role.VIRTUAL_SCHOOL_HEAD,
        "b.lead": Role.VIRTUAL_SCHOOL_LEAD,
        "c.data": Role.DATA_SPECIALIST,
        "d.send": Role.SEND_SPECIALIST,
        "e.manager": Role.SERVICE_MANAGER,
        "f.teacher": Role.DESIGNATED_TEACHER,
        "g.social": Role.SOCIAL_WORKER,
        "h.iro": Role.REVIEWING_OFFICER,
        "i.panel": Role.PANEL_MEMBER,
        "j.admin": Role.ADMINISTRATOR,
    }
    teacher = User.objects.get(username="f.teacher")
    assert set(SchoolStaff.objects.filter(user=teacher).values_list("school__urn", flat=True)) == {131001, 131002}
    assert User.objects.get(username="g.social").team == "Northern locality"
    assert not any(u.has_usable_password() for u in User.objects.all())
    assert User.objects.get(username="j.admin").is_staff
    creations = AuditEvent.objects.filter(action=AuditEvent.Action.CREATE, object_type="accounts.user")
    assert creations.count() == 10
    assert set(creations.values_list("actor_label", flat=True)) == {"system"}
    assert AuditEvent.objects.filter(action=AuditEvent.Action.CREATE, object_type="schools.schoolstaff").count() == 2
    assert AuditEvent.objects.get(action=AuditEvent.Action.IMPORT).context["created"] == 10


@pytest.mark.parametrize(
    ("text", "role"),
    [
        ("Virtual School Head", Role.VIRTUAL_SCHOOL_HEAD),
        ("VSH", Role.VIRTUAL_SCHOOL_HEAD),
        ("designated teacher", Role.DESIGNATED_TEACHER),
        ("Designated_Teacher", Role.DESIGNATED_TEACHER),
        ("dt", Role.DESIGNATED_TEACHER),
        ("pp+ panel member", Role.PANEL_MEMBER),
        ("  iro ", Role.REVIEWING_OFFICER),
        ("headteacher", None),
        ("", None),
    ],
)
def test_roles_are_recognised_by_code_or_label_in_any_case(text: str, role: str | None) -> None:
    assert parse_role(text) == role


def test_each_bad_row_is_rejected_with_its_reason(schools: Any, tmp_path: Path) -> None:
    UserFactory(username="taken", email="taken@example.gov.uk")
    UserFactory(username="owner", email="owned@example.gov.uk")
    rows = [
        ["ok.person", "ok@example.gov.uk", "Ok Person", "lead", "", ""],  # 2
        ["no.email", "", "No Email", "lead", "", ""],  # 3
        ["bad.email", "not-an-address", "Bad Email", "lead", "", ""],  # 4
        ["bad.role", "bad.role@example.gov.uk", "Bad Role", "Headteacher", "", ""],  # 5
        ["OK.person", "other@example.gov.uk", "Same Username", "lead", "", ""],  # 6
        ["someone.else", "OK@example.gov.uk", "Same Email", "lead", "", ""],  # 7
        ["dt.none", "dt.none@example.gov.uk", "No School", "designated teacher", "", ""],  # 8
        ["dt.unknown", "dt.unknown@example.gov.uk", "Unknown School", "dt", "131001;999999", ""],  # 9
        ["sw.urn", "sw.urn@example.gov.uk", "Social Worker With School", "sw", "131001", ""],  # 10
        ["taken", "new.address@example.gov.uk", "Username Taken", "sw", "", ""],  # 11
        ["new.name", "owned@example.gov.uk", "Email Owned", "sw", "", ""],  # 12
        ["dt.badurn", "dt.badurn@example.gov.uk", "Bad Urn", "dt", "13100X", ""],  # 13
    ]
    path = write_users(tmp_path / "staff.csv", rows)

    summary = import_users(path, "--system")

    assert summary["created"] == 1
    assert summary["rejected"] == 11
    reasons = {(r["row"], r["column"]): r["rule"] for r in summary["rejects"]}
    assert reasons[(3, "email")] == "e-mail address is required"
    assert "not a valid e-mail address" in reasons[(4, "email")]
    assert reasons[(5, "role")].startswith("unknown role")
    assert "Virtual School Head (vsh)" in reasons[(5, "role")]
    assert reasons[(6, "username")] == "duplicate username in file (first on row 2)"
    assert reasons[(7, "email")] == "duplicate e-mail in file (first on row 2)"
    assert "needs the URN of at least one school" in reasons[(8, "schools")]
    assert "no school with this URN" in reasons[(9, "schools")]
    assert "only designated teachers have schools" in reasons[(10, "schools")]
    assert "taken by an existing user with a different e-mail" in reasons[(11, "username")]
    assert "already belongs to the user owner" in reasons[(12, "email")]
    assert "whole number" in reasons[(13, "schools")]
    values = {(r["row"], r["column"]): r["value"] for r in summary["rejects"]}
    assert values[(9, "schools")] == "999999"
    assert all(r["file"] == "staff.csv" for r in summary["rejects"])
    assert set(User.objects.values_list("username", flat=True)) == {"ok.person", "taken", "owner"}
    assert not SchoolStaff.objects.exists()


def test_running_the_same_file_again_changes_nothing(schools: Any, tmp_path: Path) -> None:
    path = write_users(tmp_path / "staff.csv", EVERY_ROLE)
    import_users(path)
    events = AuditEvent.objects.exclude(action=AuditEvent.Action.IMPORT).count()

    summary = import_users(path)

    assert (summary["created"], summary["updated"], summary["unchanged"], summary["rejected"]) == (0, 0, 10, 0)
    assert AuditEvent.objects.exclude(action=AuditEvent.Action.IMPORT).count() == events


def test_an_existing_person_is_updated_and_audited(schools: Any, tmp_path: Path) -> None:
    first = write_users(
        tmp_path / "first.csv",
        [["f.teacher", "f.teacher@example.gov.uk", "Fay Teacher", "dt", "131001 131002", ""]],
    )
    import_users(first)
    second = write_users(
        tmp_path / "second.csv",
        [["f.teacher", "F.Teacher@example.gov.uk", "Fay Teacher-Jones", "designated teacher", "131002", ""]],
    )

    summary = import_users(second)

    assert summary["updated"] == 1
    teacher = User.objects.get(username="f.teacher")
    assert teacher.full_name == "Fay Teacher-Jones"
    assert list(SchoolStaff.objects.filter(user=teacher).values_list("school__urn", flat=True)) == [131002]
    change = AuditEvent.objects.get(action=AuditEvent.Action.UPDATE, object_type="accounts.user")
    assert change.changes == {"full_name": ["Fay Teacher", "Fay Teacher-Jones"]}
    assert AuditEvent.objects.filter(action=AuditEvent.Action.DELETE, object_type="schools.schoolstaff").count() == 1


def test_an_onboarded_designated_teacher_sees_only_their_schools_children(schools: Any, tmp_path: Path) -> None:
    ours, theirs = schools
    pupil = ChildFactory(first_name="Ola", last_name="Testpupil")
    elsewhere = ChildFactory(first_name="Pip", last_name="Otherpupil")
    EducationPlacementFactory(child=pupil, school=ours, start_date=dt.date(2024, 9, 4))
    EducationPlacementFactory(child=elsewhere, school=theirs, start_date=dt.date(2024, 9, 4))
    path = write_users(
        tmp_path / "staff.csv", [["q.teacher", "q.teacher@example.gov.uk", "Quin Teacher", "dt", "131001", ""]]
    )

    import_users(path)

    teacher = User.objects.get(username="q.teacher")
    assert list(children_visible_to(teacher)) == [pupil]


def test_invitations_carry_a_link_to_choose_a_password(
    schools: Any, tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    path = write_users(tmp_path / "staff.csv", EVERY_ROLE[:2])

    with django_capture_on_commit_callbacks(execute=True):
        summary = import_users(path, "--send-invites", "--base-url", "http://testserver")

    assert summary["invited"] == 2
    assert len(mail.outbox) == 2
    message = next(m for m in mail.outbox if m.to == ["a.head@example.gov.uk"])
    assert "a.head" in message.body
    link = re.search(r"http://testserver(/\S+)", message.body)
    assert link is not None
    response = Client().get(link.group(1), follow=True)
    assert response.status_code == 200
    assert b"new password" in response.content.lower()


def test_invitations_need_the_service_address(schools: Any, tmp_path: Path) -> None:
    path = write_users(tmp_path / "staff.csv", EVERY_ROLE[:1])
    with pytest.raises(CommandError, match="--base-url"):
        call_command("import_users", str(path), "--send-invites", "--base-url", "")
    assert not User.objects.exists()


def test_a_dry_run_reports_without_saving(schools: Any, tmp_path: Path) -> None:
    path = write_users(tmp_path / "staff.csv", EVERY_ROLE)

    summary = import_users(path, "--dry-run")

    assert summary["dry_run"] is True
    assert summary["created"] == 10
    assert not User.objects.exists()
    assert not AuditEvent.objects.exists()


def test_a_file_without_an_email_column_stops_with_status_2(db: Any, tmp_path: Path) -> None:
    path = write_users(tmp_path / "staff.csv", [["x", "X Y", "lead"]], header=["username", "full_name", "role"])

    with pytest.raises(CommandError) as excinfo:
        call_command("import_users", str(path))

    assert excinfo.value.returncode == 2
    assert "email" in str(excinfo.value)


def test_only_an_administrator_may_import_users(world: Any, tmp_path: Path) -> None:
    path = write_users(tmp_path / "staff.csv", EVERY_ROLE[:1])

    with pytest.raises(CommandError, match="permission"):
        call_command("import_users", str(path), "--user", "head")

    import_users(path, "--user", "admin")
    event = AuditEvent.objects.get(action=AuditEvent.Action.CREATE, object_type="accounts.user")
    assert event.actor == world.admin


# --- API tokens -----------------------------------------------------------------------------------------------


def issue(*args: str) -> str:
    out, err = io.StringIO(), io.StringIO()
    call_command("issue_api_token", *args, stdout=out, stderr=err)
    assert "cannot be shown again" in err.getvalue()
    return out.getvalue().strip()


def test_issue_api_token_prints_a_token_that_acts_as_that_user(world: Any) -> None:
    raw = issue("sw_a", "--name", "Case management sync")

    assert user_for_api_token(raw) == world.sw_a
    token = ApiToken.objects.get(user=world.sw_a)
    assert token.name == "Case management sync"
    assert raw not in {str(v) for v in ApiToken.objects.values().get(pk=token.pk).values()}
    assert AuditEvent.objects.filter(object_type="accounts.apitoken", action=AuditEvent.Action.CREATE).exists()


def test_a_token_is_refused_for_a_closed_account_or_an_unknown_user(world: Any) -> None:
    UserFactory(username="closed", is_active=False)
    with pytest.raises(CommandError, match="deactivated"):
        call_command("issue_api_token", "closed")
    with pytest.raises(CommandError) as excinfo:
        call_command("issue_api_token", "nobody")
    assert excinfo.value.returncode == 2
    assert not ApiToken.objects.exists()


def test_revoking_by_prefix_stops_that_token_only(world: Any) -> None:
    first, second = issue("sw_a"), issue("sw_a")
    token = ApiToken.objects.get(key_prefix=first[:12])

    call_command("revoke_api_token", token.key_prefix, stdout=io.StringIO())

    assert user_for_api_token(first) is None
    assert user_for_api_token(second) == world.sw_a


def test_revoking_by_username_stops_all_their_tokens(world: Any) -> None:
    first, second, other = issue("sw_a"), issue("sw_a"), issue("sw_b")

    call_command("revoke_api_token", "sw_a", stdout=io.StringIO())

    assert user_for_api_token(first) is None
    assert user_for_api_token(second) is None
    assert user_for_api_token(other) == world.sw_b
    with pytest.raises(CommandError, match="No working token"):
        call_command("revoke_api_token", "sw_a")
