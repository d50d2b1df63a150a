"""Every read of children goes through here, scoped to what the user needs to see."""

from __future__ import annotations

from typing import Any

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
