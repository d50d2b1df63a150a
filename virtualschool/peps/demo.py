"""The PEP part of the synthetic demo, written through the PEP services by the people who would do each step.

Deterministic for a seed. Most looked-after children at a school get last term's PEP (approved, a few still
returned or submitted late) and this term's in every state from not started to approved; about one in ten
has no PEP last term (overdue); some meetings were held weeks ago and never submitted (late for QA). Last
term's PEPs carry SMART targets that this term's review; a share are quality-assured with feedback; one
designated teacher delegates their part to a colleague; and a few children have booked care review dates.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.db import transaction

from virtualschool.children.models import Child, Cohort
from virtualschool.core.calendar import school_calendar

from . import rules as pep_rules
from . import services
from .models import MeetingMode, Pep, PepSection, QaCriterion, SectionKind
from .sections import SCALES

SUBJECTS = ("English", "Mathematics", "Science")
STRENGTHS = ("Art and drawing", "Football and PE", "Reading stories", "Helping younger pupils", "Music", "Computing")
VIEWS = ("I like my teacher and break times", "School is OK but maths is hard", "I like it when we do experiments")
HELPS = ("Sitting near the front", "A quiet space when I feel cross", "Knowing what is happening next")
HOPES = ("I want to be a vet", "I want to be a footballer", "I want to work with computers", "I want to be a nurse")
TARGETS = (
    ("Read fluently and with understanding at the expected standard", "Reading age", "{a}", "{b}"),
    ("Know times tables to 12 x 12 by heart", "Times-table check score out of 25", "12", "22"),
    ("Attend every day this half term", "Attendance %", "88 %", "96 %"),
    (
        "Write a paragraph with accurate punctuation unaided",
        "Teacher assessment of independent writing",
        "Working towards",
        "Expected",
    ),
)


def _answers(rng: random.Random, kind: str, child: Child) -> dict[str, str]:
    if kind == SectionKind.DESIGNATED_TEACHER:
        return {
            "strengths": rng.choice(STRENGTHS),
            "engagement_behaviour": "Settled in class; works well in small groups.",
            "wellbeing_relationships": "Has two close friends and trusts the learning mentor.",
            "send": "Support plan reviewed termly." if child.sen_status != "N" else "",
            "careers": "Careers adviser meeting booked." if child.nc_year(dt.date.today()) >= 9 else "",
            "transition": "Visits to the next class planned for the summer term.",
        }
    if kind == SectionKind.SOCIAL_WORKER:
        return {
            "care_context": "Settled in placement; contact with family fortnightly.",
            "education_views": "Progress is good.",
        }
    if kind == SectionKind.CHILD_VOICE:
        return {"views_on_school": rng.choice(VIEWS), "what_helps": rng.choice(HELPS), "aspirations": rng.choice(HOPES)}
    return {"home_learning": "We read together most evenings.", "carer_views": "Much happier at school this term."}


def _fill(pep: Pep, child: Child, rng: random.Random, *, dt_user: Any, lead: Any, complete: float) -> None:
    for section in PepSection.objects.filter(pep=pep):
        author = {
            SectionKind.DESIGNATED_TEACHER: dt_user or lead,
            SectionKind.SOCIAL_WORKER: child.social_worker or lead,
            SectionKind.CHILD_VOICE: dt_user or lead,
            SectionKind.CARER: child.social_worker or lead,
        }[section.kind]
        if rng.random() > complete + 0.15 or (section.kind == SectionKind.CARER and rng.random() < 0.5):
            continue
        if section.kind not in pep_rules.editable_parts(author, pep):
            author = lead  # on a demo date when the teacher's placement is not current, the lead writes it
        services.section_save(
            actor=author,
            section=section,
            answers=_answers(rng, section.kind, child),
            expected_version=section.version,
            completed=rng.random() < complete,
            completed_by_name=child.carer_name or "Foster carer" if section.kind == SectionKind.CARER else "",
        )


def _targets(pep: Pep, rng: random.Random, *, author: Any, today: dt.date, count: int = 2) -> None:
    if "targets" not in pep_rules.editable_parts(author, pep):
        author = pep.child.allocated_lead or author
    for index in rng.sample(range(len(TARGETS)), count):
        text, measure, baseline, value = TARGETS[index]
        services.target_save(
            actor=author,
            pep=pep,
            data={
                "description": text,
                "measure": measure,
                "baseline": baseline.format(a="8 years 1 month"),
                "target_value": value.format(b="9 years 3 months"),
                "deadline": today + dt.timedelta(days=rng.randint(40, 150)),
                "owner": "Class teacher" if rng.random() < 0.6 else "Designated teacher",
                "ppplus_pence": rng.choice([None, 25000, 45000, 60000]),
                "funding_note": "One-to-one tuition, twice a week",
            },
            today=today,
        )


def _attainment(pep: Pep, rng: random.Random, *, author: Any) -> None:
    if "attainment" not in pep_rules.editable_parts(author, pep):
        author = pep.child.allocated_lead or author
    scale = SCALES[pep.key_stage]
    for subject in SUBJECTS[:2]:
        current = rng.randrange(0, max(1, len(scale) - 1))
        target = min(len(scale) - 1, current + rng.randint(0, 2))
        if pep.key_stage == "post16":
            current, target = rng.choice([(1, 3), (3, 4), (8, 9)])
        services.attainment_save(
            actor=author,
            pep=pep,
            subject=subject,
            current=scale[current],
            target=scale[target],
            on_track=rng.random() < 0.7,
        )


def _meeting(
    pep: Pep, rng: random.Random, *, lead: Any, held_on: dt.date, today: dt.date, mode: str | None = None
) -> Pep:
    pep.refresh_from_db()
    review = services.pep_next_care_review(pep, services.review_after(held_on))
    next_meeting = held_on + dt.timedelta(days=rng.randint(60, 100))
    if review is not None and next_meeting >= review:
        next_meeting = max(held_on + dt.timedelta(days=1), review - dt.timedelta(days=7))
    return services.meeting_record(
        actor=lead,
        pep=pep,
        expected_version=pep.version,
        held_on=held_on,
        attendees="Child\nDesignated teacher\nSocial worker\nCarer\nVirtual School Lead",
        notes="Reviewed progress and last term's targets. Agreed new targets and tuition.",
        next_meeting_date=next_meeting,
        mode=mode or (MeetingMode.IN_PERSON if rng.random() < 0.7 else MeetingMode.VIRTUAL),
        today=today,
    )


def _qa(pep: Pep, rng: random.Random, *, head: Any, today: dt.date) -> None:
    ratings = {c: rng.choice(["met", "met", "met", "partly", "not_met"]) for c in QaCriterion.values}
    not_met = sum(1 for r in ratings.values() if r == "not_met")
    grade = "good" if not_met == 0 else ("ri" if not_met == 1 else "inadequate")
    services.qa_record(
        actor=head,
        pep=pep,
        ratings=ratings,
        grade=grade,
        feedback="Strong child's voice. Make every target measurable, and link the PP+ spend to a target.",
        today=today,
    )


@transaction.atomic
def write_demo(*, users: dict[str, Any], schools: dict[str, Any], today: dt.date, seed: int = 0) -> None:
    from virtualschool.placements.models import EducationPlacement
    from virtualschool.schools.services import school_staff_add

    rng = random.Random(seed * 31 + 3)
    calendar = school_calendar()
    term = calendar.term_for(today)
    last = calendar.previous_term(term)
    head = users["head"]
    children = list(
        Child.objects.filter(cohort=Cohort.LOOKED_AFTER, closed_on__isnull=True, period_of_care_start__lt=last.start)
        .select_related("allocated_lead", "social_worker")
        .order_by("pk")
    )
    placements = {
        p.child_id: p
        for p in EducationPlacement.objects.filter(
            child__in=children, end_date__isnull=True, school__isnull=False
        ).select_related("designated_teacher", "school")
    }
    states = ["not_started", "in_progress", "in_progress", "meeting_held", "submitted", "submitted", "approved"]
    for child in children:
        placement = placements.get(child.pk)
        if placement is None or not -1 <= child.nc_year(today) <= 13 or rng.random() < 0.2:
            continue
        lead = child.allocated_lead or head
        teacher = placement.designated_teacher
        author = teacher or lead
        # Last term: usually approved; one child in ten has none (overdue).
        if rng.random() >= 0.1:
            before = services.pep_create(
                actor=lead, child=child, academic_year=last.academic_year, term=last.term, today=last.start
            )
            _fill(before, child, rng, dt_user=teacher, lead=lead, complete=0.95)
            _attainment(before, rng, author=author)
            _targets(before, rng, author=author, today=today, count=rng.randint(1, 2))
            held = min(last.end, today, last.start + dt.timedelta(days=rng.randint(20, 50)))
            before = _meeting(before, rng, lead=lead, held_on=held, today=today)
            late = rng.random() < 0.1
            submitted_on = held + dt.timedelta(days=rng.randint(25, 40) if late else rng.randint(3, 18))
            before = services.pep_submit(actor=lead, pep=before, today=min(submitted_on, today))
            if rng.random() < 0.08:
                services.pep_return(actor=head, pep=before, reason="Targets need a baseline and a measure.", rag="red")
            else:
                before = services.pep_approve(
                    actor=head,
                    pep=before,
                    rag="green" if rng.random() < 0.75 else "amber",
                    today=min(submitted_on + dt.timedelta(days=5), today),
                )
                if rng.random() < 0.3:
                    _qa(before, rng, head=head, today=today)
        # This term: every state.
        state = rng.choice(states)
        if term.start > today and state not in ("not_started", "in_progress"):
            state = "in_progress"  # the demo's today is in the holiday before the term: no meeting yet
        current = services.pep_create(
            actor=lead, child=child, academic_year=term.academic_year, term=term.term, today=today
        )
        if state == "not_started":
            continue
        _fill(current, child, rng, dt_user=teacher, lead=lead, complete=0.5 if state == "in_progress" else 0.95)
        if state != "in_progress":
            _attainment(current, rng, author=author)
        _targets(current, rng, author=author, today=today, count=1)
        from .selectors import targets_to_review

        reviewer = author if "targets" in pep_rules.editable_parts(author, current) else lead
        for target in targets_to_review(current):
            outcome = rng.choice(["achieved", "achieved", "partly", "not_achieved"])
            services.target_review(
                actor=reviewer, target=target, reviewing_pep=current, outcome=outcome,
                note="" if outcome == "achieved" else "Absence in October slowed progress.",
            )  # fmt: skip
        if state == "in_progress":
            if rng.random() < 0.5:
                current.refresh_from_db()
                services.meeting_arrange(
                    actor=lead, pep=current, expected_version=current.version,
                    meeting_date=today + dt.timedelta(days=rng.randint(3, 20)),
                    meeting_time=dt.time(rng.choice([9, 10, 13, 14]), 30),
                    venue=f"{placement.school.name}, meeting room", mode=MeetingMode.IN_PERSON, chair=lead,
                    invitees=f"{teacher}, designated teacher\n{child.social_worker or 'Social worker'}\nCarer",
                )  # fmt: skip
            continue
        held = max(term.start, today - dt.timedelta(days=rng.randint(2, 35)))
        current = _meeting(current, rng, lead=lead, held_on=held, today=today)
        if state == "submitted" or state == "approved":
            current = services.pep_submit(actor=lead, pep=current, today=today)
        if state == "approved":
            services.pep_approve(actor=head, pep=current, rag="green", today=today)

    # Booked care reviews for a few children, and one designated teacher's delegation to a colleague.
    for child in children[::9]:
        review = services.pep_next_care_review(Pep(child=child), today)
        if review is not None:
            services.care_review_record(
                actor=head, child=child, review_date=review + dt.timedelta(days=3), note="Booked"
            )
    teacher = users.get("dt2")
    staff = teacher.school_roles.select_related("school").first() if teacher else None
    if staff is not None:
        from virtualschool.accounts.services import user_create

        colleague = user_create(
            actor=users["admin"], username="dt2-colleague", email="dt2.colleague@school.example.org",
            full_name="Jordan Ellis", role="dt",
        )  # fmt: skip
        type(colleague).objects.filter(pk=colleague.pk).update(
            password=type(colleague).objects.get(pk=head.pk).password
        )
        school_staff_add(actor=users["admin"], user=colleague, school=staff.school, is_designated_teacher=False)
        from virtualschool.children.selectors import children_visible_to

        pupils = list(children_visible_to(teacher).filter(education_placements__school=staff.school).distinct()[:2])
        services.delegation_create(
            actor=teacher,
            school=staff.school,
            delegate=colleague,
            children=pupils,
            parts=["designated_teacher", "attainment"],
        )
