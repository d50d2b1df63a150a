"""Helpers for GOV.UK forms rendered with crispy-forms-gds (`{% crispy form %}`)."""

from __future__ import annotations

from typing import Any

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Button, Field, Layout


def govuk_helper(submit_label: str, *fields: Any, method: str = "post", form_tag: bool = True) -> FormHelper:
    """A crispy-forms-gds helper: the given fields (or layout objects) in order, then one primary button.

    Errors are shown beside each field and once, in includes/error_summary.html above the page heading;
    crispy-forms-gds's own non-field error block is left off so a message never appears twice.
    """
    helper = FormHelper()
    helper.form_method = method
    helper.form_tag = form_tag
    helper.show_non_field_errors = False
    helper.layout = Layout(*fields, Button("submit", submit_label))
    return helper


def text_field(name: str, **kwargs: Any) -> Field:
    """A text input (label size and width optional, as crispy-forms-gds's Field.text)."""
    return Field.text(name, **kwargs)
