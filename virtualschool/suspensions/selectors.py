"""Every read of suspensions, exclusion risks and reduced timetables, scoped to the children the user may see.

``suspensions_for_children`` and ``suspension_facts`` are the functions a duties engine uses: the suspensions of
a set of children with the dates each was told about and the paperwork, and what is late or missing.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from virtualschool.accounts.models import Role
from virtualschool.children.models import Child, Cohort
from virtualschool.children.selectors import children_visible_to
from virtualschool.core.calendar import SchoolCalendar, school_calendar
from virtualschool.core.selectors import policy_get
from virtualschool.placements.models import EducationPlacement
from virtualschool.placements.selectors import current_placement_q
from virtualschool.schools.models import School

from . import assess
from .models import ExclusionRisk, ReducedTimetable, ReducedTimetableReview, Suspension, SuspensionPolicy


def suspension_policy() -> SuspensionPolicy:
    """The suspension policy row (made with the defaults if missing)."""
    policy, _ = SuspensionPolicy.objects.get_or_create(pk=1)
    return policy


def schools_for_recording(user: Any) -> QuerySet[School]:
    """Schools whose suspensions `user` may record: any for the Virtual School; a designated teacher's own."""
    if user is None or not user.is_authenticated or not user.is_active:
        return School.objects.none()
    if user.role == Role.DESIGNATED_TEACHER:
        today = timezone.localdate()
        taught = EducationPlacement.objects.filter(designated_teacher=user).filter(
            Q(end_date__isnull=True) | Q(end_date__gte=today)
        )
        return School.objects.filter(Q(staff__user=user) | Q(pk__in=taught.values("school_id"))).distinct()
    if user.has_perm("suspensions.add_suspension", None):
        return School.objects.all()
    return School.objects.none()


def suspensions_visible_to(user: Any) -> QuerySet[Suspension]:
    return Suspension.objects.filter(child__in=children_visible_to(user))


def suspensions_for_child(*, user: Any, child: Child) -> QuerySet[Suspension]:
    """A child's suspensions and exclusions, newest first (empty if `user` may not see the child)."""
    return suspensions_visible_to(user).filter(child=child).select_related("school").order_by("-start_date", "-pk")


def suspension_get(*, user: Any, pk: int) -> Suspension:
    """One suspension `user` may see; Suspension.DoesNotExist otherwise (callers answer 404)."""
    return suspensions_visible_to(user).select_related("child", "school").get(pk=pk)


def suspensions_for_children(
    *, user: Any, child_ids: Iterable[int], start: dt.date | None = None, end: dt.date | None = None
) -> QuerySet[Suspension]:
    """The suspensions of a set of children `user` may see (with their told and paperwork dates), oldest first;
    limited to those starting from `start` to `end` when given."""
    qs = suspensions_visible_to(user).filter(child_id__in=list(child_ids))
    if start is not None:
        qs = qs.filter(start_date__gte=start)
    if end is not None:
        qs = qs.filter(start_date__lte=end)
    return qs.select_related("school", "child").order_by("child_id", "start_date", "pk")


def risks_for_child(*, user: Any, child: Child) -> QuerySet[ExclusionRisk]:
    return ExclusionRisk.objects.filter(child__in=children_visible_to(user).filter(pk=child.pk)).select_related(
        "school"
    )


def risk_get(*, user: Any, pk: int) -> ExclusionRisk:
    return ExclusionRisk.objects.filter(child__in=children_visible_to(user)).select_related("child").get(pk=pk)


def timetables_visible_to(user: Any) -> QuerySet[ReducedTimetable]:
    return ReducedTimetable.objects.filter(child__in=children_visible_to(user)).prefetch_related(
        Prefetch("reviews", queryset=ReducedTimetableReview.objects.order_by("due_on", "pk"))
    )


def timetables_for_child(*, user: Any, child: Child) -> QuerySet[ReducedTimetable]:
    return timetables_visible_to(user).filter(child=child).select_related("school")


def timetable_get(*, user: Any, pk: int) -> ReducedTimetable:
    return timetables_visible_to(user).select_related("child", "school").get(pk=pk)


# ---------------------------------------------------------------------------------------------------------
# What each suspension needs: told, paperwork, day 6, the governors' thresholds
# ---------------------------------------------------------------------------------------------------------


# The governing board considers a permanent exclusion within 15 school days of being told of it (DfE guidance).
GOVERNORS_SCHOOL_DAYS = 15


@dataclass(frozen=True)
class SuspensionFacts:
    """A suspension with every rule applied on `today` (computed, never stored)."""

    suspension: Suspension
    vs_told: str
    social_worker_told: str
    reviewing_officer_told: str
    paperwork: str
    paperwork_due: dt.date
    day6_status: str  # "", "arranged", "due", "overdue"
    missing_for_final: tuple[str, ...] = ()
    governors_by: dt.date | None = None  # a permanent exclusion: the governors consider it within 15 school days
    not_invited: tuple[str, ...] = ()  # a return meeting held without inviting the Virtual School or social worker

    @property
    def late_told(self) -> list[str]:
        who = (
            ("the Virtual School", self.vs_told),
            ("the social worker", self.social_worker_told),
            ("the reviewing officer", self.reviewing_officer_told),
        )
        return [name for name, status in who if status != assess.ON_TIME]

    @property
    def late_told_text(self) -> str:
        """'The social worker and the reviewing officer not told on the day', or ''."""
        late = assess.join_words(self.late_told)
        return f"{late[:1].upper()}{late[1:]} not told on the day" if late else ""

    @property
    def paperwork_flag(self) -> bool:
        return self.paperwork in (assess.MISSING, assess.RECEIVED_LATE)


def suspension_facts(
    suspension: Suspension, *, today: dt.date, policy: SuspensionPolicy, calendar: SchoolCalendar
) -> SuspensionFacts:
    s = suspension
    day6 = ""
    if s.full_time_from is not None:
        if s.provision_day6.strip():
            day6 = "arranged"
        elif today >= s.full_time_from:
            day6 = "overdue"
        else:
            window = calendar.add_school_days(today, policy.day6_due_soon_school_days)
            day6 = "due" if s.full_time_from <= window else "upcoming"
    return SuspensionFacts(
        suspension=s,
        vs_told=assess.told_status(s.vs_told_on, s.decided_on),
        social_worker_told=assess.told_status(s.social_worker_told_on, s.decided_on),
        reviewing_officer_told=assess.told_status(s.reviewing_officer_told_on, s.decided_on),
        paperwork=assess.paperwork_status(s.paperwork_received_on, s.decided_on, policy.paperwork_hours, today),
        paperwork_due=assess.paperwork_due(s.decided_on, policy.paperwork_hours),
        day6_status=day6,
        missing_for_final=tuple(assess.meeting_missing(s)) if s.is_permanent else (),
        governors_by=calendar.add_school_days(s.decided_on, GOVERNORS_SCHOOL_DAYS) if s.is_permanent else None,
        not_invited=tuple(
            who
            for who, invited in (
                ("the Virtual School", s.reintegration_vs_invited),
                ("the social worker", s.reintegration_sw_invited),
            )
            if s.reintegration_meeting_on and not invited
        ),
    )


PERMANENT_SENTENCE = "A permanent exclusion: the governing board must consider reinstatement"


@dataclass
class ChildSuspensionSummary:
    child: Child
    suspensions: list[Suspension]
    terms: list[assess.PeriodTotal]
    years: list[assess.PeriodTotal]
    pattern: assess.Pattern | None
    permanent: list[Suspension] = field(default_factory=list)

    @property
    def flags(self) -> list[tuple[str, str]]:
        """(period label, flag) for each threshold crossed, and each permanent exclusion."""
        found = [(t.label, f) for t in [*self.terms, *self.years] for f in t.flags]
        found += [(str(p), assess.MUST_CONSIDER) for p in self.permanent]
        return found

    def flag_sentences(self, policy: SuspensionPolicy) -> list[tuple[str, str]]:
        """(period or exclusion, what the governing board must do) for each flag."""
        sentences = [(t.label, assess.flag_sentence(f, policy)) for t in [*self.terms, *self.years] for f in t.flags]
        sentences += [(str(p), PERMANENT_SENTENCE) for p in self.permanent]
        return sentences


def child_summary(
    child: Child, suspensions: list[Suspension], *, policy: SuspensionPolicy, calendar: SchoolCalendar
) -> ChildSuspensionSummary:
    return ChildSuspensionSummary(
        child=child,
        suspensions=suspensions,
        terms=assess.term_totals(
            suspensions, calendar, if_asked=policy.term_days_if_parents_ask, must=policy.term_days_must_consider
        ),
        years=assess.year_totals(suspensions, calendar, maximum=policy.year_days_maximum),
        pattern=assess.find_pattern(
            suspensions,
            calendar,
            in_term=policy.pattern_in_term,
            in_rolling=policy.pattern_in_rolling_period,
            rolling_months=policy.pattern_rolling_months,
        ),
        permanent=[s for s in suspensions if s.is_permanent],
    )


# ---------------------------------------------------------------------------------------------------------
# Reduced timetables and hours below full-time
# ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PartTimeConcern:
    child: Child
    placement: EducationPlacement
    hours: Decimal
    full_time: Decimal

    @property
    def sentence(self) -> str:
        return (
            f"{assess._n(self.hours)} hours a week at {self.placement.setting_name}, below full-time "
            f"({assess._n(self.full_time)} hours), with no reduced timetable in place"
        )


def part_time_concerns(
    *, user: Any, today: dt.date | None = None, child_ids: Iterable[int] | None = None
) -> list[PartTimeConcern]:
    """Children whose current placement is below full-time hours with no live reduced timetable."""
    today = today or timezone.localdate()
    core = policy_get()
    # Only hours below the larger of the two full-time figures can be below full-time: filter in the database.
    ceiling = max(core.full_time_hours_school_age, core.full_time_hours_post16)
    placements = (
        EducationPlacement.objects.filter(current_placement_q(today), hours_per_week__lt=ceiling)
        .filter(child__in=children_visible_to(user))
        .select_related("child", "school")
        .only(
            "id",
            "child",
            "school",
            "setting_type",
            "provider_name",
            "hours_per_week",
            "start_date",
            "end_date",
            *CHILD_FIELDS,
            *SCHOOL_FIELDS,
        )
    )
    if child_ids is not None:
        placements = placements.filter(child_id__in=list(child_ids))
    live = set(
        ReducedTimetable.objects.filter(start_date__lte=today)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=today))
        .values_list("child_id", flat=True)
    )
    found = []
    for placement in placements:
        child = placement.child
        full = assess.full_time_hours(
            child.nc_year(today), school_age=core.full_time_hours_school_age, post16=core.full_time_hours_post16
        )
        hours = placement.hours_per_week
        if full is None or hours is None or hours >= full or child.pk in live:
            continue
        found.append(PartTimeConcern(child, placement, hours, full))
    return found


# What the overview's lists show of a child and a school, and of a suspension (not its long texts or stamps):
# loading whole rows for each suspension costs more than the rest of the overview.
CHILD_FIELDS = (
    "child__id",
    "child__first_name",
    "child__preferred_name",
    "child__last_name",
    "child__date_of_birth",
    "child__social_care_reference",
)
SCHOOL_FIELDS = ("school__id", "school__name", "school__urn")
LONG_TEXT = {
    "details",
    "provision_day1",
    "reintegration_attendees",
    "meeting_alternatives",
    "created_at",
    "modified_at",
    "created_by",
    "modified_by",
}
OVERVIEW_FIELDS = (
    *(f.name for f in Suspension._meta.concrete_fields if f.name not in LONG_TEXT),
    *CHILD_FIELDS,
    *SCHOOL_FIELDS,
)


# ---------------------------------------------------------------------------------------------------------
# The overview at /suspensions/
# ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Figures:
    """The monthly measures of seed 002 for the children in the overview: the share of the roll suspended at
    least once this school year, and on a reduced timetable today."""

    roll: int  # looked-after children on the roll (open records) in the overview's scope and filters
    suspended: int
    permanently_excluded: int
    reduced_timetable: int

    @staticmethod
    def _percent(part: int, whole: int) -> str:
        return f"{100 * part / whole:.1f}%" if whole else "–"

    @property
    def suspended_percent(self) -> str:
        return self._percent(self.suspended, self.roll)

    @property
    def reduced_timetable_percent(self) -> str:
        return self._percent(self.reduced_timetable, self.roll)


@dataclass
class Overview:
    recent: list[SuspensionFacts]
    late_told: list[SuspensionFacts]
    paperwork: list[SuspensionFacts]
    day6: list[SuspensionFacts]
    thresholds: list[tuple[ChildSuspensionSummary, str, str]]  # summary, period label, sentence
    patterns: list[ChildSuspensionSummary]
    awaiting_meeting: list[SuspensionFacts]
    timetables_overdue: list[tuple[ReducedTimetable, assess.TimetableState]]
    part_time: list[PartTimeConcern]
    open_risks: list[ExclusionRisk]
    figures: Figures | None = None


def overview(
    *, user: Any, today: dt.date | None = None, school_id: int | None = None, lead_id: int | None = None
) -> Overview:
    """Everything the Virtual School follows up: suspensions of this school year and what is late or due."""
    today = today or timezone.localdate()
    policy = suspension_policy()
    calendar = school_calendar()
    children = children_visible_to(user)
    if lead_id:
        children = children.filter(allocated_lead_id=lead_id)
    year_start = dt.date(today.year if today.month >= 9 else today.year - 1, 9, 1)
    rolling_start = min(year_start, dt.date(today.year - 1, today.month, 1))
    qs = (
        Suspension.objects.filter(child__in=children, start_date__gte=rolling_start)
        .select_related("child", "school")
        .only(*OVERVIEW_FIELDS)
    )
    if school_id:
        qs = qs.filter(school_id=school_id)
    rows = list(qs.order_by("-start_date", "-pk"))
    facts = [suspension_facts(s, today=today, policy=policy, calendar=calendar) for s in rows]
    this_year = [f for f in facts if f.suspension.start_date >= year_start]
    by_child: dict[int, list[Suspension]] = defaultdict(list)
    for s in rows:
        by_child[s.child_id].append(s)
    thresholds: list[tuple[ChildSuspensionSummary, str, str]] = []
    patterns: list[ChildSuspensionSummary] = []
    for suspensions in by_child.values():
        summary = child_summary(suspensions[0].child, suspensions, policy=policy, calendar=calendar)
        thresholds += [(summary, label, sentence) for label, sentence in summary.flag_sentences(policy)]
        if summary.pattern is not None:
            patterns.append(summary)
    timetables = ReducedTimetable.objects.filter(child__in=children).select_related("child", "school")
    if school_id:
        timetables = timetables.filter(school_id=school_id)
    overdue = []
    for timetable in timetables.prefetch_related("reviews"):
        state = assess.timetable_state(timetable, timetable.reviews.all(), today)
        if state.overdue:
            overdue.append((timetable, state))
    part_time = part_time_concerns(user=user, today=today, child_ids=children.values_list("pk", flat=True))
    if school_id:
        part_time = [c for c in part_time if c.placement.school_id == school_id]
    risks = ExclusionRisk.objects.filter(child__in=children, closed_on__isnull=True).select_related("child", "school")
    if school_id:
        risks = risks.filter(school_id=school_id)
    roll = children.filter(closed_on__isnull=True, cohort=Cohort.LOOKED_AFTER)
    if school_id:
        at_school = EducationPlacement.objects.filter(current_placement_q(today), school_id=school_id)
        roll = roll.filter(pk__in=at_school.values("child_id"))
    roll_ids = set(roll.values_list("pk", flat=True))
    live_timetables = (
        ReducedTimetable.objects.filter(child_id__in=roll.values("pk"), start_date__lte=today)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=today))
        .values_list("child_id", flat=True)
        .distinct()
    )
    figures = Figures(
        roll=len(roll_ids),
        suspended=len({f.suspension.child_id for f in this_year if not f.suspension.is_permanent} & roll_ids),
        permanently_excluded=len({f.suspension.child_id for f in this_year if f.suspension.is_permanent}),
        reduced_timetable=len(set(live_timetables)),
    )
    return Overview(
        figures=figures,
        recent=this_year,
        late_told=[f for f in this_year if f.late_told],
        paperwork=[f for f in this_year if f.paperwork_flag],
        day6=[f for f in this_year if f.day6_status in ("due", "overdue")],
        thresholds=thresholds,
        patterns=patterns,
        awaiting_meeting=[f for f in this_year if f.suspension.is_permanent and not f.suspension.is_final],
        timetables_overdue=overdue,
        part_time=part_time,
        open_risks=list(risks),
    )
