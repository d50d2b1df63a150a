"""The school register's search and filters."""

from __future__ import annotations

from typing import Any

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Layout, Size
from django import forms

AREA_CHOICES = [("", "Anywhere"), ("in", "In our area"), ("out", "Out of area")]


class SchoolFilterForm(forms.Form):
    """Search the register by name, URN, DfE number or postcode; narrow by area and phase (a GET form)."""

    q = forms.CharField(label="Search by name, URN, DfE number or postcode", required=False, max_length=120)
    area = forms.ChoiceField(label="In or out of area", choices=AREA_CHOICES, required=False, widget=forms.RadioSelect)
    phase = forms.ChoiceField(label="Phase of education", required=False)

    def __init__(self, *args: Any, phases: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["phase"].choices = [("", "Any phase"), *((p, p) for p in phases)]
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.label_size = Size.SMALL
        self.helper.layout = Layout(
            Field.radios("area", legend_size=Size.SMALL, small=True),
            Field.select("phase"),
        )
