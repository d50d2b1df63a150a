"""Forms for raising and working on escalations, and for notification settings."""

from __future__ import annotations

from typing import Any

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Button, Field, Layout, Size
from django import forms

from virtualschool.children.forms import GovUKDateField

from .models import Contact, Delivery, EscalationStep, FailingParty, Ladder, LadderLevel


def _helper(*fields: Any, submit: str) -> FormHelper:
    helper = FormHelper()
    helper.legend_size = Size.SMALL
    helper.label_size = Size.SMALL
    helper.layout = Layout(*fields, Button("submit", submit))
    return helper


def _text(label: str, required_message: str = "", *, rows: int = 4, help_text: str = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        required=bool(required_message),
        help_text=help_text,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages={"required": required_message} if required_message else {},
    )


class RaiseForm(forms.Form):
    ladder = forms.ModelChoiceField(
        label="Which escalation procedure?",
        queryset=Ladder.objects.none(),
        empty_label=None,
        error_messages={"required": "Select the escalation procedure"},
    )
    failing_party = forms.ChoiceField(
        label="Which party is failing the child?",
        choices=FailingParty.choices,
        error_messages={"required": "Select which party is failing the child"},
    )
    party_name = forms.CharField(
        label="Who, by name (optional)",
        required=False,
        max_length=200,
        help_text="For example the school's name, or the name and role of the professional",
    )
    summary = _text("What is not happening?", "Enter what is not happening", rows=5)
    evidence = _text("What is the evidence? (optional)", rows=4)
    arose_on = GovUKDateField(
        label="When did the concern arise?",
        what="the date the concern arose",
        required=True,
        help_text="For example 27 3 2026",
    )
    safeguarding = forms.TypedChoiceField(
        label="Is this a safeguarding matter?",
        choices=[("yes", "Yes"), ("no", "No")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        help_text="The procedure's faster timescales then apply",
        error_messages={"required": "Select yes if this is a safeguarding matter"},
    )

    due_on = GovUKDateField(
        label="A due date for the first level (optional)",
        what="the due date",
        help_text=(
            "Leave blank to use the procedure's time allowed. Needed where the first level has no time limit "
            "(for example an informal stage, 'according to the child's need')."
        ),
    )
    reason = _text("Why this due date? (optional)", rows=2, help_text="Required when it differs from the procedure's")

    def __init__(self, *args: Any, ladders: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["ladder"].queryset = ladders
        self.fields["ladder"].label_from_instance = lambda ladder: f"{ladder.name} ({ladder.source.split(':')[0]})"
        self.helper = _helper(
            "ladder",
            "failing_party",
            "party_name",
            Field.textarea("summary"),
            Field.textarea("evidence"),
            "arose_on",
            Field.radios("safeguarding", inline=True),
            "due_on",
            Field.textarea("reason"),
            submit="Raise the concern",
        )


class _ReasonAndTimescale(forms.Form):
    due_on = GovUKDateField(
        label="A different due date (optional)",
        what="the due date",
        help_text="Leave blank to use the procedure's time allowed. A different date needs a reason.",
    )
    holder = forms.ModelChoiceField(
        label="Who holds it from now on?", queryset=None, required=False, empty_label="Keep the current holder"
    )

    def __init__(self, *args: Any, holders: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["holder"].queryset = holders  # type: ignore[attr-defined]


class MoveForm(_ReasonAndTimescale):
    reason = _text("Notes (optional)", rows=3, help_text="Required when you set a different due date")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper(Field.textarea("reason"), "due_on", "holder", submit="Move it up")


class SkipForm(_ReasonAndTimescale):
    level = forms.TypedChoiceField(
        label="Which level should it go to?",
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the level to go to"},
    )
    reason = _text("Why are levels being skipped?", "Enter why levels are being skipped", rows=4)

    def __init__(self, *args: Any, levels: list[LadderLevel], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["level"].choices = [(lv.number, f"{lv.label}: {lv.name}") for lv in levels]  # type: ignore[attr-defined]
        self.helper = _helper(
            Field.radios("level", small=True), Field.textarea("reason"), "due_on", "holder", submit="Skip to this level"
        )


class ResolveForm(forms.Form):
    outcome = _text(
        "What was the outcome?",
        "Enter the outcome",
        rows=5,
        help_text="What was done, and whether the child's needs are now met",
    )
    resolved_on = GovUKDateField(
        label="Date resolved", what="the date it was resolved", help_text="Leave blank for today"
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper(Field.textarea("outcome"), "resolved_on", submit="Resolve the escalation")


class ContactForm(forms.Form):
    person = forms.CharField(
        label="Who was contacted?", max_length=200, error_messages={"required": "Enter who was contacted"}
    )
    role = forms.CharField(label="Their role (optional)", max_length=200, required=False)
    method = forms.ChoiceField(
        label="How?",
        choices=Contact.Method.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select how they were contacted"},
    )
    contacted_on = GovUKDateField(label="When?", what="the date of the contact", required=True)
    asked = _text("What was asked? (optional)", rows=3)
    response = _text("What did they say? (optional)", rows=4)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper(
            "person",
            "role",
            Field.radios("method", inline=True),
            "contacted_on",
            Field.textarea("asked"),
            Field.textarea("response"),
            submit="Record the contact",
        )


class ChildViewForm(forms.Form):
    recorded_on = GovUKDateField(label="Date", what="the date", required=True)
    views = _text("What are the child's views? ", rows=5, help_text="In their words where you can")
    not_obtained_reason = _text("Or: why could their views not be obtained?", rows=3)
    how_obtained = forms.CharField(label="How were they asked? (optional)", max_length=200, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper(
            "recorded_on",
            Field.textarea("views"),
            Field.textarea("not_obtained_reason"),
            "how_obtained",
            submit="Record the child's views",
        )


class ResponsesForm(forms.Form):
    responses = forms.MultipleChoiceField(
        label="Which steps were taken?",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Select at least one response"},
    )
    note = _text("Notes (optional)", rows=3)

    def __init__(self, *args: Any, step: EscalationStep, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["responses"].choices = [(r, r) for r in step.level.responses]
        self.helper = _helper(
            Field.checkboxes("responses", small=True), Field.textarea("note"), submit="Save the responses"
        )


class PreferenceForm(forms.Form):
    due_soon = forms.ChoiceField(label="Things due soon", choices=Delivery.choices, widget=forms.RadioSelect)
    overdue = forms.ChoiceField(label="Things overdue", choices=Delivery.choices, widget=forms.RadioSelect)
    other = forms.ChoiceField(
        label="Escalations, decisions and alerts", choices=Delivery.choices, widget=forms.RadioSelect
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper(
            Field.radios("due_soon", small=True),
            Field.radios("overdue", small=True),
            Field.radios("other", small=True),
            submit="Save notification settings",
        )


class ListFilterForm(forms.Form):
    state = forms.ChoiceField(
        label="Due",
        required=False,
        choices=[("", "Any"), ("overdue", "Overdue"), ("due_soon", "Due soon"), ("on_time", "Not yet due")],
        widget=forms.RadioSelect,
    )
    status = forms.ChoiceField(
        label="Status",
        required=False,
        choices=[("open", "Open"), ("resolved", "Resolved"), ("all", "Open and resolved")],
        widget=forms.RadioSelect,
    )
    ladder = forms.ChoiceField(label="Procedure", required=False)
    party = forms.ChoiceField(label="Failing party", required=False, choices=[("", "Any"), *FailingParty.choices])
    mine = forms.BooleanField(label="Only those I hold", required=False)

    def __init__(self, *args: Any, ladders: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["ladder"].choices = [("", "Any"), *((ladder.slug, ladder.name) for ladder in ladders)]
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.legend_size = Size.SMALL
        self.helper.label_size = Size.SMALL
        self.helper.layout = Layout(
            Field.radios("state", small=True),
            Field.radios("status", small=True),
            "ladder",
            "party",
            Field.checkbox("mine", small=True),
        )
