"""Forms for the PEP pages (GOV.UK Frontend through crispy-forms-gds). The services decide what is valid; the
forms only turn what was typed into values, and put a service's errors back on the fields it names."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Button, Field, Fieldset, Layout, Size
from django import forms
from django.contrib.auth import get_user_model

from virtualschool.accounts.models import Role
from virtualschool.children.forms import GovUKDateField

from .models import (
    KeyStage,
    MeetingMode,
    PepType,
    QaCriterion,
    QaGrade,
    QaRating,
    Rag,
    SectionKind,
    TargetOutcome,
)
from .sections import PART_LABELS, SCALES, SCHOOL_PARTS, questions_for


def _helper(*fields: Any, submit: str = "Save") -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    helper.show_non_field_errors = False
    helper.layout = Layout(*fields, Field("version"), Button("submit", submit))
    return helper


class VersionedForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def with_version(self, version: int) -> None:
        """Show what the user typed again, now based on the saved version (so saving again keeps theirs)."""
        data = self.data.copy()
        data["version"] = str(version)
        self.data = data


class PepCreateForm(forms.Form):
    academic_year = forms.TypedChoiceField(label="Academic year", coerce=int)
    term = forms.ChoiceField(
        label="Term",
        choices=[("autumn", "Autumn"), ("spring", "Spring"), ("summer", "Summer")],
        widget=forms.RadioSelect,
        error_messages={"required": "Select the term"},
    )
    pep_type = forms.ChoiceField(
        label="Type of PEP",
        choices=PepType.choices,
        initial=PepType.TERMLY,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the type of PEP"},
    )
    reason = forms.CharField(
        label="Why is this PEP needed?",
        help_text="Required for an interim or emergency PEP, for example a change of school or a suspension",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, year: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["academic_year"].choices = [  # type: ignore[attr-defined]
            (y, f"{y}/{str(y + 1)[-2:]}") for y in (year, year - 1, year + 1)
        ]
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.show_non_field_errors = False
        self.helper.layout = Layout(
            Field.select("academic_year"),
            Field.radios("term", legend_size=Size.SMALL, inline=True),
            Field.radios("pep_type", legend_size=Size.SMALL),
            Field.textarea("reason"),
            Button("submit", "Create the PEP"),
        )


class SectionForm(VersionedForm):
    """One author's questions, each a text box; 'completed' says their part is done."""

    completed = forms.BooleanField(label="My part is complete and ready for the meeting", required=False)
    completed_by_name = forms.CharField(
        label="Whose words are these?",
        help_text="For example 'Sam Carter, foster carer' when you enter them for someone",
        required=False,
        max_length=200,
    )

    def __init__(self, *args: Any, kind: str, nc_year: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.questions = questions_for(kind, nc_year)
        for question in self.questions:
            self.fields[question.name] = forms.CharField(
                label=question.label,
                help_text=question.hint,
                required=False,
                max_length=5000,
                widget=forms.Textarea(attrs={"rows": 4}),
                error_messages={"max_length": f"{question.label} must be 5,000 characters or fewer"},
            )
        names = [q.name for q in self.questions]
        self.order_fields([*names, "completed_by_name", "completed", "version"])
        layout = [Field.textarea(name, label_size=Size.SMALL) for name in names]
        if kind in {SectionKind.CARER, SectionKind.CHILD_VOICE}:
            layout.append(Field.text("completed_by_name"))
        else:
            del self.fields["completed_by_name"]
        layout.append(Field.checkbox("completed"))
        self.helper = _helper(*layout, submit="Save")

    def answers(self) -> dict[str, str]:
        return {q.name: self.cleaned_data.get(q.name, "") for q in self.questions}


TIME_RE = re.compile(r"^([01]?\d|2[0-3])[:.]([0-5]\d)$")


class MeetingArrangeForm(VersionedForm):
    meeting_date = GovUKDateField(label="Date of the meeting", what="the date of the meeting", required=True)
    meeting_time = forms.CharField(
        label="Start time",
        help_text="Use the 24-hour clock, for example 14:30",
        max_length=5,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        error_messages={"required": "Enter the time of the meeting, for example 14:30"},
    )
    meeting_mode = forms.ChoiceField(
        label="In person or virtual?",
        choices=MeetingMode.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether the meeting is in person or virtual"},
    )
    meeting_venue = forms.CharField(
        label="Venue", help_text="The room and school, or the video call link", max_length=200, required=False
    )
    chair = forms.ModelChoiceField(label="Chair", queryset=None, required=False, empty_label="Not decided yet")
    invitees = forms.CharField(
        label="Who is invited",
        help_text="One person a line: name, role and e-mail address (the invitation can be sent to them)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["chair"].queryset = (
            get_user_model()
            .objects.filter(  # type: ignore[attr-defined]
                is_active=True, role__in=[Role.VIRTUAL_SCHOOL_LEAD, Role.VIRTUAL_SCHOOL_HEAD, Role.DESIGNATED_TEACHER]
            )
            .order_by("full_name")
        )
        self.helper = _helper(
            Field("meeting_date"),
            Field.text("meeting_time", field_width=5),
            Field.radios("meeting_mode", legend_size=Size.SMALL, inline=True),
            Field.text("meeting_venue"),
            Field.select("chair"),
            Field.textarea("invitees"),
            submit="Save the meeting",
        )

    def clean_meeting_time(self) -> dt.time:
        value = self.cleaned_data["meeting_time"].strip()
        match = TIME_RE.match(value)
        if not match:
            raise forms.ValidationError("Enter the time as hours and minutes on the 24-hour clock, for example 14:30")
        return dt.time(int(match.group(1)), int(match.group(2)))


class MeetingRecordForm(VersionedForm):
    meeting_held_on = GovUKDateField(label="Date the meeting was held", what="the date the meeting was held")
    meeting_mode = forms.ChoiceField(
        label="Was it in person or virtual?",
        choices=MeetingMode.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether the meeting was in person or virtual"},
    )
    attendees = forms.CharField(
        label="Who attended",
        help_text="One person a line, with their role",
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
    )
    meeting_notes = forms.CharField(
        label="Notes of the meeting", widget=forms.Textarea(attrs={"rows": 8}), required=False
    )
    next_meeting_date = GovUKDateField(
        label="Date of the next PEP meeting",
        what="the date of the next PEP meeting",
        help_text="It must be before the child's next care review",
    )

    def __init__(self, *args: Any, next_review: dt.date | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if next_review:
            self.fields[
                "next_meeting_date"
            ].help_text = f"It must be before the child's next care review on {next_review.day} {next_review:%B %Y}"
        self.helper = _helper(
            Field("meeting_held_on"),
            Field.radios("meeting_mode", legend_size=Size.SMALL, inline=True),
            Field.textarea("attendees"),
            Field.textarea("meeting_notes"),
            Field("next_meeting_date"),
            submit="Record the meeting",
        )


class AttainmentForm(VersionedForm):
    subject = forms.CharField(label="Subject", max_length=100, required=False)
    current = forms.ChoiceField(label="Working at now", required=False)
    target = forms.ChoiceField(
        label="Aspirational target", help_text="Aim high: at or above where they are working", required=False
    )
    on_track = forms.TypedChoiceField(
        label="On track for the target?",
        choices=[("yes", "Yes"), ("no", "No"), ("", "Not known yet")],
        coerce=lambda v: {"yes": True, "no": False}.get(v),
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(label="Comment", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, key_stage: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        scale = [("", "Choose a grade"), *((v, v) for v in SCALES.get(key_stage, ()))]
        self.fields["current"].choices = scale  # type: ignore[attr-defined]
        self.fields["target"].choices = scale  # type: ignore[attr-defined]
        self.helper = _helper(
            Field.text("subject", field_width=20),
            Field.select("current"),
            Field.select("target"),
            Field.radios("on_track", legend_size=Size.SMALL, inline=True),
            Field.textarea("comment"),
        )


class PriorAttainmentForm(forms.Form):
    key_stage = forms.ChoiceField(
        label="Key stage", choices=[("", "Choose a key stage"), *KeyStage.choices], required=False
    )
    subject = forms.CharField(label="Subject", max_length=100, required=False)
    result = forms.CharField(
        label="Result", max_length=20, required=False, help_text="On that key stage's scale, for example Expected or 6"
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.show_non_field_errors = False
        self.helper.layout = Layout(
            Field.select("key_stage"),
            Field.text("subject", field_width=20),
            Field.text("result", field_width=10),
            Button("submit", "Save the result"),
        )


class TargetForm(VersionedForm):
    description = forms.CharField(
        label="Target",
        help_text="What the child will be able to do",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    measure = forms.CharField(
        label="How it will be measured",
        help_text="For example a reading age, a test score or attendance",
        max_length=300,
        required=False,
    )
    baseline = forms.CharField(label="Where they are now", max_length=200, required=False)
    target_value = forms.CharField(label="What it should reach", max_length=200, required=False)
    deadline = GovUKDateField(label="By when", what="the date the target will be achieved by")
    owner = forms.CharField(label="Who is responsible", help_text="Name and role", max_length=200, required=False)
    ppplus = forms.CharField(
        label="PP+ funding behind it (£)",
        help_text="Leave blank if none, for example 250.00",
        required=False,
        max_length=12,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    funding_note = forms.CharField(label="What the funding pays for", max_length=300, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper(
            Field.textarea("description"),
            Field.text("measure"),
            Field.text("baseline", field_width=20),
            Field.text("target_value", field_width=20),
            Field("deadline"),
            Field.text("owner"),
            Fieldset(
                Field.text("ppplus", field_width=10),
                Field.text("funding_note"),
                legend="Pupil Premium Plus",
                legend_size=Size.SMALL,
            ),
            submit="Save the target",
        )

    def clean_ppplus(self) -> int | None:
        raw = (self.cleaned_data.get("ppplus") or "").strip().lstrip("£").replace(",", "")
        if not raw:
            return None
        try:
            amount = Decimal(raw)
        except InvalidOperation as exc:
            raise forms.ValidationError("Enter the PP+ funding in pounds and pence, for example 250.00") from exc
        if amount < 0 or amount.as_tuple().exponent < -2:  # type: ignore[operator]
            raise forms.ValidationError("Enter the PP+ funding in pounds and pence, for example 250.00")
        return int(amount * 100)

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["ppplus_pence"] = data.pop("ppplus", None)
        data.pop("version", None)
        return data


class TargetReviewForm(VersionedForm):
    outcome = forms.ChoiceField(
        label="Was the target achieved?",
        choices=TargetOutcome.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    outcome_note = forms.CharField(
        label="What happened",
        help_text="Required when it was not fully achieved",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper(
            Field.radios("outcome", legend_size=Size.SMALL), Field.textarea("outcome_note"), submit="Save the review"
        )


class ActionForm(VersionedForm):
    description = forms.CharField(label="Action", widget=forms.Textarea(attrs={"rows": 3}), required=False)
    owner = forms.CharField(label="Who will do it", help_text="Name and role", max_length=200, required=False)
    due_on = GovUKDateField(label="By when", what="the date the action is due by")
    done_on = GovUKDateField(
        label="Done on", what="the date the action was done", help_text="Leave blank until it is done"
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper(
            Field.textarea("description"),
            Field.text("owner"),
            Field("due_on"),
            Field("done_on"),
            submit="Save the action",
        )


class DecisionForm(VersionedForm):
    decision = forms.ChoiceField(
        label="Your decision",
        choices=[("approve", "Approve and sign off"), ("return", "Return with feedback")],
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether to approve the PEP or return it"},
    )
    rag = forms.ChoiceField(
        label="RAG rating",
        choices=Rag.choices,
        widget=forms.RadioSelect,
        required=False,
        help_text="A red PEP must be put right before sign-off: it is returned",
    )
    reason = forms.CharField(
        label="What needs to be put right",
        help_text="Required when returning the PEP",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper(
            Field.radios("decision", legend_size=Size.SMALL),
            Field.radios("rag", legend_size=Size.SMALL, inline=True),
            Field.textarea("reason"),
            submit="Save the decision",
        )


class QaForm(forms.Form):
    grade = forms.ChoiceField(label="Overall grade", choices=QaGrade.choices, widget=forms.RadioSelect, required=False)
    feedback = forms.CharField(
        label="Feedback to the designated teacher",
        help_text="What was done well and what to improve at the next PEP",
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        layout = []
        for criterion, label in QaCriterion.choices:
            self.fields[f"rating_{criterion}"] = forms.ChoiceField(
                label=label, choices=QaRating.choices, widget=forms.RadioSelect, required=False
            )
            layout.append(Field.radios(f"rating_{criterion}", legend_size=Size.SMALL, inline=True))
        self.order_fields([f"rating_{c}" for c in QaCriterion.values] + ["grade", "feedback"])
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.show_non_field_errors = False
        self.helper.layout = Layout(
            Fieldset(*layout, legend="Criteria", legend_size=Size.MEDIUM),
            Field.radios("grade", legend_size=Size.MEDIUM),
            Field.textarea("feedback"),
            Button("submit", "Save the quality assurance"),
        )

    def ratings(self) -> dict[str, str]:
        return {c: self.cleaned_data.get(f"rating_{c}", "") for c in QaCriterion.values}


class ReasonForm(forms.Form):
    reason = forms.CharField(label="Reason", widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args: Any, label: str, submit: str, warning: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].label = label
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.show_non_field_errors = False
        button = Button.warning("submit", submit) if warning else Button("submit", submit)
        self.helper.layout = Layout(Field.textarea("reason", label_size=Size.SMALL), button)


class CareReviewForm(forms.Form):
    review_date = GovUKDateField(label="Date of the care review", what="the date of the care review")
    note = forms.CharField(
        label="Note", help_text="Optional, for example 'booked' or 'held'", required=False, max_length=200
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.show_non_field_errors = False
        self.helper.layout = Layout(Field("review_date"), Field.text("note"), Button("submit", "Save the date"))


class DelegationForm(forms.Form):
    delegate = forms.ModelChoiceField(
        label="Colleague", queryset=None, required=False, empty_label="Choose a colleague"
    )
    children = forms.ModelMultipleChoiceField(
        label="For which pupils?",
        help_text="Leave all unticked to delegate every pupil, for the parts you choose below",
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    parts = forms.MultipleChoiceField(
        label="Which parts of the PEP?",
        help_text="Leave all unticked to delegate every part, for the pupils you chose",
        choices=[(p, PART_LABELS[p]) for p in SCHOOL_PARTS],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, colleagues: Any, pupils: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["delegate"].queryset = colleagues  # type: ignore[attr-defined]
        self.fields["children"].queryset = pupils  # type: ignore[attr-defined]
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.show_non_field_errors = False
        self.helper.layout = Layout(
            Field.select("delegate"),
            Field.checkboxes("children", legend_size=Size.SMALL),
            Field.checkboxes("parts", legend_size=Size.SMALL),
            Button("submit", "Delegate"),
        )
