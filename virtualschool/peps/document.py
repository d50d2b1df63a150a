"""The PEP as a document: one JSON-ready dict of display text that the page, the PDF, the care-review summary
and a kept version all render. An approved version stores exactly this, so it says later what it said then.

It reads only what the PEP's prefetches hold (selectors.pep_get), so the number of queries does not grow with
a child's history.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from .models import Pep, PepStatus, QaCriterion, SectionKind
from .sections import SECTION_HELP, questions_for

SNAPSHOT_STATUSES = {PepStatus.SUBMITTED, PepStatus.RETURNED, PepStatus.APPROVED}


def d(day: dt.date | None, empty: str = "") -> str:
    return f"{day.day} {day:%B %Y}" if day else empty


def _person(user: Any) -> str:
    return str(user) if user else ""


def build_document(
    pep: Pep,
    *,
    for_version: bool = False,
    records: list[dict[str, Any]] | None = None,
    sdq: dict[str, Any] | None = None,
    previous_targets: list[Any] | None = None,
    prior: list[Any] | None = None,
    today: dt.date | None = None,
) -> dict[str, Any]:
    """Everything the PEP says, as display text. `records` and `sdq` are the live pulls for a PEP not yet
    submitted (a submitted one shows its snapshot)."""
    from . import services

    today = today or timezone.localdate()
    child = pep.child
    nc_year = child.nc_year(today)
    snapshot = pep.status in SNAPSHOT_STATUSES or for_version
    if snapshot:
        records = pep.records_snapshot or []
        sdq = pep.sdq_snapshot or {}
    else:
        records = records if records is not None else services.records_for(pep)
        sdq = sdq if sdq is not None else services.latest_sdq(child)
    sections: dict[str, Any] = {s.kind: s for s in pep.sections.all()}
    section_docs = []
    for kind, label in SectionKind.choices:
        section = sections.get(kind)
        answers = (section.answers or {}) if section else {}
        section_docs.append(
            {
                "kind": kind,
                "label": label,
                "help": SECTION_HELP[kind],
                "completed": bool(section and section.completed),
                "completed_on": d(section.completed_on) if section else "",
                "completed_by": (section.completed_by_name or _person(section.completed_by)) if section else "",
                "answers": [
                    {"name": q.name, "label": q.label, "text": answers.get(q.name, "")}
                    for q in questions_for(kind, nc_year)
                ],
                "id": section.pk if section else None,
            }
        )
    targets = [
        {
            "id": t.pk,
            "description": t.description,
            "measure": t.measure,
            "baseline": t.baseline,
            "target_value": t.target_value,
            "deadline": d(t.deadline),
            "owner": t.owner,
            "funding": t.ppplus_pounds,
            "funding_note": t.funding_note,
            "outcome": t.get_outcome_display() if t.outcome else "",
            "outcome_note": t.outcome_note,
        }
        for t in pep.targets.all()
    ]
    reviewed = [
        {
            "id": t.pk,
            "description": t.description,
            "target_value": t.target_value,
            "deadline": d(t.deadline),
            "outcome": t.get_outcome_display() if t.outcome else "",
            "outcome_key": t.outcome,
            "outcome_note": t.outcome_note,
            "version": t.version,
        }
        for t in (previous_targets or [])
    ]
    qa = None
    reviews = [r for r in pep.qa_reviews.all() if r.completed_on]
    if reviews:
        latest = max(reviews, key=lambda r: (r.completed_on, r.pk))
        qa = {
            "grade": latest.get_grade_display(),
            "grade_key": latest.grade,
            "feedback": latest.feedback,
            "reviewer": _person(latest.reviewer),
            "completed_on": d(latest.completed_on),
            "ratings": [
                {
                    "criterion": QaCriterion(r.criterion).label,
                    "rating": r.get_rating_display(),
                    "key": r.rating,
                    "comment": r.comment,
                }
                for r in latest.ratings.all()
            ],
        }
    return {
        "id": pep.pk,
        "child": {
            "name": child.display_name,
            "legal_name": child.legal_name,
            "date_of_birth": d(child.date_of_birth),
            "upn": child.upn,
            "year": nc_year,
            "send": child.get_sen_status_display(),
            "send_key": child.sen_status,
            "primary_need": child.sen_primary_need,
            "ehcp_review_date": d(child.ehcp_review_date),
            "in_care_since": d(child.period_of_care_start),
        },
        "title": f"{pep.get_pep_type_display()} PEP",
        "type": pep.get_pep_type_display(),
        "type_key": pep.pep_type,
        "term": pep.term_label,
        "status": pep.get_status_display(),
        "status_key": pep.status,
        "rag": pep.get_rag_display() if pep.rag else "",
        "rag_key": pep.rag,
        "plan_version": pep.plan_version,
        "school": pep.school.name if pep.school else "",
        "key_stage": pep.get_key_stage_display() if pep.key_stage else "",
        "reason": pep.reason,
        "meeting": {
            "date": d(pep.meeting_date),
            "time": pep.meeting_time.strftime("%H:%M") if pep.meeting_time else "",
            "venue": pep.meeting_venue,
            "mode": pep.get_meeting_mode_display() if pep.meeting_mode else "",
            "chair": _person(pep.chair),
            "invitees": [line for line in pep.invitees.splitlines() if line.strip()],
            "attendees": [line for line in pep.attendees.splitlines() if line.strip()],
            "notes": pep.meeting_notes,
            "held_on": d(pep.meeting_held_on),
            "next_meeting": d(pep.next_meeting_date),
        },
        "sections": section_docs,
        "attainment": [
            {
                "id": a.pk,
                "subject": a.subject,
                "current": a.current,
                "target": a.target,
                "on_track": {True: "Yes", False: "No", None: ""}[a.on_track],
                "comment": a.comment,
            }
            for a in pep.attainment.all()
        ],
        "prior_attainment": [
            {"key_stage": p.get_key_stage_display(), "subject": p.subject, "result": p.result}
            for p in (prior or [])
            if p.key_stage != pep.key_stage
        ],
        "targets": targets,
        "reviewed_targets": reviewed,
        "actions": [
            {"id": a.pk, "description": a.description, "owner": a.owner, "due_on": d(a.due_on), "done_on": d(a.done_on)}
            for a in pep.actions.all()
        ],
        "records": records,
        "records_as_at": d(pep.submitted_on) if snapshot else "",
        "sdq": {**sdq, "recorded_on": d(dt.date.fromisoformat(sdq["recorded_on"]))} if sdq.get("recorded_on") else {},
        "careers_due": nc_year >= services.policy_get().careers_from_year,
        "qa": qa,
        "submitted_on": d(pep.submitted_on),
        "approved_on": d(pep.approved_on),
        "approved_by": _person(pep.approved_by),
        "returned_reason": pep.returned_reason,
    }
