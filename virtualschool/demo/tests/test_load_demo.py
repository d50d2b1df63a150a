"""The full demo, loaded once through the services into the test database, as `make run` loads it."""

from __future__ import annotations

import io
import json
from collections import Counter

import pytest
from django.core.management import call_command
from django.utils import timezone

from virtualschool.accounts.models import Role, User
from virtualschool.children.models import Child
from virtualschool.children.selectors import children_visible_to
from virtualschool.core.models import AuditEvent
from virtualschool.core.selectors import policy_get
from virtualschool.placements.models import EducationPlacement
from virtualschool.placements.selectors import children_missing_education
from virtualschool.schools.models import School, SchoolStaff

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module", autouse=True)
def demo(django_db_setup, django_db_blocker):
    """Load the demo once for this module and empty the database afterwards."""
    with django_db_blocker.unblock():
        out = io.StringIO()
        call_command("load_demo", force=True, stdout=out)
        yield out.getvalue()
        call_command("flush", interactive=False, verbosity=0)


def test_demo_loads_about_350_children_and_90_schools(demo):
    assert "Loaded the synthetic demo" in demo
    assert Child.objects.count() == 350
    assert School.objects.count() == 90
    assert School.objects.filter(la_code="999").count() == 60


def test_demo_sets_the_authority_and_its_la_code():
    policy = policy_get()

    assert policy.authority_name == "Exemplar County Council"
    assert policy.la_code == "999"


def test_demo_has_staff_in_every_role_who_can_sign_in_with_the_demo_password():
    roles = set(User.objects.values_list("role", flat=True))
    lead = User.objects.get(username="lead1")

    assert roles == set(Role.values)
    assert lead.check_password("demo-password-2026")
    assert User.objects.get(username="admin").is_staff
    assert all(User.objects.get(username=f"lead{n}").caseload.exists() for n in range(1, 7))


def test_demo_writes_were_audited_by_the_people_who_made_them():
    actors = Counter(AuditEvent.objects.filter(action="create").values_list("actor__username", flat=True))
    child = Child.objects.order_by("pk").first()

    assert actors["admin"] > 0
    assert actors["data"] > 0
    assert actors["head"] > 0
    assert AuditEvent.objects.filter(child_id=child.pk, object_type="children.child", action="create").exists()
    assert AuditEvent.objects.filter(object_type="placements.educationplacement").exists()
    password_hash = User.objects.get(username="lead1").password
    assert all(
        password_hash not in json.dumps(e.changes) for e in AuditEvent.objects.filter(object_type="accounts.user")
    )


def test_loading_the_demo_again_changes_nothing():
    children, events = Child.objects.count(), AuditEvent.objects.count()
    out = io.StringIO()

    call_command("load_demo", force=True, stdout=out)

    assert "already loaded" in out.getvalue()
    assert (Child.objects.count(), AuditEvent.objects.count()) == (children, events)


def test_every_designated_teacher_sees_only_children_at_their_schools():
    today = timezone.localdate()
    teachers = User.objects.filter(role=Role.DESIGNATED_TEACHER)
    seen_any = 0
    for teacher in teachers:
        schools = set(SchoolStaff.objects.filter(user=teacher).values_list("school_id", flat=True))
        at_their_schools = {
            p.child_id
            for p in EducationPlacement.objects.filter(school_id__in=schools)
            if p.end_date is None or p.end_date >= today
        }
        visible = set(children_visible_to(teacher).values_list("pk", flat=True))
        assert visible == at_their_schools, teacher.username
        seen_any += bool(visible)
    assert teachers.count() >= 40
    assert seen_any >= 20


def test_shared_designated_teacher_sees_children_of_both_schools():
    teacher = User.objects.get(username="dt1")
    schools = {
        p.school_id for c in children_visible_to(teacher) for p in c.education_placements.filter(end_date__isnull=True)
    }

    assert SchoolStaff.objects.filter(user=teacher).count() == 2
    assert len(schools) == 2


def test_demo_shows_missing_education_part_time_late_entry_and_flagged_upn():
    head = User.objects.get(username="head")
    today = timezone.localdate()
    missing = children_missing_education(user=head)
    part_time = [
        p
        for p in EducationPlacement.objects.filter(end_date__isnull=True, hours_per_week__lt=25).select_related("child")
        if p.child.is_school_age(today)
    ]
    late = [c for c in Child.objects.all() if (c.roll_entry_working_days() or 0) > 3]

    assert 3 <= len(missing) <= 4
    assert len({days for _, days in missing}) == len(missing)
    assert part_time
    assert late
    assert Child.objects.filter(upn_needs_correction=True).exists()
    assert Child.objects.filter(upn="UN1", upn_needs_correction=False).count() == 2


def test_demo_has_advice_only_cohorts_and_closures_this_year():
    year_start = timezone.localdate().replace(month=9, day=1)
    if timezone.localdate().month < 9:
        year_start = year_start.replace(year=year_start.year - 1)

    assert Child.objects.filter(cohort="plac", consent_given_on__isnull=False).count() == 20
    assert Child.objects.filter(cohort="ola").exclude(home_virtual_school_email="").count() == 10
    closed = Child.objects.filter(closed_on__isnull=False)
    assert closed.exists()
    assert all(c.closure_reason and c.closed_on >= year_start for c in closed)


def test_placements_at_schools_below_good_carry_their_reasons():
    inadequate = EducationPlacement.objects.filter(ofsted_rating_at_start="inadequate")
    below_good = EducationPlacement.objects.filter(ofsted_rating_at_start="requires_improvement")

    assert inadequate.exists()
    assert all(p.exceptional_reason_inadequate for p in inadequate)
    assert all(p.rationale_below_good for p in below_good)


def test_demo_has_no_urn_settings_moves_and_directions():
    current = EducationPlacement.objects.filter(end_date__isnull=True)

    assert current.filter(school__isnull=True, setting_type__in=["ap", "tuition"]).exists()
    assert EducationPlacement.objects.filter(reason_for_change="care_move").exists()
    assert EducationPlacement.objects.filter(admission_route__in=["la_direction", "esfa_direction"]).exists()


def test_demo_logins_lists_one_account_per_role_with_the_address():
    out = io.StringIO()

    call_command("demo_logins", port=8123, stdout=out)

    text = out.getvalue()
    assert "http://127.0.0.1:8123/" in text
    for label in Role.labels:
        assert label in text
    assert "demo-password-2026" in text
