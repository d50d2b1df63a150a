"""Letters and e-mails for each level, drafted from Django templates with the facts filled in.

A template is looked for, most specific first, at ``escalations/letters/<ladder slug>/level-<n>.txt``, then
``escalations/letters/<ladder slug>.txt``, then ``escalations/letters/default.txt``; each gets the same context
(child, escalation, level, the contacts and the child's views so far, what is asked and by when). The first
line of the rendered text is the subject. An authority changes the wording by adding a template, not code.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from django.template.loader import render_to_string, select_template
from django.utils import timezone

from .models import Escalation, LadderLevel
from .selectors import levels_for


@dataclass(frozen=True)
class Letter:
    subject: str
    body: str
    template: str

    @property
    def text(self) -> str:
        return f"Subject: {self.subject}\n\n{self.body}"


def template_names(escalation: Escalation, level: LadderLevel) -> list[str]:
    slug = escalation.ladder.slug
    return [
        f"escalations/letters/{slug}/level-{level.number}.txt",
        f"escalations/letters/{slug}.txt",
        "escalations/letters/default.txt",
    ]


def draft_letter(escalation: Escalation, level: LadderLevel | None = None, *, author: Any = None) -> Letter:
    """The letter or e-mail for `level` (the current level when None), ready to copy or download."""
    step = escalation.current_step
    level = level or (step.level if step else escalation.ladder.levels.order_by("number").first())
    assert level is not None
    row = next((r for r in levels_for(escalation) if r.level.pk == level.pk), None)
    names = template_names(escalation, level)
    template = select_template(names)
    context = {
        "escalation": escalation,
        "child": escalation.child,
        "level": level,
        "due_on": row.due_on if row else None,
        "entered_on": row.entered_on if row else None,
        "contacts": list(escalation.contacts.all()),
        "child_views": list(escalation.child_views.all()),
        "previous_levels": [r for r in levels_for(escalation) if r.steps and r.level.number < level.number],
        "author": author or escalation.holder,
        "today": timezone.localdate(),
    }
    text = render_to_string(template.template.name, context).strip()
    subject, _, body = text.partition("\n")
    return Letter(
        subject=subject.removeprefix("Subject:").strip(), body=body.strip() + "\n", template=template.template.name
    )


def letter_docx(letter: Letter) -> bytes:
    """The letter as a Word document (python-docx): the subject as a heading, then one paragraph a block."""
    from docx import Document
    from docx.shared import Pt

    document = Document()
    style = document.styles["Normal"]
    style.font.name = "Arial"
    style.font.size = Pt(11)
    document.add_heading(letter.subject, level=1)
    for block in letter.body.split("\n\n"):
        lines = block.splitlines()
        if not any(line.strip() for line in lines):
            continue
        paragraph = document.add_paragraph()
        for index, line in enumerate(lines):
            if index:
                paragraph.add_run().add_break()
            paragraph.add_run(line)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
