"""Every read of children goes through here, scoped to what the user needs to see."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from virtualschool.accounts.models import WHOLE_ROLL_ROLES, Role

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
    return SdqScore.objects.filter(child__in=children_visible_to(user).filter(pk=child.pk)).order_by("-recorded_on")


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
