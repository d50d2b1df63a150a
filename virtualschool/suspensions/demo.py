"""The suspensions part of the synthetic demo: a handful of suspensions this school year (one pattern, one told
late with the paperwork missing, one whose sixth day is near), a risk of permanent exclusion, a permanent
exclusion with its multi-agency meeting, and two reduced timetables, one overdue. Written through the services."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.utils import timezone

from virtualschool.children.models import Child, Cohort
from virtualschool.core.calendar import SchoolCalendar, school_calendar
from virtualschool.placements.models import EducationPlacement

from . import services


def _back(calendar: SchoolCalendar, today: dt.date, school_days: int) -> dt.date:
    day = calendar.latest_school_day(today)
    for _ in range(school_days):
        day = calendar.previous_school_day(day)
    return day


def _pupils(today: dt.date) -> list[tuple[Child, EducationPlacement]]:
    placements = (
        EducationPlacement.objects.filter(school__isnull=False, end_date__isnull=True, start_date__lte=today)
        .filter(child__cohort=Cohort.LOOKED_AFTER, child__closed_on__isnull=True)
        .select_related("child", "child__social_worker", "child__allocated_lead", "school", "designated_teacher")
        .order_by("child__social_care_reference")
    )
    return [
        (p.child, p)
        for p in placements
        if 6 <= p.child.age_on(today) <= 15 and p.child.social_worker_id and p.start_date <= today - dt.timedelta(60)
    ]


def write_demo(*, users: Mapping[str, Any], schools: Mapping[Any, Any], today: dt.date, seed: int) -> None:
    today = min(today, timezone.localdate())
    calendar = school_calendar()
    data = users["data"]
    pupils = _pupils(today)
    # dt1's pupils first, so that the designated teacher's login shows suspensions.
    pupils.sort(key=lambda cp: getattr(cp[1].designated_teacher, "username", "") != "dt1")
    if len(pupils) < 7:
        return
    (a, pa), (b, pb), (c, pc), (d, pd), (e, pe), (f, pf), (g, pg) = pupils[:7]

    def told(day: dt.date, late: bool = False) -> dict[str, dt.date]:
        later = day + dt.timedelta(days=1 if late else 0)
        return {"vs_told_on": day, "social_worker_told_on": later, "reviewing_officer_told_on": later}

    # A pattern: two suspensions this term for the first child, the second recorded by their designated teacher.
    first = _back(calendar, today, 25)
    s1 = services.suspension_create(
        actor=data,
        child=a,
        school=pa.school,
        decided_on=first,
        start_date=first,
        length_unit="days",
        length=3,
        reasons=["VA", "DB"],
        details="Shouted at a teaching assistant and refused to leave the corridor.",
        paperwork_received_on=first + dt.timedelta(days=1),
        provision_day1="Work set through the online classroom; daily call from the form tutor.",
        **told(first),
    )
    services.suspension_update(
        actor=data,
        suspension=s1,
        reintegration_meeting_on=min(s1.end_date + dt.timedelta(days=3), today),  # type: ignore[operator]
        reintegration_vs_invited=True,
        reintegration_sw_invited=True,
        reintegration_attendees="Designated teacher, Virtual School Lead, social worker, foster carer",
    )
    second = _back(calendar, today, 8)
    services.suspension_create(
        actor=pa.designated_teacher or data,
        child=a,
        school=pa.school,
        decided_on=second,
        start_date=second,
        length_unit="sessions",
        length=3,
        reasons=["PP"],
        details="Pushed another pupil over in the playground.",
        paperwork_received_on=second + dt.timedelta(days=2),
        **told(second),
    )
    # Told late, and the paperwork is missing.
    late = _back(calendar, today, 5)
    services.suspension_create(
        actor=data,
        child=b,
        school=pb.school,
        decided_on=late,
        start_date=late,
        length_unit="days",
        length=1,
        reasons=["DM"],
        details="Damaged a classroom display.",
        **told(late, late=True),
    )
    # A longer suspension whose sixth day is near: full-time education must be arranged.
    long_start = _back(calendar, today, 3)
    services.suspension_create(
        actor=data,
        child=c,
        school=pc.school,
        decided_on=long_start,
        start_date=long_start,
        length_unit="days",
        length=8,
        reasons=["OW"],
        details="Brought a knife to school; police informed.",
        provision_day1="Work packs collected by the carer.",
        paperwork_received_on=long_start,
        **told(long_start),
    )
    # A risk of permanent exclusion.
    services.risk_record(
        actor=data,
        child=d,
        school=pd.school,
        raised_on=_back(calendar, today, 6),
        raised_by="Head of year 9",
        school_said="Behaviour has worsened since the change of care placement; the next serious incident may "
        "lead the headteacher to consider a permanent exclusion.",
    )
    # A permanent exclusion, recorded as final after the multi-agency meeting; the governors upheld it.
    pe_day = _back(calendar, today, 30)
    exclusion = services.suspension_create(
        actor=data,
        child=e,
        school=pe.school,
        category="PERM",
        decided_on=pe_day,
        start_date=pe_day,
        reasons=["PA"],
        details="Assaulted a member of staff.",
        paperwork_received_on=pe_day,
        meeting_on=pe_day,
        meeting_social_worker=str(e.social_worker),
        meeting_carer="Foster carer",
        meeting_reviewing_officer=str(e.reviewing_officer or "Reviewing officer"),
        meeting_vs_lead=str(e.allocated_lead or "Virtual School Lead"),
        meeting_school="Headteacher",
        meeting_alternatives="A managed move and a place at alternative provision were considered and refused.",
        **told(pe_day),
    )
    services.suspension_update(
        actor=data,
        suspension=exclusion,
        is_final=True,
        provision_day6="Full-time place at the local pupil referral unit.",
        provision_day6_arranged_on=pe_day,
        governors_meeting_on=min(pe_day + dt.timedelta(days=14), today),
        governors_outcome="upheld",
    )
    # Two reduced timetables: one in order, one past its review date.
    for child, placement, weeks_ago, review_in in ((f, pf, 2, 14), (g, pg, 8, -7)):
        start = today - dt.timedelta(weeks=weeks_ago)
        services.timetable_create(
            actor=data,
            child=child,
            school=placement.school,
            hours_per_week=15,
            start_date=start,
            end_date=start + dt.timedelta(weeks=12),
            review_dates=[today + dt.timedelta(days=review_in)],
            reason="A phased return after a long absence.",
            pep_reference=f"PEP of {start.day} {start:%B %Y}",
            agreements={
                "social_care": str(child.social_worker),
                "virtual_school": str(child.allocated_lead or "Virtual School Lead"),
                "school": "Designated teacher",
                "carer": "Foster carer",
            },
        )
