import datetime as dt
import itertools

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from hypothesis import given
from hypothesis import strategies as st

from virtualschool.accounts.models import Role
from virtualschool.accounts.tests.factories import UserFactory
from virtualschool.core.calendar import SchoolCalendar, TermDates, estimated_terms, school_calendar
from virtualschool.core.models import AuditEvent, SchoolTerm
from virtualschool.core.services import school_closure_save, school_term_delete, school_term_save
from virtualschool.demo import catalogue

# The demo authority's (invented) term dates for 2025/26 to 2027/28, as an administrator would enter them.
CONFIGURED = [
    TermDates(year, t["term"], t["start_date"], t["end_date"], t["half_term_start"], t["half_term_end"], True)
    for year in (2025, 2026, 2027)
    for t in catalogue.term_dates(year)
]
CALENDAR = SchoolCalendar(CONFIGURED, [(dt.date(2026, 11, 27), dt.date(2026, 11, 27), "Staff training day")])

days = st.dates(min_value=dt.date(2025, 9, 1), max_value=dt.date(2028, 6, 30))


def test_term_dates_of_the_demo_year_are_the_configured_ones():
    autumn = CALENDAR.term(2026, "autumn")
    assert (autumn.start, autumn.end) == (dt.date(2026, 9, 2), dt.date(2026, 12, 18))
    assert autumn.configured
    assert autumn.label == "Autumn term 2026/27"


def test_half_term_holidays_and_closure_days_are_not_school_days():
    assert CALENDAR.problem(dt.date(2026, 10, 28)) == "half term"
    assert CALENDAR.problem(dt.date(2026, 12, 21)) == "outside the term dates (a school holiday)"
    assert CALENDAR.problem(dt.date(2026, 11, 27)) == "a school closure day (Staff training day)"
    assert CALENDAR.problem(dt.date(2026, 12, 5)) == "a Saturday"
    assert CALENDAR.problem(dt.date(2026, 8, 31)) == "a bank holiday (Late Summer Bank Holiday)"
    assert CALENDAR.is_school_day(dt.date(2026, 12, 18))


def test_ten_school_days_from_a_december_suspension_skip_the_christmas_holiday():
    # Monday 14 December 2026: four school days left in term (15 to 18 December), then term resumes Monday
    # 4 January 2027, so the tenth school day after is Monday 11 January.
    assert CALENDAR.add_school_days(dt.date(2026, 12, 14), 10) == dt.date(2027, 1, 11)
    assert CALENDAR.school_days_between(dt.date(2026, 12, 14), dt.date(2027, 1, 11)) == 10


def test_school_days_across_easter_skip_the_holiday_and_the_bank_holidays():
    # Spring 2026 ends Thursday 2 April; summer begins Monday 13 April.
    assert CALENDAR.next_school_day(dt.date(2026, 4, 2)) == dt.date(2026, 4, 13)
    assert CALENDAR.previous_school_day(dt.date(2026, 4, 13)) == dt.date(2026, 4, 2)


def test_school_days_run_on_across_academic_years():
    # Summer 2026 ends Wednesday 22 July; the autumn term of 2026/27 starts Wednesday 2 September.
    assert CALENDAR.add_school_days(dt.date(2026, 7, 21), 2) == dt.date(2026, 9, 2)


def test_a_holiday_belongs_to_the_term_that_follows_it():
    assert CALENDAR.term_for(dt.date(2026, 12, 28)).key == "2026-spring"
    assert CALENDAR.term_for(dt.date(2026, 8, 10)).key == "2026-autumn"
    assert CALENDAR.term_for(dt.date(2026, 11, 3)).key == "2026-autumn"


def test_terms_between_list_every_term_a_period_touches():
    keys = [t.key for t in CALENDAR.terms_between(dt.date(2026, 11, 1), dt.date(2027, 5, 1))]
    assert keys == ["2026-autumn", "2026-spring", "2026-summer"]


def test_a_year_without_term_dates_has_estimated_terms_and_every_working_day_is_a_school_day():
    calendar = SchoolCalendar()
    spring = calendar.term(2030, "spring")
    assert not spring.configured
    assert (spring.start, spring.end) == (dt.date(2031, 1, 1), dt.date(2031, 4, 13))  # Easter Sunday 2031
    assert calendar.is_school_day(dt.date(2030, 12, 23))  # a Monday in what would be a holiday
    assert not calendar.is_school_day(dt.date(2030, 12, 25))


def test_days_are_counted_in_the_unit_a_rule_names():
    start = dt.date(2026, 12, 14)
    assert CALENDAR.add_days(start, 10, "school") == dt.date(2027, 1, 11)
    # 15-18 and 21-24 December, then Christmas (Friday 25) and Boxing Day (observed Monday 28): 29 and 30.
    assert CALENDAR.add_days(start, 10, "working") == dt.date(2026, 12, 30)
    assert CALENDAR.add_days(start, 10, "calendar") == dt.date(2026, 12, 24)
    with pytest.raises(ValueError, match="Unknown unit"):
        CALENDAR.add_days(start, 10, "fortnights")


@given(days, st.integers(min_value=0, max_value=80))
def test_adding_then_counting_school_days_agree(start, n):
    end = CALENDAR.add_school_days(start, n)
    assert CALENDAR.school_days_between(start, end) == n
    assert n == 0 or CALENDAR.is_school_day(end)


@given(days)
def test_every_day_falls_in_or_before_exactly_one_term(day):
    term = CALENDAR.term_for(day)
    assert term.contains(day) or term.start > day
    containing = [t for t in CALENDAR.terms_between(day, day) if t.contains(day)]
    assert len(containing) <= 1


@given(days)
def test_the_latest_school_day_is_never_after_the_day(day):
    latest = CALENDAR.latest_school_day(day)
    assert latest <= day and CALENDAR.is_school_day(latest)
    assert CALENDAR.first_school_day_from(day) >= day


def test_estimated_terms_cover_the_whole_academic_year():
    terms = estimated_terms(2026)
    assert terms[0].start == dt.date(2026, 9, 1) and terms[-1].end == dt.date(2027, 8, 31)
    for earlier, later in itertools.pairwise(terms):
        assert later.start == earlier.end + dt.timedelta(days=1)


@pytest.mark.django_db
def test_the_head_enters_term_dates_on_the_record_and_the_calendar_uses_them():
    head = UserFactory(role=Role.VIRTUAL_SCHOOL_HEAD)
    term = school_term_save(
        actor=head,
        academic_year=2026,
        term="autumn",
        start_date=dt.date(2026, 9, 2),
        end_date=dt.date(2026, 12, 18),
        half_term_start=dt.date(2026, 10, 26),
        half_term_end=dt.date(2026, 10, 30),
    )
    school_closure_save(
        actor=head, start_date=dt.date(2026, 11, 27), end_date=dt.date(2026, 11, 27), reason="Staff training day"
    )
    calendar = school_calendar()
    assert calendar.is_configured(2026)
    assert calendar.problem(dt.date(2026, 10, 27)) == "half term"
    assert not calendar.is_school_day(dt.date(2026, 11, 27))
    created = AuditEvent.objects.filter(object_type="core.schoolterm", action=AuditEvent.Action.CREATE).get()
    assert created.actor == head and created.changes["start_date"] == [None, "2026-09-02"]

    school_term_save(actor=head, school_term=term, end_date=dt.date(2026, 12, 17))
    changed = AuditEvent.objects.filter(object_type="core.schoolterm", action=AuditEvent.Action.UPDATE).get()
    assert changed.changes["end_date"] == ["2026-12-18", "2026-12-17"]
    school_term_delete(actor=head, school_term=term)
    assert not SchoolTerm.objects.exists()
    assert AuditEvent.objects.filter(object_type="core.schoolterm", action=AuditEvent.Action.DELETE).exists()


@pytest.mark.django_db
def test_a_half_term_outside_its_term_is_refused_with_a_reason():
    head = UserFactory(role=Role.VIRTUAL_SCHOOL_HEAD)
    with pytest.raises(ValidationError, match="Half term must start and end inside the term"):
        school_term_save(
            actor=head,
            academic_year=2026,
            term="autumn",
            start_date=dt.date(2026, 9, 2),
            end_date=dt.date(2026, 12, 18),
            half_term_start=dt.date(2026, 12, 21),
            half_term_end=dt.date(2026, 12, 23),
        )
    assert not SchoolTerm.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.VIRTUAL_SCHOOL_LEAD, Role.DESIGNATED_TEACHER, Role.SOCIAL_WORKER])
def test_only_administrators_and_the_head_change_term_dates(role):
    with pytest.raises(PermissionDenied):
        school_term_save(
            actor=UserFactory(role=role),
            academic_year=2026,
            term="autumn",
            start_date=dt.date(2026, 9, 2),
            end_date=dt.date(2026, 12, 18),
        )
