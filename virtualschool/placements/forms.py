"""Forms for education placements: start, correct and end a placement."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import HTML, Button, Field, Fieldset, Fluid, Layout, Size
from django import forms
from django.core.exceptions import ValidationError

from virtualschool.children.forms import GovUKDateField
from virtualschool.core.selectors import policy_get
from virtualschool.schools.models import OfstedRating
from virtualschool.schools.selectors import SchoolLookupError, designated_teachers, school_lookup

from .models import AdmissionRoute, ChangeReason, EducationPlacement, SettingType


def _teacher_label(user: Any) -> str:
    schools = ", ".join(role.school.name for role in user.school_roles.all())
    name = user.full_name or user.username
    return f"{name} ({schools})" if schools else name


class PlacementForm(forms.Form):
    """Where the child learns, from when, for how many hours, and why a school below good was chosen."""

    setting_type = forms.ChoiceField(
        label="Type of setting", choices=SettingType.choices, initial=SettingType.SCHOOL, widget=forms.RadioSelect
    )
    school = forms.CharField(
        label="School or setting from the register",
        help_text="Enter the URN (6 digits), the DfE number or the name. Leave blank for a setting with no URN.",
        required=False,
        max_length=200,
    )
    provider_name = forms.CharField(
        label="Provider's name", help_text="For a setting with no URN", required=False, max_length=200
    )
    start_date = GovUKDateField(label="Start date", what="the start date", required=True)
    end_date = GovUKDateField(label="End date", what="the end date", help_text="Leave blank if the placement continues")
    hours_per_week = forms.DecimalField(
        label="Hours of education a week",
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "spellcheck": "false"}),
        max_digits=4,
        decimal_places=1,
        min_value=Decimal(0),
        max_value=Decimal(60),
        error_messages={
            "invalid": "Enter the hours a week as a number, like 25 or 12.5",
            "max_value": "Hours a week must be between 0 and 60",
            "min_value": "Hours a week must be between 0 and 60",
            "max_decimal_places": "Enter the hours to one decimal place at most, like 12.5",
        },
    )
    designated_teacher = forms.ModelChoiceField(
        label="Designated teacher", queryset=None, required=False, empty_label="The school's designated teacher"
    )
    ofsted_rating_at_start = forms.ChoiceField(
        label="Ofsted judgement when placed",
        help_text="Leave as 'From the register' to use the school's current judgement",
        required=False,
    )
    rationale_below_good = forms.CharField(
        label="Rationale for a school below good",
        help_text="Required when the school requires improvement or is inadequate",
        required=False,
        widget=forms.Textarea,
    )
    exceptional_reason_inadequate = forms.CharField(
        label="Exceptional, evidence-based reason for an inadequate school",
        help_text="Required when the school is judged inadequate",
        required=False,
        widget=forms.Textarea,
    )
    reason_for_change = forms.ChoiceField(label="Reason for the change of placement", required=False)
    reason_detail = forms.CharField(label="More about the reason", required=False, widget=forms.Textarea)
    application_date = GovUKDateField(label="Date of application", what="the date of application")
    on_roll_date = GovUKDateField(label="Date on roll", what="the date on roll")
    admission_route = forms.ChoiceField(label="How was the child admitted?", required=False)

    def __init__(self, *args: Any, user: Any, placement: EducationPlacement | None = None, **kwargs: Any) -> None:
        if placement is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "setting_type": placement.setting_type,
                "school": str(placement.school.urn) if placement.school is not None else "",
                "provider_name": placement.provider_name,
                "start_date": placement.start_date,
                "end_date": placement.end_date,
                "hours_per_week": placement.hours_per_week,
                "designated_teacher": placement.designated_teacher_id,
                "ofsted_rating_at_start": placement.ofsted_rating_at_start,
                "rationale_below_good": placement.rationale_below_good,
                "exceptional_reason_inadequate": placement.exceptional_reason_inadequate,
                "reason_for_change": placement.reason_for_change,
                "reason_detail": placement.reason_detail,
                "application_date": placement.application_date,
                "on_roll_date": placement.on_roll_date,
                "admission_route": placement.admission_route,
            }
        super().__init__(*args, **kwargs)
        self.user = user
        self.editing = placement is not None
        policy = policy_get()
        self.fields["hours_per_week"].help_text = (
            f"Full-time is {policy.full_time_hours_school_age:g} hours for a school-age child "
            f"and {policy.full_time_hours_post16:g} hours post-16"
        )
        teacher = self.fields["designated_teacher"]
        teacher.queryset = designated_teachers(user=user)  # type: ignore[attr-defined]
        teacher.label_from_instance = _teacher_label  # type: ignore[attr-defined]
        ratings = [(value, label) for value, label in OfstedRating.choices if value]
        self.fields["ofsted_rating_at_start"].choices = [  # type: ignore[attr-defined]
            ("", "From the register"),
            *ratings,
            ("none", "Not yet inspected"),
        ]
        self.fields["reason_for_change"].choices = [("", "Not recorded"), *ChangeReason.choices]  # type: ignore[attr-defined]
        self.fields["admission_route"].choices = [("", "Not recorded"), *AdmissionRoute.choices]  # type: ignore[attr-defined]

        self.helper = FormHelper()
        self.helper.label_size = Size.SMALL
        self.helper.legend_size = Size.SMALL
        self.helper.layout = Layout(
            Field.radios("setting_type", legend_size=Size.MEDIUM, small=True),
            Field.text("school", field_width=Fluid.TWO_THIRDS),
            Field.text("provider_name", field_width=Fluid.TWO_THIRDS),
            "start_date",
            "end_date",
            Field.text("hours_per_week", field_width=4),
            Field.select("designated_teacher"),
            Fieldset(
                Field.select("ofsted_rating_at_start"),
                Field.textarea("rationale_below_good", rows=3),
                Field.textarea("exceptional_reason_inadequate", rows=3),
                legend="A school below good",
                legend_size=Size.MEDIUM,
            ),
            Fieldset(
                Field.select("reason_for_change"),
                Field.textarea("reason_detail", rows=3),
                legend="Why the placement changed",
                legend_size=Size.MEDIUM,
            ),
            Fieldset(
                HTML('<p class="govuk-body">The days taken from application to being on roll are worked out.</p>'),
                "application_date",
                "on_roll_date",
                Field.select("admission_route"),
                legend="Admission",
                legend_size=Size.MEDIUM,
            ),
            Button("submit", "Save placement"),
        )

    def clean_school(self) -> Any:
        text = (self.cleaned_data.get("school") or "").strip()
        if not text:
            return None
        try:
            return school_lookup(user=self.user, text=text)
        except SchoolLookupError as exc:
            raise ValidationError(str(exc)) from exc

    def service_values(self) -> dict[str, Any]:
        """The cleaned values as the placement services take them."""
        data = dict(self.cleaned_data)
        rating = data.pop("ofsted_rating_at_start", "")
        values = dict(data)
        if rating == "none":
            values["ofsted_rating_at_start"] = OfstedRating.NOT_INSPECTED
        elif rating:
            values["ofsted_rating_at_start"] = rating
        if not self.editing and values.get("end_date") is None:
            values.pop("end_date", None)
        return values


class PlacementEndForm(forms.Form):
    """End a placement with the reason for the change."""

    end_date = GovUKDateField(label="End date", what="the end date", required=True)
    reason_for_change = forms.ChoiceField(
        label="Why did the placement end?",
        choices=ChangeReason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select why the placement ended"},
    )
    reason_detail = forms.CharField(label="More about the reason", required=False, widget=forms.Textarea)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.legend_size = Size.SMALL
        self.helper.label_size = Size.SMALL
        self.helper.layout = Layout(
            "end_date",
            Field.radios("reason_for_change", small=True),
            Field.textarea("reason_detail", rows=3),
            Button("submit", "End the placement"),
        )
