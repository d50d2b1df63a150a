"""Forms for the roll: the list filters, a child's record and closing a record."""

from __future__ import annotations

import datetime as dt
from typing import Any

from crispy_forms_gds.fields import DateInputField
from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import HTML, Button, Field, Fieldset, Fluid, Layout, Size
from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from virtualschool.schools.selectors import SchoolLookupError, school_lookup

from . import codes, sdq
from .models import Child, ClosureReason, Cohort, SenStatus
from .selectors import reviewing_officers, social_workers, virtual_school_staff
from .services import normalise_upn

# ---------------------------------------------------------------------------------------------------------
# Shared pieces (the placement and school forms use them too)
# ---------------------------------------------------------------------------------------------------------


class GovUKDateField(DateInputField):
    """A GOV.UK date input (day, month, year) whose errors say which date, and what to fix."""

    def __init__(self, *, label: str, what: str, required: bool = False, **kwargs: Any) -> None:
        super().__init__(label=label, required=required, require_all_fields=False, **kwargs)
        self.what = what
        self.error_messages["required"] = f"Enter {what}"
        self.error_messages["incomplete"] = f"{what[0].upper()}{what[1:]} must include a day, month and year"
        for part, field in zip(("day", "month", "year"), self.fields, strict=True):
            field.error_messages["incomplete"] = f"{what[0].upper()}{what[1:]} must include a {part}"
            field.error_messages["required"] = f"{what[0].upper()}{what[1:]} must include a {part}"
            field.validators = [
                validator
                for validator in field.validators
                if not getattr(validator, "regex", None)  # replaced by the clearer check in compress
            ]

    def compress(self, data_list: Any) -> dt.date | None:
        day, month, year = (str(v).strip() if v is not None else "" for v in data_list)
        if not (day and month and year):
            return None
        real = f"{self.what[0].upper()}{self.what[1:]} must be a real date, for example 27 3 2019"
        if not (day.isdigit() and month.isdigit() and year.isdigit()):
            raise ValidationError(real)
        if len(year) != 4:
            raise ValidationError(f"The year of {self.what} must have four digits, for example 2019")
        try:
            return dt.date(int(year), int(month), int(day))
        except ValueError as exc:
            raise ValidationError(real) from exc


def apply_service_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form fields it names (or above the form)."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            target = name if name in form.fields else None
            if name == NON_FIELD_ERRORS:
                target = None
            for error in errors:
                form.add_error(target, error)
    else:
        for message in exc.messages:
            form.add_error(None, message)


def year_group_label(year: int) -> str:
    if year < 0:
        return "Nursery"
    if year == 0:
        return "Reception"
    return f"Year {year}"


YEAR_GROUP_CHOICES = [("", "Any year group"), *((str(y), year_group_label(y)) for y in range(-1, 15))]

SEND_FILTER_CHOICES = [
    ("", "Any"),
    ("any", "SEN support or EHCP"),
    (SenStatus.SEN_SUPPORT, "SEN support"),
    (SenStatus.EHCP, "EHCP"),
    (SenStatus.NONE, "No SEND"),
]

AREA_CHOICES = [("", "Anywhere"), ("in", "In our area"), ("out", "Out of area")]
STATUS_CHOICES = [("open", "On the roll"), ("closed", "Closed"), ("all", "All")]
COHORT_CHOICES = [
    ("", "Every cohort"),
    (Cohort.LOOKED_AFTER, "Looked after by us"),
    (Cohort.PREVIOUSLY_LOOKED_AFTER, "Previously looked after"),
    (Cohort.OTHER_AUTHORITY, "Looked after by another authority"),
]
LEGAL_STATUS_CHOICES = [("", "Any legal status"), *((k, f"{k}: {v}") for k, v in codes.LEGAL_STATUS.items())]


# ---------------------------------------------------------------------------------------------------------
# The roll and caseload filters
# ---------------------------------------------------------------------------------------------------------


class RollFilterForm(forms.Form):
    """Filters of the roll (a GET form: every choice can be bookmarked or shared)."""

    q = forms.CharField(
        label="Search by name, UPN or social care reference", required=False, max_length=100, strip=True
    )
    lead = forms.TypedChoiceField(label="Virtual School Lead", required=False, coerce=int, empty_value=None)
    school = forms.CharField(
        label="School", help_text="Name, URN or DfE number", required=False, max_length=120, strip=True
    )
    year = forms.TypedChoiceField(
        label="Year group", choices=YEAR_GROUP_CHOICES, required=False, coerce=int, empty_value=None
    )
    legal_status = forms.ChoiceField(label="Legal status", choices=LEGAL_STATUS_CHOICES, required=False)
    area = forms.ChoiceField(label="School in or out of area", choices=AREA_CHOICES, required=False)
    send = forms.ChoiceField(label="SEND", choices=SEND_FILTER_CHOICES, required=False)
    cohort = forms.ChoiceField(label="Cohort", choices=COHORT_CHOICES, required=False)
    status = forms.ChoiceField(label="Status", choices=STATUS_CHOICES, required=False)
    upn = forms.BooleanField(label="Only children whose UPN needs correcting", required=False)

    def __init__(self, *args: Any, user: Any, with_lead: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.school_found: Any = None
        if with_lead:
            self.fields["lead"].choices = [
                ("", "Any lead"),
                *((str(person.pk), person.full_name or person.username) for person in virtual_school_staff()),
            ]
        else:
            del self.fields["lead"]

    # How each filter is drawn in the MOJ filter panel (the list pages are hot, so the panel is rendered
    # from this plain description rather than through widget templates).
    PANEL = [
        ("lead", "select"),
        ("school", "text"),
        ("year", "select"),
        ("legal_status", "select"),
        ("area", "radios"),
        ("send", "radios"),
        ("cohort", "radios"),
        ("status", "radios"),
        ("upn", "checkbox"),
    ]

    def panel(self) -> list[dict[str, Any]]:
        """Each filter with its label, hint, errors, current value and options, for the filter template."""
        fields = []
        for name, kind in self.PANEL:
            if name not in self.fields:
                continue
            bound = self[name]
            raw = self.data.get(name, "") if self.is_bound else ""
            value = "" if raw is None else str(raw)
            choices = getattr(bound.field, "choices", [])
            fields.append(
                {
                    "name": name,
                    "id": f"id_{name}",
                    "kind": kind,
                    "label": bound.label,
                    "hint": bound.help_text,
                    "errors": list(bound.errors),
                    "value": value,
                    "checked": value in {"on", "true", "1", "True"},
                    "options": [
                        {"value": str(v), "label": label, "selected": str(v) == value, "id": f"id_{name}_{i}"}
                        for i, (v, label) in enumerate(choices)
                    ],
                }
            )
        return fields

    def clean_school(self) -> str:
        text = self.cleaned_data.get("school", "")
        if text:
            try:
                self.school_found = school_lookup(user=self.user, text=text)
            except SchoolLookupError as exc:
                raise ValidationError(str(exc)) from exc
        return text


# ---------------------------------------------------------------------------------------------------------
# A child's record
# ---------------------------------------------------------------------------------------------------------

EAL_CHOICES = [("yes", "Yes"), ("no", "No"), ("unknown", "Not known")]
_EAL_VALUE = {"yes": True, "no": False}
_EAL_CHOICE = {True: "yes", False: "no", None: "unknown"}


def _person_label(person: Any) -> str:
    return person.full_name or person.username


class ChildForm(forms.ModelForm):
    """Add a child to the roll or change their record (closure has its own form)."""

    date_of_birth = GovUKDateField(label="Date of birth", what="the child's date of birth", required=True)
    ehcp_review_date = GovUKDateField(label="EHCP annual review date", what="the EHCP annual review date")
    uasc_ceased_on = GovUKDateField(label="Date UASC status ceased", what="the date UASC status ceased")
    date_first_entered_care = GovUKDateField(label="Date first entered care", what="the date first entered care")
    care_status_received_on = GovUKDateField(
        label="Date care status received",
        what="the date care status was received",
        help_text="The date social care told the Virtual School",
    )
    added_to_roll_on = GovUKDateField(label="Date added to the roll", what="the date added to the roll")
    consent_given_on = GovUKDateField(label="Date consent given", what="the date consent was given")
    upn = forms.CharField(
        label="Unique pupil number (UPN)",
        required=False,
        max_length=20,
        help_text="13 characters, for example A123456789012, or UN1 to UN5 when it is not known. "
        "A UPN that fails its check is saved and flagged for correction.",
    )
    english_additional_language = forms.TypedChoiceField(
        label="English as an additional language",
        choices=EAL_CHOICES,
        coerce=lambda value: _EAL_VALUE.get(value),
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
    )

    class Meta:
        model = Child
        fields = [
            "cohort",
            "first_name",
            "middle_names",
            "last_name",
            "preferred_name",
            "gender",
            "date_of_birth",
            "upn",
            "social_care_reference",
            "sen_status",
            "sen_primary_need",
            "ehcp_review_date",
            "ethnicity",
            "english_additional_language",
            "neet",
            "date_first_entered_care",
            "uasc",
            "uasc_ceased_on",
            "care_status_received_on",
            "added_to_roll_on",
            "allocated_lead",
            "social_worker",
            "reviewing_officer",
            "supervising_social_worker_name",
            "supervising_social_worker_phone",
            "supervising_social_worker_email",
            "carer_name",
            "carer_relationship",
            "carer_phone",
            "carer_email",
            "carer_address",
            "permanence_order",
            "parental_responsibility_holder",
            "consent_given_on",
            "home_authority_name",
            "home_virtual_school_contact",
            "home_virtual_school_email",
            "home_virtual_school_phone",
        ]
        labels = {
            "cohort": "Which children's cohort is this child in?",
            "first_name": "First name",
            "middle_names": "Middle names",
            "last_name": "Last name",
            "preferred_name": "Used name or alias",
            "social_care_reference": "Social care reference",
            "sen_status": "SEND status",
            "sen_primary_need": "Primary need",
            "neet": "Not in education, employment or training (post-16)",
            "uasc": "Unaccompanied asylum-seeking child",
            "allocated_lead": "Virtual School Lead",
            "social_worker": "Social worker or personal adviser",
            "reviewing_officer": "Independent reviewing officer",
            "supervising_social_worker_name": "Supervising social worker",
            "supervising_social_worker_phone": "Supervising social worker's phone",
            "supervising_social_worker_email": "Supervising social worker's e-mail",
            "carer_name": "Carer's name",
            "carer_relationship": "Carer's role",
            "carer_phone": "Carer's phone",
            "carer_email": "Carer's e-mail",
            "carer_address": "Carer's address",
            "permanence_order": "Order that ended care",
            "parental_responsibility_holder": "Who holds parental responsibility",
            "home_authority_name": "Authority that looks after the child",
            "home_virtual_school_contact": "Contact at the home Virtual School",
            "home_virtual_school_email": "Home Virtual School's e-mail",
            "home_virtual_school_phone": "Home Virtual School's phone",
        }
        widgets = {
            "cohort": forms.RadioSelect,
            "gender": forms.RadioSelect,
            "sen_status": forms.RadioSelect,
        }
        help_texts = {
            "social_care_reference": "The child's id in the social care system",
            "preferred_name": "Only if the child is known by a different first name",
            "sen_primary_need": "Only for a child with SEN support or an EHCP",
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.initial["english_additional_language"] = _EAL_CHOICE.get(
                self.instance.english_additional_language, "unknown"
            )
        else:
            self.initial.setdefault("english_additional_language", "unknown")
        people = {
            "allocated_lead": (virtual_school_staff(), "Not allocated"),
            "social_worker": (social_workers(), "Not allocated"),
            "reviewing_officer": (reviewing_officers(), "Not allocated"),
        }
        for name, (queryset, empty) in people.items():
            field = self.fields[name]
            field.queryset = queryset  # type: ignore[attr-defined]
            field.empty_label = empty  # type: ignore[attr-defined]
            field.label_from_instance = _person_label  # type: ignore[attr-defined]
        self.fields["ethnicity"].choices = [("", "Not recorded"), *sorted(codes.ETHNICITY.items(), key=lambda c: c[1])]
        self.fields["sen_primary_need"].choices = [("", "None recorded"), *codes.SEN_PRIMARY_NEED.items()]
        self.fields["permanence_order"].choices = [("", "Not recorded"), *self.fields["permanence_order"].choices[1:]]

        self.helper = FormHelper()
        self.helper.label_size = Size.SMALL
        self.helper.legend_size = Size.SMALL
        self.helper.layout = Layout(
            Field.radios("cohort", legend_size=Size.MEDIUM),
            Fieldset(
                Field.text("first_name", field_width=Fluid.TWO_THIRDS),
                Field.text("middle_names", field_width=Fluid.TWO_THIRDS),
                Field.text("last_name", field_width=Fluid.TWO_THIRDS),
                Field.text("preferred_name", field_width=Fluid.TWO_THIRDS),
                Field.radios("gender", small=True),
                "date_of_birth",
                Field.text("upn", field_width=20),
                Field.text("social_care_reference", field_width=20),
                legend="The child",
                legend_size=Size.MEDIUM,
            ),
            Fieldset(
                Field.radios("sen_status", small=True),
                Field.select("sen_primary_need"),
                "ehcp_review_date",
                Field.select("ethnicity"),
                Field.radios("english_additional_language", small=True),
                Field.checkbox("neet", small=True),
                legend="Education and needs",
                legend_size=Size.MEDIUM,
            ),
            Fieldset(
                "date_first_entered_care",
                Field.checkbox("uasc", small=True),
                "uasc_ceased_on",
                "care_status_received_on",
                "added_to_roll_on",
                legend="Care and the roll",
                legend_size=Size.MEDIUM,
            ),
            Fieldset(
                Field.select("allocated_lead"),
                Field.select("social_worker"),
                Field.select("reviewing_officer"),
                Field.text("supervising_social_worker_name", field_width=Fluid.TWO_THIRDS),
                Field.text("supervising_social_worker_phone", field_width=20),
                Field.text("supervising_social_worker_email", field_width=Fluid.TWO_THIRDS),
                Field.text("carer_name", field_width=Fluid.TWO_THIRDS),
                Field.text("carer_relationship", field_width=Fluid.TWO_THIRDS),
                Field.text("carer_phone", field_width=20),
                Field.text("carer_email", field_width=Fluid.TWO_THIRDS),
                Field.textarea("carer_address", rows=3),
                legend="People around the child",
                legend_size=Size.MEDIUM,
            ),
            Fieldset(
                HTML('<p class="govuk-body">Only for a child who left care through an order (advice only).</p>'),
                Field.select("permanence_order"),
                Field.text("parental_responsibility_holder", field_width=Fluid.TWO_THIRDS),
                "consent_given_on",
                legend="Previously looked-after children",
                legend_size=Size.MEDIUM,
            ),
            Fieldset(
                HTML('<p class="govuk-body">Only for a child at school here whom another authority looks after.</p>'),
                Field.text("home_authority_name", field_width=Fluid.TWO_THIRDS),
                Field.text("home_virtual_school_contact", field_width=Fluid.TWO_THIRDS),
                Field.text("home_virtual_school_email", field_width=Fluid.TWO_THIRDS),
                Field.text("home_virtual_school_phone", field_width=20),
                legend="Looked after by another authority",
                legend_size=Size.MEDIUM,
            ),
            Button("submit", "Save"),
        )

    def clean_upn(self) -> str:
        # Spaces and lower case are typing, not a wrong UPN; a UPN that fails its check is still saved (flagged).
        upn = normalise_upn(self.cleaned_data.get("upn") or "")
        if len(upn) > 13:
            raise ValidationError("A UPN is 13 characters, like A123456789012: check for an extra character.")
        return upn

    def service_values(self) -> dict[str, Any]:
        """The cleaned values, named as the child services expect them."""
        return {name: self.cleaned_data[name] for name in self.Meta.fields if name in self.cleaned_data}


class ChildCloseForm(forms.Form):
    """Take a child off the roll, with the dates social care gave."""

    closed_on = GovUKDateField(
        label="Closure date",
        what="the closure date",
        required=True,
        help_text="The date social care gave for the end of care (or of advice)",
    )
    closure_reason = forms.ChoiceField(label="Why did the child leave the roll?", choices=ClosureReason.choices)
    closure_notified_on = GovUKDateField(
        label="Date the closure was received from social care", what="the date the closure was received"
    )
    removed_from_roll_on = GovUKDateField(
        label="Date removed from the roll",
        what="the date removed from the roll",
        help_text="Leave blank to use the closure date",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["closure_reason"].widget = forms.RadioSelect(choices=ClosureReason.choices)
        self.fields["closure_reason"].error_messages["required"] = "Select why the child left the roll"
        self.helper = FormHelper()
        self.helper.legend_size = Size.SMALL
        self.helper.layout = Layout(
            "closed_on",
            Field.radios("closure_reason", small=True),
            "closure_notified_on",
            "removed_from_roll_on",
            Button.warning("submit", "Close the record"),
        )


# ---------------------------------------------------------------------------------------------------------
# Strengths and Difficulties Questionnaire
# ---------------------------------------------------------------------------------------------------------

SDQ_ENTRIES = ("items", "scales")


class SdqForm(forms.Form):
    """Record an SDQ: who completed it and when, then the 25 answers as ticked or the five scale scores.

    Items and scales are text inputs so that their messages can say exactly what to fix ("Item 7 must be 0, 1
    or 2"); the service scores the questionnaire and reports scales with too many blanks.
    """

    entry = forms.ChoiceField(choices=[(e, e) for e in SDQ_ENTRIES], widget=forms.HiddenInput, initial="items")
    respondent = forms.ChoiceField(label="Who completed the SDQ?")
    recorded_on = GovUKDateField(
        label="Date completed", what="the date the SDQ was completed", required=True, help_text="For example 27 3 2026"
    )
    completed_by_name = forms.CharField(
        label="Name of who completed it (optional)",
        help_text="For example Sam Carter, foster carer",
        required=False,
        max_length=200,
        strip=True,
    )

    def __init__(self, *args: Any, respondents: list[tuple[str, str]], entry: str = "items", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.entry = entry if entry in SDQ_ENTRIES else "items"
        self.fields["entry"].initial = self.entry
        respondent = self.fields["respondent"]
        respondent.choices = respondents  # type: ignore[attr-defined]
        respondent.widget = forms.RadioSelect(choices=respondents)
        respondent.error_messages["required"] = "Select who completed the SDQ"
        respondent.error_messages["invalid_choice"] = "Select who completed the SDQ"
        if len(respondents) == 1:
            respondent.initial = respondents[0][0]
        if self.entry == "items":
            for number, name in enumerate(sdq.ITEM_FIELDS, start=1):
                self.fields[name] = forms.CharField(label=f"Item {number}", required=False, max_length=1, strip=True)
        else:
            for scale in sdq.SCALES:
                self.fields[scale.field] = forms.CharField(
                    label=scale.label, required=False, max_length=2, strip=True, help_text=f"Items {scale.items_text}"
                )
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.show_non_field_errors = False
        self.helper.legend_size = Size.MEDIUM
        top = [
            Field.radios("respondent", legend_size=Size.MEDIUM),
            "recorded_on",
            Field.text("completed_by_name", field_width=Fluid.TWO_THIRDS),
        ]
        if self.entry == "scales":
            top.append(
                Fieldset(
                    *(Field.text(s.field, field_width=2) for s in sdq.SCALES),
                    legend="Scale scores, 0 to 10",
                    legend_size=Size.MEDIUM,
                )
            )
        self.helper.layout = Layout("entry", *top)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.entry == "items":
            values: list[int | None] = []
            for number, name in enumerate(sdq.ITEM_FIELDS, start=1):
                raw = (data.get(name) or "").strip()
                if raw == "":
                    values.append(None)
                elif raw in {"0", "1", "2"}:
                    values.append(int(raw))
                else:
                    self.add_error(name, f"Item {number} must be 0, 1 or 2")
                    values.append(None)
            if all(v is None for v in values) and not any(name in self.errors for name in sdq.ITEM_FIELDS):
                self.add_error(sdq.ITEM_FIELDS[0], "Enter the item scores: 0, 1 or 2 for each item, as ticked")
            data["items"] = values
        else:
            scales: dict[str, int] = {}
            for scale in sdq.SCALES:
                raw = (data.get(scale.field) or "").strip()
                if raw == "":
                    self.add_error(scale.field, f"Enter the {scale.label.lower()} score")
                elif not raw.isdigit() or int(raw) > sdq.SCALE_MAX:
                    self.add_error(
                        scale.field,
                        f"The {scale.label.lower()} score must be a whole number from 0 to {sdq.SCALE_MAX}",
                    )
                else:
                    scales[scale.key] = int(raw)
            data["scales"] = scales
        return data

    def item_rows(self) -> list[dict[str, Any]]:
        """The 25 item inputs in rows of five, each row with its fields' errors (for the template)."""
        rows = []
        for start in range(0, sdq.ITEM_COUNT, 5):
            bound = [self[name] for name in sdq.ITEM_FIELDS[start : start + 5]]
            rows.append(
                {
                    "first": start + 1,
                    "last": start + 5,
                    "fields": [(start + offset + 1, field) for offset, field in enumerate(bound)],
                    "errors": [str(e) for field in bound for e in field.errors],
                }
            )
        return rows


class SdqDeleteForm(forms.Form):
    reason = forms.CharField(
        label="Why is this SDQ being removed?",
        help_text="For example: recorded against the wrong child. The audit history keeps what it held.",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter why the SDQ is being removed"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.layout = Layout(Field.textarea("reason"), Button.warning("submit", "Remove the SDQ"))
