"""When PEPs are due: pure functions over a child's PEPs, placements and care reviews (no queries here).

Every number comes from PepPolicy; working days are England's (core.calendar, bank holidays included), terms
are the authority's term dates (core.calendar.SchoolCalendar). docs/peps.md gives each rule and its source.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from virtualschool.core.calendar import SchoolCalendar, add_months, add_working_days
from virtualschool.core.templatetags.govuk import govuk_date

from .models import MeetingMode, PepStatus, PepType

DONE, DONE_LATE, DUE, OVERDUE = "done", "done_late", "due", "overdue"
STATUS_LABELS = {DONE: "Done", DONE_LATE: "Done late", DUE: "Due", OVERDUE: "Overdue"}
STATUS_TAGS = {
    DONE: "govuk-tag--green",
    DONE_LATE: "govuk-tag--yellow",
    DUE: "govuk-tag--blue",
    OVERDUE: "govuk-tag--red",
}


@dataclass(frozen=True)
class DueItem:
    """One duty about a child's PEPs: what, by when, and whether (and when) it was met."""

    key: str
    label: str
    due_on: dt.date
    done_on: dt.date | None
    child_id: int
    pep_id: int | None = None
    detail: str = ""

    def status(self, today: dt.date) -> str:
        if self.done_on is not None:
            return DONE if self.done_on <= self.due_on else DONE_LATE
        return OVERDUE if today > self.due_on else DUE

    def days_late(self, today: dt.date) -> int:
        end = self.done_on or today
        return max((end - self.due_on).days, 0)


def _reviews(start: dt.date | None, recorded: Sequence[dt.date], policy: Any) -> Iterator[dt.date]:
    """The child's care reviews in order, without end: recorded dates where there are any, the schedule between.

    The schedule is the first review `first_care_review_days` after the period of care began, the second
    `second_care_review_months` after the first, then every `later_care_review_months`. A recorded review held
    early or late takes the place of the scheduled one, and the schedule runs on from its date.
    """
    known = sorted({d for d in recorded if start is None or d >= start})
    index, count = 0, 0
    upcoming = start + dt.timedelta(days=policy.first_care_review_days) if start else None
    while upcoming is not None or index < len(known):
        booked = known[index] if index < len(known) else None
        if booked is not None and (upcoming is None or booked < _after(upcoming, count + 1, policy)):
            review, index = booked, index + 1
        else:
            assert upcoming is not None
            review = upcoming
        count += 1
        yield review
        upcoming = _after(review, count, policy)


def care_review_dates(
    start: dt.date | None, recorded: Sequence[dt.date], policy: Any, *, until: dt.date
) -> list[dt.date]:
    """Every care review up to and including `until`."""
    dates = []
    for review in _reviews(start, recorded, policy):
        if review > until:
            break
        dates.append(review)
    return dates


def _after(review: dt.date, number_done: int, policy: Any) -> dt.date:
    months = policy.second_care_review_months if number_done == 1 else policy.later_care_review_months
    return add_months(review, months)


def next_care_review(start: dt.date | None, recorded: Sequence[dt.date], policy: Any, on: dt.date) -> dt.date | None:
    """The first care review on or after `on` (a recorded one if booked, else the schedule's)."""
    for review in _reviews(start, recorded, policy):
        if review >= on:
            return review
    return None


def next_meeting_error(next_meeting: dt.date | None, next_review: dt.date | None) -> str:
    """'' when the next PEP meeting falls before the next care review, else what to change."""
    if next_meeting is None:
        return "Enter the date of the next PEP meeting"
    if next_review is not None and next_meeting >= next_review:
        return (
            f"The next PEP meeting must be before the child's next care review on {next_review.day} "
            f"{next_review:%B %Y}: choose an earlier date"
        )
    return ""


def is_out_of_authority(school_la_code: str | None, home_la_code: str) -> bool:
    return bool(school_la_code) and school_la_code != home_la_code


def due_items(
    *,
    child: Any,
    peps: Iterable[Any],
    placements: Iterable[Any],
    care_reviews: Sequence[dt.date],
    policy: Any,
    calendar: SchoolCalendar,
    today: dt.date,
    home_la_code: str,
) -> list[DueItem]:
    """Every PEP duty for one child as at `today`, earliest first."""
    peps = sorted(peps, key=lambda p: (p.started_on or p.meeting_held_on or dt.date.min, p.pk or 0))
    placements = sorted(placements, key=lambda p: p.start_date)
    items: list[DueItem] = []
    start = child.period_of_care_start
    in_care = start is not None and child.cohort == "cla" and child.closed_on is None
    if not in_care or start is None:
        return items
    horizon = today - dt.timedelta(days=366)

    # Initial PEP: started within 10 working days, meeting held within 20, of entering care.
    if start >= horizon:
        after_entry = [p for p in peps if p.started_on and p.started_on >= start]
        first_started = min((p.started_on for p in after_entry), default=None)
        initial = next((p for p in peps if p.pep_type == PepType.INITIAL), None)
        items.append(
            DueItem(
                "initial-started",
                "Initial PEP started",
                add_working_days(start, policy.initial_start_working_days),
                first_started,
                child.pk,
                initial.pk if initial else None,
                f"{policy.initial_start_working_days} working days after entering care on {govuk_date(start)}",
            )
        )
        held = [p.meeting_held_on for p in after_entry if p.meeting_held_on]
        items.append(
            DueItem(
                "initial-held",
                "Initial PEP meeting held",
                add_working_days(start, policy.initial_meeting_working_days),
                min(held, default=None),
                child.pk,
                initial.pk if initial else None,
                f"{policy.initial_meeting_working_days} working days after entering care on {govuk_date(start)}",
            )
        )

    # A change of school: a new PEP within 10 working days of starting at the new school.
    schools = [p for p in placements if p.school_id]
    for previous, current in itertools.pairwise(schools):
        if current.school_id == previous.school_id or current.start_date < max(start, horizon):
            continue
        started = min((p.started_on for p in peps if p.started_on and p.started_on >= current.start_date), default=None)
        items.append(
            DueItem(
                f"change-of-school-{current.pk}",
                "New PEP after a change of school",
                add_working_days(current.start_date, policy.change_of_school_working_days),
                started,
                child.pk,
                None,
                f"Started at a new school on {govuk_date(current.start_date)}",
            )
        )

    # One PEP a term: the previous term's and this term's meeting held by the end of the term.
    term = calendar.term_for(today)
    previous_term = calendar.previous_term(term)
    for t in (previous_term, term):
        if t.end < start:
            continue
        held = [
            p.meeting_held_on
            for p in peps
            if p.academic_year == t.academic_year and p.term == t.term and p.meeting_held_on
        ]
        term_pep = next((p for p in peps if p.academic_year == t.academic_year and p.term == t.term), None)
        items.append(
            DueItem(
                f"termly-{t.key}",
                f"PEP meeting, {t.label[0].lower()}{t.label[1:]}",
                t.end,
                min(held, default=None),
                child.pk,
                term_pep.pk if term_pep else None,
                f"One PEP a term: by the last day of term, {govuk_date(t.end)}",
            )
        )

    # The document ready for QA within 20 days of the meeting.
    for pep in peps:
        if not pep.meeting_held_on or pep.meeting_held_on < horizon:
            continue
        items.append(
            DueItem(
                f"qa-ready-{pep.pk}",
                f"{pep.term_label} PEP submitted for quality assurance",
                pep.meeting_held_on + dt.timedelta(days=policy.qa_ready_days),
                pep.submitted_on,
                child.pk,
                pep.pk,
                f"{policy.qa_ready_days} days after the meeting on {govuk_date(pep.meeting_held_on)}",
            )
        )

    held_peps = sorted((p for p in peps if p.meeting_held_on), key=lambda p: p.meeting_held_on)
    current_school = next((p for p in reversed(placements) if p.school_id and p.end_date is None), None)
    school_la = getattr(getattr(current_school, "school", None), "la_code", None) if current_school else None
    if is_out_of_authority(school_la, home_la_code):
        last_three = held_peps[-3:]
        virtual = sum(1 for p in last_three if p.meeting_mode == MeetingMode.VIRTUAL)
        limit = policy.out_of_area_max_virtual_of_three
        if virtual > limit:
            items.append(
                DueItem(
                    "in-person",
                    "PEP meeting in person",
                    last_three[-1].meeting_held_on,
                    None,
                    child.pk,
                    last_three[-1].pk,
                    f"{virtual} of the last three meetings were virtual: at most {limit} may be (out of authority)",
                )
            )
        elif (
            last_three
            and 0 < limit < 3
            and len(last_three) >= limit
            and all(p.meeting_mode == MeetingMode.VIRTUAL for p in last_three[-limit:])
        ):
            nxt = last_three[-1].next_meeting_date or add_months(last_three[-1].meeting_held_on, 4)
            items.append(
                DueItem(
                    "in-person",
                    "Next PEP meeting in person",
                    nxt,
                    None,
                    child.pk,
                    None,
                    f"The last {limit} meetings were virtual: out of authority, no more than {limit} of 3 may be",
                )
            )
    elif held_peps:
        in_person = [p.meeting_held_on for p in held_peps if p.meeting_mode == MeetingMode.IN_PERSON]
        last_in_person = max(in_person, default=None)
        anchor = last_in_person or held_peps[0].meeting_held_on
        due = add_months(anchor, 12)
        items.append(
            DueItem(
                "in-person",
                "PEP meeting in person this year",
                due,
                None if not last_in_person or last_in_person < today - dt.timedelta(days=365) else last_in_person,
                child.pk,
                None,
                f"At least {policy.in_person_meetings_per_year} meeting a year in person"
                + (f"; the last was on {govuk_date(last_in_person)}" if last_in_person else "; none recorded yet"),
            )
        )

    # Next meeting as set at the last one; and the PEP with the reviewing officer before the care review.
    if held_peps:
        last = held_peps[-1]
        later = [p for p in peps if p.meeting_held_on and p.meeting_held_on > last.meeting_held_on]
        if last.next_meeting_date and not later:
            items.append(
                DueItem(
                    f"next-meeting-{last.pk}",
                    "Next PEP meeting",
                    last.next_meeting_date,
                    None,
                    child.pk,
                    None,
                    f"Set at the meeting on {govuk_date(last.meeting_held_on)}",
                )
            )
    review = next_care_review(start, care_reviews, policy, today)
    if review is not None:
        share_by = review - dt.timedelta(days=policy.reviewing_officer_days_before_review)
        ready = [
            p.submitted_on
            for p in peps
            if p.submitted_on
            and p.status in {PepStatus.SUBMITTED, PepStatus.APPROVED, PepStatus.RETURNED}
            and p.submitted_on >= add_months(review, -policy.later_care_review_months)
        ]
        items.append(
            DueItem(
                f"iro-{review.isoformat()}",
                "PEP with the reviewing officer",
                share_by,
                max(ready, default=None),
                child.pk,
                None,
                f"{policy.reviewing_officer_days_before_review} days before the care review on {govuk_date(review)}",
            )
        )
    return sorted(items, key=lambda i: (i.due_on, i.key))
