"""Every read of children goes through here, scoped to what the user needs to see."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from virtualschool.accounts.models import WHOLE_ROLL_ROLES, Role
from virtualschool.core.calendar import add_months
from virtualschool.core.models import ServicePolicy
from virtualschool.core.selectors import policy_get

from .models import CareEpisode, Child, SdqScore, SenStatus


def child_scope_q(user: Any) -> Q | None:
    """The filter that limits children to `user`'s need to know; None means every child."""
    if user is None or not user.is_authenticated or not user.is_active:
        return Q(pk__in=[])
    role = user.role
    if role in WHOLE_ROLL_ROLES:
        return None
    if role == Role.SEND_SPECIALIST:
        return Q(sen_status__in=[SenStatus.SEN_SUPPORT, SenStatus.EHCP])
    if role == Role.SOCIAL_WORKER:
        return Q(social_worker=user)
    if role == Role.REVIEWING_OFFICER:
        return Q(reviewing_officer=user)
    if role == Role.DESIGNATED_TEACHER:
        # Their school's pupils: a placement there that has not ended (including one about to start,
        # so the school can prepare). Expressed through the reverse relation so this app imports none above it.
        today = timezone.localdate()
        not_ended = Q(education_placements__end_date__isnull=True) | Q(education_placements__end_date__gte=today)
        at_their_school = Q(education_placements__school__staff__user=user) | Q(
            education_placements__designated_teacher=user
        )
        return Q(pk__in=Child.objects.filter(not_ended & at_their_school).values("pk"))
    # PP+ panel members and administrators see no child records here.
    return Q(pk__in=[])


def children_visible_to(user: Any) -> QuerySet[Child]:
    """Children `user` may see."""
    scope = child_scope_q(user)
    qs = Child.objects.all()
    return qs if scope is None else qs.filter(scope)


def child_get(*, user: Any, pk: int) -> Child:
    """One child `user` may see; Child.DoesNotExist when they may not (callers answer 404)."""
    return children_visible_to(user).select_related("allocated_lead", "social_worker", "reviewing_officer").get(pk=pk)


def current_legal_status_subquery() -> Subquery:
    """The legal status of the child's latest episode."""
    return Subquery(CareEpisode.objects.filter(child=OuterRef("pk")).order_by("-start_date").values("legal_status")[:1])


def care_episodes_for_child(*, user: Any, child: Child) -> QuerySet[CareEpisode]:
    """A child's care episodes, newest first (empty if `user` may not see the child)."""
    return CareEpisode.objects.filter(child__in=children_visible_to(user).filter(pk=child.pk)).order_by("-start_date")


def sdq_scores_for_child(*, user: Any, child: Child) -> QuerySet[SdqScore]:
    """A child's SDQs (questionnaires and SSDA903 totals), newest first (empty if `user` may not see the child)."""
    return SdqScore.objects.filter(child__in=children_visible_to(user).filter(pk=child.pk)).order_by(
        "-recorded_on", "respondent"
    )


def sdq_get(*, user: Any, child: Child, pk: int) -> SdqScore:
    """One of a child's SDQs; SdqScore.DoesNotExist when out of scope (callers answer 404)."""
    return sdq_scores_for_child(user=user, child=child).get(pk=pk)


@dataclass(frozen=True)
class SchoolSdqDue:
    """A school SDQ asked for because a carer's SDQ total was above the threshold (computed, never stored).

    The clock starts on the day the carer completed their questionnaire; the school's is due `months` later
    (policy: one month). A teacher's SDQ completed on or after the carer's answers it.
    """

    child_id: int
    carer_sdq_id: int
    carer_completed_on: dt.date
    carer_total: int
    threshold: int
    due_on: dt.date
    school_completed_on: dt.date | None

    @property
    def is_outstanding(self) -> bool:
        return self.school_completed_on is None

    def is_overdue(self, on: dt.date) -> bool:
        return self.is_outstanding and on > self.due_on

    def status(self, on: dt.date) -> str:
        """'due', 'overdue', 'completed' (by the due date) or 'completed_late'."""
        if self.school_completed_on is None:
            return "overdue" if on > self.due_on else "due"
        return "completed" if self.school_completed_on <= self.due_on else "completed_late"


def _sdq_policy(policy: ServicePolicy | None) -> tuple[int, int]:
    policy = policy or policy_get()
    return policy.sdq_carer_threshold, policy.sdq_school_due_months


def school_sdq_due(
    history: Iterable[SdqScore], *, threshold: int, months: int, child_id: int | None = None
) -> SchoolSdqDue | None:
    """The school SDQ a child's history asks for, if any: their latest carer questionnaire scored above `threshold`.

    Only questionnaires recorded here start the clock. An SSDA903 total is dated the 31 March that ends the
    collection year, not the day the carer completed it, so it cannot start a one-month clock.
    """
    rows = list(history)
    carers = [r for r in rows if r.respondent == SdqScore.Respondent.CARER and r.is_questionnaire]
    if not carers:
        return None
    latest = max(carers, key=lambda r: (r.recorded_on, r.pk))
    if latest.total_score is None or latest.total_score <= threshold:
        return None
    answered = [
        r.recorded_on
        for r in rows
        if r.respondent == SdqScore.Respondent.TEACHER and r.recorded_on >= latest.recorded_on
    ]
    return SchoolSdqDue(
        child_id=child_id if child_id is not None else latest.child_id,
        carer_sdq_id=latest.pk,
        carer_completed_on=latest.recorded_on,
        carer_total=latest.total_score,
        threshold=threshold,
        due_on=add_months(latest.recorded_on, months),
        school_completed_on=min(answered) if answered else None,
    )


def sdq_due_for_child(*, user: Any, child: Child, policy: ServicePolicy | None = None) -> SchoolSdqDue | None:
    """The school SDQ due for one child (None when none is asked for, or `user` may not see the child)."""
    threshold, months = _sdq_policy(policy)
    return school_sdq_due(sdq_scores_for_child(user=user, child=child), threshold=threshold, months=months)


def sdq_due_for_children(
    *, user: Any, policy: ServicePolicy | None = None, include_closed: bool = False, outstanding_only: bool = False
) -> list[SchoolSdqDue]:
    """Every child `user` may see whose latest carer SDQ asks for a school SDQ, soonest due first.

    For the duties engine and PEPs: three correlated subqueries on the SDQ table, one row per child asked for.
    """
    threshold, months = _sdq_policy(policy)
    carer = SdqScore.objects.filter(
        child=OuterRef("pk"), respondent=SdqScore.Respondent.CARER, emotional_score__isnull=False
    ).order_by("-recorded_on", "-pk")
    teacher = SdqScore.objects.filter(
        child=OuterRef("pk"), respondent=SdqScore.Respondent.TEACHER, recorded_on__gte=OuterRef("carer_on")
    ).order_by("recorded_on")
    children = children_visible_to(user)
    if not include_closed:
        children = children.filter(closed_on__isnull=True)
    rows = (
        children.annotate(
            carer_id=Subquery(carer.values("pk")[:1]),
            carer_on=Subquery(carer.values("recorded_on")[:1]),
            carer_total=Subquery(carer.values("total_score")[:1]),
        )
        .filter(carer_total__gt=threshold)
        .annotate(school_on=Subquery(teacher.values("recorded_on")[:1]))
        .values_list("pk", "carer_id", "carer_on", "carer_total", "school_on")
    )
    found = [
        SchoolSdqDue(
            child_id=pk,
            carer_sdq_id=carer_id,
            carer_completed_on=carer_on,
            carer_total=carer_total,
            threshold=threshold,
            due_on=add_months(carer_on, months),
            school_completed_on=school_on,
        )
        for pk, carer_id, carer_on, carer_total, school_on in rows
    ]
    if outstanding_only:
        found = [due for due in found if due.is_outstanding]
    return sorted(found, key=lambda due: (due.due_on, due.child_id))


# Who a child can be allocated to. Virtual School staff with a caseload include the specialist teachers.
CASELOAD_ROLES = frozenset({*WHOLE_ROLL_ROLES, Role.SEND_SPECIALIST})


def _active_people(roles: frozenset[str] | set[str]) -> QuerySet[Any]:
    return get_user_model().objects.filter(is_active=True, role__in=roles).order_by("full_name", "username")


def virtual_school_staff() -> QuerySet[Any]:
    """People who can hold a caseload (the 'Virtual School Lead' of a child)."""
    return _active_people(CASELOAD_ROLES)


def social_workers() -> QuerySet[Any]:
    """Social workers and personal advisers a child can be allocated to."""
    return _active_people({Role.SOCIAL_WORKER})


def reviewing_officers() -> QuerySet[Any]:
    """Independent reviewing officers a child can be allocated to."""
    return _active_people({Role.REVIEWING_OFFICER})


def child_record_get(*, user: Any, pk: int) -> Child:
    """One child with everyone named on their record, for the child's page (DoesNotExist when out of scope)."""
    return (
        children_visible_to(user)
        .select_related("allocated_lead", "social_worker", "reviewing_officer", "consent_recorded_by")
        .annotate(current_legal_status=current_legal_status_subquery())
        .get(pk=pk)
    )


def people_names_by_id(*, ids: set[int] | list[int]) -> dict[int, str]:
    """Full names of people by id, for showing who was allocated in an audit trail."""
    rows = get_user_model().objects.filter(pk__in=list(ids)).values_list("pk", "full_name", "username")
    return {pk: full_name or username for pk, full_name, username in rows}
