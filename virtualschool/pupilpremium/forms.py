"""Forms for Pupil Premium Plus pages. Amounts are typed in pounds and held in pence; the services validate."""

from __future__ import annotations

from typing import Any

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Size
from django import forms
from django.core.exceptions import ValidationError

from virtualschool.children.forms import GovUKDateField, apply_service_errors

from .models import AllocationModel, Fund, InterventionType, LedgerEntry, Outcome, YearBasis
from .money import parse_pounds

TARGET_SLOTS = 3


class PoundsField(forms.CharField):
    """Pounds and pence as typed (1,250.00 or £1250) -> integer pence."""

    def __init__(self, *, label: str, required: bool = True, **kwargs: Any) -> None:
        super().__init__(label=label, required=required, max_length=20, strip=True, **kwargs)
        self.widget.attrs.update({"inputmode": "decimal", "class": "govuk-input govuk-input--width-10"})
        self.error_messages["required"] = f"Enter the {label.lower()}"

    def clean(self, value: Any) -> int | None:  # type: ignore[override]
        text = super().clean(value)  # the text checks (required, length) on what was typed
        if not text:
            return None
        return parse_pounds(text)


def _helper() -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    helper.label_size = Size.SMALL
    return helper


class GovForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper()

    def apply(self, exc: ValidationError) -> None:
        apply_service_errors(self, exc)


class GrantYearForm(GovForm):
    label = forms.RegexField(
        label="Grant year",
        regex=r"^\d{4}-\d{2}$",
        help_text="For example 2025-26",
        error_messages={
            "invalid": "Write the grant year as two years, like 2025-26",
            "required": "Enter the grant year",
        },
    )
    basis = forms.ChoiceField(label="The year runs", choices=YearBasis.choices, widget=forms.RadioSelect)
    rate = PoundsField(
        label="PP+ rate per child", required=False, help_text="Leave blank for the published rate (£2,630 in 2025-26)"
    )
    eypp_rate = PoundsField(label="EYPP rate per child", required=False, help_text="Leave blank for the published rate")
    census_date = GovUKDateField(
        label="Census date (optional)", what="the census date", help_text="Blank: 31 March before a financial year"
    )
    allocation_model = forms.ChoiceField(
        label="Allocation model", choices=AllocationModel.choices, widget=forms.RadioSelect
    )


class TopSliceForm(GovForm):
    fund = forms.ChoiceField(label="Fund", choices=Fund.choices, widget=forms.RadioSelect, initial=Fund.PP_PLUS)
    purpose = forms.CharField(label="Purpose", max_length=200, help_text="For example Designated teacher training")
    amount = PoundsField(label="Amount retained centrally")
    description = forms.CharField(
        label="How it supports children's achievement (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class BandForm(GovForm):
    label = forms.CharField(label="Band name", max_length=100)
    amount = PoundsField(label="Band amount")


class TermAllocationForm(GovForm):
    academic_year = forms.IntegerField(label="Academic year it began", min_value=2000, max_value=2100)
    term = forms.ChoiceField(label="Term", choices=[("autumn", "Autumn"), ("spring", "Spring"), ("summer", "Summer")])
    amount = PoundsField(label="Amount per child")


class LedgerEntryForm(GovForm):
    kind = forms.ChoiceField(label="Kind of transaction", choices=LedgerEntry.Kind.choices, widget=forms.RadioSelect)
    fund = forms.ChoiceField(label="Fund", choices=Fund.choices, widget=forms.RadioSelect, initial=Fund.PP_PLUS)
    amount = PoundsField(label="Amount")
    occurred_on = GovUKDateField(label="Date", what="the date of the transaction", required=True)
    description = forms.CharField(label="Description", max_length=300)
    purpose = forms.ChoiceField(label="Central purpose (optional)", required=False)
    intervention_type = forms.ChoiceField(
        label="Intervention type (optional)", required=False, choices=[("", "None"), *InterventionType.choices]
    )
    application = forms.IntegerField(
        label="Application number (for a commitment, its release or payment)", required=False, min_value=1
    )

    def __init__(self, *args: Any, purposes: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["purpose"].choices = [("", "None"), *[(str(pk), label) for pk, label in purposes]]  # type: ignore[attr-defined]


class ApplicationForm(GovForm):
    children = forms.MultipleChoiceField(
        label="Which children is the funding for?",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Select the child (or children) the funding is for"},
    )
    fund = forms.ChoiceField(label="Fund", choices=Fund.choices, widget=forms.RadioSelect, initial=Fund.PP_PLUS)
    intervention_type = forms.ChoiceField(
        label="Type of intervention",
        choices=InterventionType.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the type of intervention"},
    )
    provider = forms.CharField(
        label="Provider", max_length=200, error_messages={"required": "Enter who will provide it"}
    )
    description = forms.CharField(
        label="What the money pays for and how it will help",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Say what the money pays for"},
    )
    amount = PoundsField(label="Amount requested")
    starts_on = GovUKDateField(label="Start date", what="the start date", required=True)
    ends_on = GovUKDateField(label="End date", what="the end date", required=True)

    def __init__(self, *args: Any, children: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["children"].choices = [(str(pk), name) for pk, name in children]  # type: ignore[attr-defined]
        self.child_choices = children
        for slot in range(1, TARGET_SLOTS + 1):
            self.fields[f"target_{slot}_child"] = forms.ChoiceField(
                label="Child",
                required=False,
                choices=[("", "The only child selected"), *self.fields["children"].choices],  # type: ignore[attr-defined]
            )
            self.fields[f"target_{slot}_text"] = forms.CharField(
                label="SMART target from the PEP", required=False, widget=forms.Textarea(attrs={"rows": 2})
            )
            self.fields[f"target_{slot}_measure"] = forms.CharField(
                label="How it will be measured", required=False, max_length=300
            )
            self.fields[f"target_{slot}_deadline"] = GovUKDateField(
                label="To be met by", what=f"the date target {slot} is to be met by"
            )
            self.fields[f"target_{slot}_owner"] = forms.CharField(label="Who owns it", required=False, max_length=200)
            self.fields[f"target_{slot}_pep_target_id"] = forms.IntegerField(
                label="PEP target number (optional)", required=False, min_value=1
            )

    def target_slots(self) -> list[list[Any]]:
        return [
            [
                self[f"target_{slot}_{name}"]
                for name in ("child", "text", "measure", "deadline", "owner", "pep_target_id")
            ]
            for slot in range(1, TARGET_SLOTS + 1)
        ]

    def targets(self) -> list[dict[str, Any]]:
        """The filled-in target slots, as the service takes them (empty slots are left out)."""
        data = self.cleaned_data
        found = []
        for slot in range(1, TARGET_SLOTS + 1):
            values = {name: data.get(f"target_{slot}_{name}") for name in ("text", "measure", "deadline", "owner")}
            if not any(values.values()):
                continue
            child = data.get(f"target_{slot}_child")
            selected = data.get("children") or []
            values["child"] = int(child) if child else (int(selected[0]) if len(selected) == 1 else None)
            values["pep_target_id"] = data.get(f"target_{slot}_pep_target_id")
            found.append(values)
        return found


class VoteForm(GovForm):
    outcome = forms.ChoiceField(
        label="Your vote",
        choices=Outcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select how you vote"},
    )
    amount = PoundsField(label="Amount you would approve", required=False, help_text="Only for a different amount")
    reason = forms.CharField(
        label="Reasons or questions",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Needed to approve a different amount, to defer (your questions) or to decline (your reasons)",
    )


class AnswerForm(GovForm):
    answer = forms.CharField(label="Your answer to the panel's questions", widget=forms.Textarea(attrs={"rows": 4}))


class ReasonForm(GovForm):
    reason = forms.CharField(label="Reason", widget=forms.Textarea(attrs={"rows": 3}))


class PaymentForm(GovForm):
    kind = forms.ChoiceField(
        label="Record",
        choices=[("pay", "A payment to the provider"), ("release", "Money that will not be spent (release it)")],
        widget=forms.RadioSelect,
    )
    amount = PoundsField(label="Amount")
    note = forms.CharField(label="Invoice or reason", max_length=200, required=False)


class ReviewForm(GovForm):
    outcome = forms.ChoiceField(
        label="Was the target met?",
        choices=[
            (k, v)
            for k, v in [("achieved", "Achieved"), ("partly", "Partly achieved"), ("not_achieved", "Not achieved")]
        ],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label="Evidence (optional)", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ConflictForm(GovForm):
    child = forms.ChoiceField(label="Child")
    reason = forms.CharField(label="How you are connected", widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, children: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["child"].choices = [(str(pk), name) for pk, name in children]  # type: ignore[attr-defined]


class PanelForm(GovForm):
    meets_on = GovUKDateField(label="Date the panel meets", what="the date the panel meets", required=True)
    members = forms.MultipleChoiceField(label="Members", widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, people: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["members"].choices = [(str(pk), name) for pk, name in people]  # type: ignore[attr-defined]
