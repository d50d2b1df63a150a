"""Escalations for the synthetic demo, raised through the services by the people who would raise them.

Deterministic for a seed. Four stories, on lead1's caseload first (then other leads' children): a school
concern on Gloucestershire's school ladder that has run out of time (so the product proposes moving it up), a
children's-home Regulation 5 challenge at its third level with contacts and the child's views, a reviewing
officer's dispute on Dorset's ladder, and one resolved. The services raise everything "today"; the demo then
moves each story's dates back, as if raised earlier.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.db.models import F

from virtualschool.children.models import Child

from . import services
from .models import ChildView, Contact, Escalation, EscalationStep, Ladder


def _backdate(escalation: Escalation, days: int) -> None:
    delta = dt.timedelta(days=days)
    Escalation.objects.filter(pk=escalation.pk).update(
        raised_on=F("raised_on") - delta, arose_on=F("arose_on") - delta, due_on=F("due_on") - delta
    )
    EscalationStep.objects.filter(escalation=escalation).update(
        entered_on=F("entered_on") - delta, due_on=F("due_on") - delta
    )
    EscalationStep.objects.filter(escalation=escalation, left_on__isnull=False).update(left_on=F("left_on") - delta)
    Contact.objects.filter(escalation=escalation).update(contacted_on=F("contacted_on") - delta)
    ChildView.objects.filter(escalation=escalation).update(recorded_on=F("recorded_on") - delta)


def write_demo_escalations(*, users: dict[str, Any], schools: Any, today: dt.date, seed: int) -> None:
    rng = random.Random(seed + 5)
    open_children = Child.objects.filter(closed_on__isnull=True, allocated_lead__isnull=False).select_related(
        "allocated_lead", "reviewing_officer"
    )
    # lead1's caseload first (the demo's lead login), then other leads' children to make up the four stories.
    first = list(open_children.filter(allocated_lead__username="lead1").order_by("pk")[:40])
    rng.shuffle(first)
    others = list(
        open_children.exclude(allocated_lead__username="lead1")
        .filter(reviewing_officer__isnull=False)
        .order_by("pk")[:40]
    )
    rng.shuffle(others)
    children = (first + others)[:4]
    ladders = {ladder.slug: ladder for ladder in Ladder.objects.all()}
    if len(children) < 4 or "gloucestershire-school" not in ladders:
        return
    overdue, home, dispute, resolved = children

    lead = overdue.allocated_lead
    first_concern = services.escalation_raise(
        actor=lead,
        child=overdue,
        ladder=ladders["gloucestershire-school"],
        party_name="the child's school",
        summary="The school has not put in place the reading support agreed at the PEP meeting.",
        evidence="PEP of last term; two e-mails to the designated teacher without reply.",
        arose_on=today,
    )
    services.contact_record(
        actor=lead,
        escalation=first_concern,
        person="Designated teacher",
        role="Designated teacher",
        method="email",
        contacted_on=today,
        asked="When the agreed reading support will start.",
        response="No reply yet.",
    )
    services.child_view_record(
        actor=lead,
        escalation=first_concern,
        recorded_on=today,
        views="Says reading lessons stopped after half term.",
        how_obtained="Spoke with them at school",
    )
    _backdate(first_concern, 21)

    lead = home.allocated_lead
    second = services.escalation_raise(
        actor=lead,
        child=home,
        ladder=ladders["childrens-home-regulation-5"],
        party_name="Placing authority social work team",
        summary="The looked-after review minutes have not been sent to the home.",
        arose_on=today,
    )
    services.escalation_move_up(actor=lead, escalation=second)
    services.escalation_move_up(actor=lead, escalation=second)
    services.contact_record(
        actor=lead,
        escalation=second,
        person="Team manager",
        method="phone",
        contacted_on=today,
        asked="Minutes within one week.",
        response="Will chase the social worker.",
    )
    services.child_view_record(
        actor=lead,
        escalation=second,
        recorded_on=today,
        not_obtained_reason="The young person did not want to talk about it this week.",
    )
    _backdate(second, 3)

    iro = dispute.reviewing_officer or users.get("head")
    if iro is not None:
        services.escalation_raise(
            actor=iro,
            child=dispute,
            ladder=ladders["dorset-dispute-resolution"],
            summary="No suitable education placement has been found for six weeks.",
            arose_on=today,
            start_level=1,
            reason="Informal discussion with the social worker and team manager has already failed.",
        )

    lead = resolved.allocated_lead
    done = services.escalation_raise(
        actor=lead,
        child=resolved,
        ladder=ladders["gloucestershire-social-worker"],
        summary="The social worker did not attend the PEP meeting.",
        arose_on=today,
    )
    services.escalation_resolve(
        actor=lead, escalation=done, outcome="The social worker attended the rearranged PEP meeting."
    )
    _backdate(done, 10)
    services.check_escalation_clocks(today)
