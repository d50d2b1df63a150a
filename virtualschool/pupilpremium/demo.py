"""The synthetic demo's Pupil Premium Plus: this grant year, its top-slice and termly amounts, and two weekly panels
with a dozen applications in every state (approved, approved for less, declined, deferred and answered, withdrawn,
waiting), one declared conflict, payments and target reviews. Everything is written through the services."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.utils import timezone

from virtualschool.children.models import Child, Cohort
from virtualschool.placements.models import EducationPlacement

from . import services
from .models import PUBLISHED_PP_PLUS_RATES_PENCE, Fund, GrantYear, Outcome

PROVIDERS = {
    "tuition": ["Bright Futures Tuition", "Maths Mastery Tutors"],
    "mentoring": ["Next Steps Mentoring"],
    "therapeutic": ["Play Therapy Partnership", "Calm Minds Counselling"],
    "resources": ["School (direct purchase)"],
    "trips": ["Outdoor Education Centre"],
    "training": ["Attachment Aware Schools"],
}
TARGETS = [
    ("Read a book of their choice aloud with 95% accuracy", "Running record at the next PEP"),
    ("Attend every session of the week for six weeks", "School register"),
    ("Recall multiplication facts to 12 × 12 within 5 seconds", "Times tables check"),
    ("Use a calm-down plan independently when upset", "Behaviour log and class teacher's report"),
    ("Complete a piece of extended writing of 300 words", "Work sample at the next PEP"),
]


def _financial_label(today: dt.date) -> str:
    start = today.year if today.month >= 4 else today.year - 1
    return f"{start}-{str(start + 1)[-2:]}"


def _moment(day: dt.date, hour: int = 11) -> dt.datetime:
    return timezone.make_aware(dt.datetime(day.year, day.month, day.day, hour, 0))


def write_pupil_premium_demo(*, users: dict[str, Any], schools: dict[Any, Any], today: dt.date, seed: int) -> None:
    head = users.get("head")
    members = [users.get(f"panel{n}") for n in (1, 2, 3)]
    if head is None or any(m is None for m in members):
        return
    rng = random.Random(seed + 606)
    label = _financial_label(today)
    if GrantYear.objects.filter(label=label).exists():
        return
    latest_rate = PUBLISHED_PP_PLUS_RATES_PENCE[max(PUBLISHED_PP_PLUS_RATES_PENCE)]
    year = services.grant_year_create(
        actor=head,
        label=label,
        basis="financial",
        rate_per_child_pence=PUBLISHED_PP_PLUS_RATES_PENCE.get(label, latest_rate),
        allocation_model="applications",
    )
    year = services.grant_year_count(actor=head, grant_year=year, on=year.starts_on)
    total = year.pp_total_pence
    if total == 0:
        return
    for purpose, share, why in (
        ("Designated teacher training", 6, "Termly training on attachment, trauma and the PEP for every school"),
        ("Virtual School tuition programme", 10, "Tuition the Virtual School commissions for Year 6 and Year 11"),
        ("Educational psychology consultation", 4, "Consultation for schools on children at risk of suspension"),
    ):
        services.top_slice_set(
            actor=head, grant_year=year, purpose=purpose, amount_pence=total * share // 100, description=why
        )
    services.term_allocations_plan(actor=head, grant_year=year)
    training = year.top_slices.get(purpose="Designated teacher training")
    services.ledger_record(
        actor=head,
        grant_year=year,
        kind="spend",
        amount_pence=training.amount_pence // 3,
        description="Autumn designated teacher training day (venue and trainers)",
        on=max(year.starts_on, today - dt.timedelta(days=40)),
        purpose=training,
        intervention_type="training",
    )

    placements = {
        p.child_id: p
        for p in EducationPlacement.objects.filter(end_date__isnull=True, school__isnull=False).select_related("school")
    }
    candidates = [
        c
        for c in Child.objects.filter(cohort=Cohort.LOOKED_AFTER, closed_on__isnull=True, allocated_lead__isnull=False)
        .select_related("allocated_lead")
        .order_by("pk")
        if c.pk in placements and 0 <= c.nc_year(today) <= 11
    ]
    if len(candidates) < 13:
        return
    chosen = rng.sample(candidates, 13)
    last_week = services.panel_create(
        actor=head, grant_year=year, meets_on=today - dt.timedelta(days=7), members=members
    )

    def apply(child: Child, kind: str, amount: int, days_ago: int, *, group: list[Child] | None = None) -> Any:
        placement = placements[child.pk]
        applicant = child.allocated_lead
        if rng.random() < 0.4 and placement.designated_teacher and placement.designated_teacher.is_active:
            applicant = placement.designated_teacher
        children = group or [child]
        targets = []
        for each in children:
            text, measure = rng.choice(TARGETS)
            targets.append(
                {
                    "child": each,
                    "text": text,
                    "measure": measure,
                    "deadline": today + dt.timedelta(days=rng.randint(60, 120)),
                    "owner": "Class teacher" if rng.random() < 0.5 else "Designated teacher",
                }
            )
        if group:
            applicant = head  # a group across schools is the Head's to bring
        return services.application_submit(
            actor=applicant,
            grant_year=year,
            children=children,
            intervention_type=kind,
            provider=rng.choice(PROVIDERS[kind]),
            description=f"{kind.capitalize()} to help meet the PEP targets below, reviewed at the next PEP.",
            amount_pence=amount,
            starts_on=today + dt.timedelta(days=7),
            ends_on=today + dt.timedelta(days=rng.randint(60, 110)),
            targets=targets,
            submitted_on=today - dt.timedelta(days=days_ago),
        )

    def vote(member: Any, app: Any, outcome: str, day: dt.date, reason: str = "", amount: int | None = None) -> Any:
        return services.vote_cast(
            actor=member, application=app, outcome=outcome, reason=reason, amount_pence=amount, now=_moment(day)
        )[1]

    # Last week's panel: every application decided.
    meeting = last_week.meets_on
    approved = apply(chosen[0], "tuition", 60_000, 10)
    less = apply(chosen[1], "therapeutic", 120_000, 10)
    declined = apply(chosen[2], "trips", 35_000, 9)
    deferred = apply(chosen[3], "mentoring", 48_000, 9)
    answered = apply(chosen[4], "resources", 15_000, 8)
    group = apply(chosen[5], "tuition", 90_000, 8, group=chosen[5:7])
    services.panel_take_waiting(actor=head, panel=last_week)
    first, second, third = members
    vote(first, approved, Outcome.APPROVE, meeting)
    vote(second, approved, Outcome.APPROVE, meeting)
    vote(first, less, Outcome.APPROVE_AMOUNT, meeting, "Start with six sessions and review", 80_000)
    vote(third, less, Outcome.APPROVE_AMOUNT, meeting, "Six sessions, then review at the PEP", 80_000)
    vote(first, declined, Outcome.DECLINE, meeting, "A school trip is for the school's budget, not PP+")
    vote(second, declined, Outcome.DECLINE, meeting, "Not linked to the child's PEP targets")
    vote(second, deferred, Outcome.DEFER, meeting, "Which mentor, and how many sessions does the price buy?")
    vote(third, deferred, Outcome.DEFER, meeting, "Please attach the provider's quote")
    vote(first, answered, Outcome.DEFER, meeting, "What resources exactly?")
    vote(third, answered, Outcome.DEFER, meeting, "List the resources and their cost")
    vote(first, group, Outcome.APPROVE, meeting)
    vote(second, group, Outcome.APPROVE, meeting)
    services.application_answer(
        actor=answered.applicant, application=answered, answer="A reading pen (£90) and a set of decodable books (£60)."
    )
    services.application_pay(actor=head, application=approved, amount_pence=30_000, invoice="Invoice BFT-1042")
    for funded in approved.targets.all():
        services.target_review(actor=head, target=funded, outcome="achieved", note="Met early", on=today)
    for index, funded in enumerate(group.targets.all()):
        services.target_review(
            actor=head, target=funded, outcome="partly" if index else "achieved", note="Reviewed at the PEP", on=today
        )

    # This week's panel: waiting, part-voted, a conflict, a withdrawal, and one still to reach a panel.
    this_week = services.panel_create(actor=head, grant_year=year, meets_on=today, members=members)
    part_voted = apply(chosen[7], "mentoring", 40_000, 4)
    conflicted = apply(chosen[8], "therapeutic", 75_000, 3)
    waiting = apply(chosen[9], "tuition", 55_000, 2)
    withdrawn = apply(chosen[10], "resources", 12_000, 2)
    apply(chosen[11], "resources", 9_000, 1)
    services.panel_take_waiting(actor=head, panel=this_week)
    vote(first, part_voted, Outcome.APPROVE, today)
    services.conflict_declare(
        actor=third, child=conflicted.children.get(), reason="I fostered this child's sibling", on=today
    )
    vote(first, conflicted, Outcome.APPROVE, today)
    services.application_withdraw(
        actor=withdrawn.applicant, application=withdrawn, reason="The school is funding it from its own budget"
    )
    del waiting
    apply(chosen[12], "training", 20_000, 0)  # submitted today: waits for next week's panel
    if year.eypp_total_pence:
        services.ledger_record(
            actor=head,
            grant_year=year,
            kind="spend",
            fund=Fund.EYPP,
            amount_pence=year.eypp_total_pence // 2,
            description="Early years key-person training for nurseries with looked-after children",
            on=max(year.starts_on, today - dt.timedelta(days=30)),
            intervention_type="training",
        )
    services.decisions_publish(today=today)
