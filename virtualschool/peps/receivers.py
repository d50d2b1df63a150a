"""The PEP app's side of other apps' events: proposals from `pep_review_proposed`, and its own proposal of an
interim PEP when a child starts at a different school."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from virtualschool.core.signals import pep_review_proposed
from virtualschool.placements.models import EducationPlacement

from . import services


@receiver(pep_review_proposed, dispatch_uid="peps.proposal_from_signal")
def on_pep_review_proposed(sender: Any, **kwargs: Any) -> None:
    if kwargs.get("child") is None:  # nothing to propose a PEP for
        return
    services.proposal_receive(
        child=kwargs["child"],
        pep_type=kwargs["pep_type"],
        trigger=kwargs["trigger"],
        reason=kwargs["reason"],
        raised_on=kwargs["raised_on"],
        source_key=kwargs["source_key"],
        actor=kwargs.get("actor"),
    )


@receiver(post_save, sender=EducationPlacement, dispatch_uid="peps.change_of_school")
def on_education_placement_saved(sender: Any, instance: EducationPlacement, created: bool, **kwargs: Any) -> None:
    """A new placement at a different school from the one before proposes an interim PEP."""
    if not created or instance.school_id is None or kwargs.get("raw"):
        return
    previous = (
        EducationPlacement.objects.filter(child_id=instance.child_id, start_date__lt=instance.start_date)
        .exclude(pk=instance.pk)
        .order_by("-start_date")
        .select_related("school")
        .first()
    )
    if previous is None or previous.school_id == instance.school_id:
        return
    child = instance.child
    if child.cohort != "cla" or child.closed_on is not None:
        return
    school = instance.school.name if instance.school else "a new school"
    start = instance.start_date
    # In the placement's own transaction: the proposal stands or falls with the placement.
    services.proposal_receive(
        child=child,
        pep_type="interim",
        trigger="change-of-school",
        reason=f"Started at {school} on {start.day} {start:%B %Y}: a new PEP is due within "
        f"{services.policy_get().change_of_school_working_days} working days.",
        raised_on=start,
        source_key=f"placement:{instance.pk}",
        actor=None,
    )
