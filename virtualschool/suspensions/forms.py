"""Forms for suspensions, permanent exclusions, risks and reduced timetables (GOV.UK Frontend through
crispy-forms-gds). The services do the checking that matters; these turn what was typed into values."""

from __future__ import annotations

from typing import Any

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Fieldset, Fluid, Layout, Size
from django import forms

from virtualschool.children.forms import GovUKDateField, apply_service_errors  # noqa: F401 (re-exported)

from .codes import MAX_REASONS, REASON_CHOICES, Category, GovernorsOutcome, LengthUnit, ReviewOutcome
from .models import AGREEMENT_PARTIES


def _helper(*layout: Any) -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    helper.show_non_field_errors = False
    helper.legend_size = Size.MEDIUM
    helper.layout = Layout(*layout)
    return helper


def _text(label: str, what: str, *, help_text: str = "", required: bool = False, rows: int = 3) -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=help_text,
        required=required,
        strip=True,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages={"required": f"Enter {what}"},
    )


def _name(label: str, help_text: str = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=help_text,
        required=False,
        max_length=200,
        strip=True,
        error_messages={"max_length": "The name must be 200 characters or fewer"},
    )


TOLD_FIELDS = ("vs_told_on", "social_worker_told_on", "reviewing_officer_told_on", "paperwork_received_on")


def _told_fields() -> dict[str, forms.Field]:
    return {
        "vs_told_on": GovUKDateField(label="Virtual School told on", what="the date the Virtual School was told"),
        "social_worker_told_on": GovUKDateField(
            label="Social worker told on", what="the date the social worker was told"
        ),
        "reviewing_officer_told_on": GovUKDateField(
            label="Reviewing officer told on", what="the date the reviewing officer was told"
        ),
        "paperwork_received_on": GovUKDateField(
            label="Paperwork received on",
            what="the date the paperwork arrived",
            help_text="The school's letter to the carer and the Virtual School, due within 48 hours",
        ),
    }


class SuspensionForm(forms.Form):
    """Record a suspension or permanent exclusion."""

    school = forms.TypedChoiceField(label="School", coerce=int, error_messages={"required": "Select the school"})
    category = forms.ChoiceField(
        label="Suspension or permanent exclusion?",
        choices=Category.choices,
        widget=forms.RadioSelect,
        initial=Category.SUSPENSION,
        error_messages={"required": "Select suspension or permanent exclusion"},
    )
    decided_on = GovUKDateField(
        label="Date of the headteacher's decision",
        what="the date of the headteacher's decision",
        help_text="Leave blank if it was the first day of the suspension",
    )
    start_date = GovUKDateField(
        label="First day of the suspension", what="the first day of the suspension", required=True
    )
    length_unit = forms.ChoiceField(
        label="Length counted in",
        choices=LengthUnit.choices,
        widget=forms.RadioSelect,
        required=False,
        help_text="Not needed for a permanent exclusion",
    )
    length = forms.IntegerField(
        label="Length",
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "spellcheck": "false"}),
        min_value=1,
        help_text="School days or sessions (a session is a morning or an afternoon)",
        error_messages={
            "invalid": "Enter the length as a whole number, for example 3",
            "min_value": "Enter how long the suspension is, 1 or more",
        },  # the longest allowed is the policy's yearly limit, checked by the service
    )
    reasons = forms.MultipleChoiceField(
        label=f"Reasons (up to {MAX_REASONS})",
        choices=REASON_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Select at least one reason from the census list"},
        help_text="The school census reason codes",
    )
    details = _text("What happened (optional)", "what happened")
    provision_day1 = _text(
        "Education provided from the first day (optional)",
        "the education provided from the first day",
        help_text="Best practice for children in care is a full-time offer from the first day",
    )

    def __init__(self, *args: Any, schools: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields.update(_told_fields())
        self.fields["school"].choices = [("", "Select a school"), *schools]  # type: ignore[attr-defined]
        if len(schools) == 1:
            self.fields["school"].initial = schools[0][0]
        self.helper = _helper(
            Field.select("school"),
            Field.radios("category", legend_size=Size.MEDIUM, inline=True),
            "decided_on",
            "start_date",
            Fieldset(
                Field.radios("length_unit", legend_size=Size.SMALL, inline=True),
                Field.text("length", field_width=3),
                legend="Length of a suspension",
                legend_size=Size.MEDIUM,
            ),
            Field.checkboxes("reasons", legend_size=Size.MEDIUM, small=True),
            Field.textarea("details"),
            Fieldset(*TOLD_FIELDS, legend="Who was told, and the paperwork", legend_size=Size.MEDIUM),
            Field.textarea("provision_day1"),
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("category") == Category.SUSPENSION:
            if not data.get("length_unit"):
                self.add_error("length_unit", "Select whether the length is in school days or sessions")
            if data.get("length") is None and "length" not in self.errors:
                self.add_error("length", "Enter how long the suspension is, 1 or more")
        if len(data.get("reasons") or []) > MAX_REASONS:
            self.add_error("reasons", f"Select up to {MAX_REASONS} reasons (the census records three)")
        return data


class FollowUpForm(forms.Form):
    """What followed a suspension: who was told when, the paperwork, provision and the return meeting."""

    provision_day1 = _text("Education provided from the first day", "the education provided from the first day")
    provision_day6 = _text(
        "Full-time education arranged from the sixth school day",
        "the full-time education arranged",
        help_text="Where and what: the school (or for a permanent exclusion, the local authority) arranges it",
    )
    provision_day6_arranged_on = GovUKDateField(
        label="Full-time education arranged on",
        what="the date the full-time education was arranged",
        help_text="The day the place was confirmed: it should be ready by the sixth school day",
    )
    reintegration_meeting_on = GovUKDateField(
        label="Return (reintegration) meeting held on", what="the date of the return meeting"
    )
    reintegration_vs_invited = forms.BooleanField(label="The Virtual School was invited", required=False)
    reintegration_sw_invited = forms.BooleanField(label="The social worker was invited", required=False)
    reintegration_attendees = _text(
        "Who attended the return meeting", "who attended", help_text="Names and roles, for example Sam Lee, carer"
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        told = _told_fields()
        self.fields = {**told, **self.fields}
        self.helper = _helper(
            Fieldset(*TOLD_FIELDS, legend="Who was told, and the paperwork", legend_size=Size.MEDIUM),
            Fieldset(
                Field.textarea("provision_day1"),
                Field.textarea("provision_day6"),
                "provision_day6_arranged_on",
                legend="Education during the suspension",
                legend_size=Size.MEDIUM,
            ),
            Fieldset(
                "reintegration_meeting_on",
                Field.checkbox("reintegration_vs_invited", small=True),
                Field.checkbox("reintegration_sw_invited", small=True),
                Field.textarea("reintegration_attendees"),
                legend="Return meeting",
                legend_size=Size.MEDIUM,
            ),
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        arranged, on = (data.get("provision_day6") or "").strip(), data.get("provision_day6_arranged_on")
        if arranged and on is None and "provision_day6_arranged_on" not in self.errors:
            self.add_error("provision_day6_arranged_on", "Enter the date the full-time education was arranged")
        if on is not None and not arranged:
            self.add_error("provision_day6", "Enter the full-time education arranged, as well as the date")
        return data


class ExclusionForm(forms.Form):
    """A permanent exclusion: the multi-agency meeting, the final decision, the governors, any review."""

    meeting_on = GovUKDateField(label="Multi-agency meeting held on", what="the date of the multi-agency meeting")
    meeting_social_worker = _name("Social worker who attended")
    meeting_carer = _name("Carer who attended")
    meeting_reviewing_officer = _name("Reviewing officer who attended")
    meeting_vs_lead = _name("Virtual School Lead who attended")
    meeting_school = _name("Who attended for the school", "For example the headteacher and designated teacher")
    meeting_alternatives = _text("Alternatives considered", "the alternatives considered")
    is_final = forms.BooleanField(label="The headteacher has confirmed the permanent exclusion", required=False)
    governors_meeting_on = GovUKDateField(label="Governors' meeting held on", what="the date of the governors' meeting")
    governors_outcome = forms.ChoiceField(
        label="What did the governors decide?",
        choices=GovernorsOutcome.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    review_requested_on = GovUKDateField(
        label="Independent review requested on", what="the date the independent review was requested"
    )
    review_on = GovUKDateField(label="Independent review panel held on", what="the date of the independent review")
    review_outcome = forms.ChoiceField(
        label="What did the panel decide?", choices=ReviewOutcome.choices, widget=forms.RadioSelect, required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper(
            Fieldset(
                "meeting_on",
                *(
                    Field.text(name, field_width=Fluid.TWO_THIRDS)
                    for name in (
                        "meeting_social_worker",
                        "meeting_carer",
                        "meeting_reviewing_officer",
                        "meeting_vs_lead",
                        "meeting_school",
                    )
                ),
                Field.textarea("meeting_alternatives"),
                legend="Multi-agency meeting with the school",
                legend_size=Size.MEDIUM,
            ),
            Fieldset(Field.checkbox("is_final", small=True), legend="Final decision", legend_size=Size.MEDIUM),
            Fieldset(
                "governors_meeting_on",
                Field.radios("governors_outcome", legend_size=Size.SMALL),
                legend="Governors' meeting",
                legend_size=Size.MEDIUM,
            ),
            Fieldset(
                "review_requested_on",
                "review_on",
                Field.radios("review_outcome", legend_size=Size.SMALL),
                legend="Independent review panel",
                legend_size=Size.MEDIUM,
            ),
        )


class RiskForm(forms.Form):
    school = forms.TypedChoiceField(label="School", coerce=int, required=False, empty_value=None)
    raised_on = GovUKDateField(label="Date raised", what="the date the risk was raised", required=True)
    raised_by = forms.CharField(
        label="Raised by",
        help_text="Name and role, for example Jo Bell, headteacher",
        max_length=200,
        error_messages={"required": "Enter who raised the risk", "max_length": "Enter 200 characters or fewer"},
    )
    school_said = _text("What the school said", "what the school said", required=True, rows=5)

    def __init__(self, *args: Any, schools: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["school"].choices = [("", "Select a school"), *schools]  # type: ignore[attr-defined]
        if len(schools) == 1:
            self.fields["school"].initial = schools[0][0]
        self.helper = _helper(
            Field.select("school"),
            "raised_on",
            Field.text("raised_by", field_width=Fluid.TWO_THIRDS),
            Field.textarea("school_said"),
        )


class RiskCloseForm(forms.Form):
    closed_on = GovUKDateField(label="Date closed", what="the date the risk was closed", required=True)
    note = _text("Why it was closed (optional)", "why it was closed")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper("closed_on", Field.textarea("note"))


# How each party that agrees a reduced timetable is named in a sentence.
PARTY_NAMES = {
    "social_care": "social care",
    "virtual_school": "the Virtual School",
    "school": "the school",
    "carer": "the carer",
}


class TimetableForm(forms.Form):
    """A reduced timetable with who agreed it."""

    school = forms.TypedChoiceField(label="School", coerce=int, required=False, empty_value=None)
    hours_per_week = forms.DecimalField(
        label="Hours a week",
        widget=forms.TextInput(attrs={"inputmode": "decimal", "spellcheck": "false"}),
        max_digits=4,
        decimal_places=1,
        min_value=0.1,
        error_messages={
            "required": "Enter the hours a week, for example 15 or 12.5",
            "invalid": "Enter the hours a week as a number, for example 15 or 12.5",
            "max_decimal_places": "Enter the hours a week to one decimal place",
            "min_value": "Hours a week must be more than 0",
            "max_digits": "Enter the hours a week, fewer than 1,000",
        },
    )
    start_date = GovUKDateField(label="Start date", what="the start date", required=True)
    end_date = GovUKDateField(
        label="Agreed end date",
        what="the agreed end date",
        required=True,
        help_text="A reduced timetable is only ever for a fixed term",
    )
    review_1 = GovUKDateField(label="First review date", what="the first review date", required=True)
    review_2 = GovUKDateField(label="Second review date (optional)", what="the second review date")
    reason = _text("Why a reduced timetable (optional)", "why")
    pep_reference = forms.CharField(
        label="The PEP it is recorded in",
        help_text="For example PEP of 14 October 2026",
        max_length=200,
        required=False,
    )

    def __init__(self, *args: Any, schools: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["school"].choices = [("", "Select a school"), *schools]  # type: ignore[attr-defined]
        if len(schools) == 1:
            self.fields["school"].initial = schools[0][0]
        agreement_layout = []
        for key, label in AGREEMENT_PARTIES:
            self.fields[f"agreed_{key}"] = forms.BooleanField(label=f"{label} agreed", required=False)
            who = PARTY_NAMES[key]
            self.fields[f"agreed_{key}_by"] = _name(f"Who agreed for {who}")
            agreement_layout += [
                Field.checkbox(f"agreed_{key}", small=True),
                Field.text(f"agreed_{key}_by", field_width=Fluid.TWO_THIRDS),
            ]
        self.helper = _helper(
            Field.select("school"),
            Field.text("hours_per_week", field_width=4),
            "start_date",
            "end_date",
            Fieldset("review_1", "review_2", legend="Review dates", legend_size=Size.MEDIUM),
            Field.textarea("reason"),
            Field.text("pep_reference", field_width=Fluid.TWO_THIRDS),
            Fieldset(*agreement_layout, legend="Who agreed it", legend_size=Size.MEDIUM),
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        agreements: dict[str, str] = {}
        for key, _label in AGREEMENT_PARTIES:
            ticked, name = data.get(f"agreed_{key}"), (data.get(f"agreed_{key}_by") or "").strip()
            who = PARTY_NAMES[key]
            if ticked and not name:
                self.add_error(f"agreed_{key}_by", f"Enter the name of who agreed for {who}")
            elif name and not ticked:
                self.add_error(f"agreed_{key}", f"Tick that {who} agreed, or remove the name")
            elif ticked:
                agreements[key] = name
        data["agreements"] = agreements
        data["review_dates"] = [d for d in (data.get("review_1"), data.get("review_2")) if d]
        return data


class TimetableReviewForm(forms.Form):
    held_on = GovUKDateField(label="Review held on", what="the date the review was held", required=True)
    notes = _text("What the review decided (optional)", "what the review decided")
    next_review_on = GovUKDateField(label="Next review date", what="the next review date")
    ended_on = GovUKDateField(
        label="Full-time education resumed on (if it has)", what="the date full-time education resumed"
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper("held_on", Field.textarea("notes"), "next_review_on", "ended_on")


class OverviewFilterForm(forms.Form):
    school = forms.TypedChoiceField(label="School", coerce=int, required=False, empty_value=None)
    lead = forms.TypedChoiceField(label="Virtual School Lead", coerce=int, required=False, empty_value=None)

    def __init__(self, *args: Any, schools: list[tuple[int, str]], leads: list[tuple[int, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["school"].choices = [("", "Any school"), *schools]  # type: ignore[attr-defined]
        self.fields["lead"].choices = [("", "Any lead"), *leads]  # type: ignore[attr-defined]
        for name in ("school", "lead"):
            self.fields[name].error_messages["invalid_choice"] = "Select one from the list"
