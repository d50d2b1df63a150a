"""Template helpers for GOV.UK Frontend markup: dates, yes/no, error summaries and pagination.

`{% load govuk %}`. For query strings use Django's built-in `{% querystring page=2 %}`, which keeps the
other parameters of the current request (filters, search) and is what includes/pagination.html uses.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django import forms, template
from django.conf import settings
from django.core.paginator import Page
from django.utils import timezone
from django.utils.dateformat import format as date_format

register = template.Library()

NOT_RECORDED = "Not recorded"


@register.filter
def govuk_date(value: dt.date | dt.datetime | None, empty: str = NOT_RECORDED) -> str:
    """A date as GOV.UK writes it (22 November 2026); 'Not recorded' (or the argument) when there is none."""
    if value is None or value == "":
        return empty
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    return date_format(value, "j F Y")


@register.filter
def govuk_datetime(value: dt.datetime | None, empty: str = NOT_RECORDED) -> str:
    """A moment in local time, as GOV.UK writes it: 22 November 2026 at 3:05pm (midday is 12pm, 9 o'clock 9am)."""
    if value is None or value == "":
        return empty
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    hour = value.hour % 12 or 12
    suffix = "am" if value.hour < 12 else "pm"
    clock = f"{hour}{suffix}" if value.minute == 0 else f"{hour}:{value.minute:02d}{suffix}"
    return f"{date_format(value, 'j F Y')} at {clock}"


@register.filter
def yesno_govuk(value: Any, empty: str = NOT_RECORDED) -> str:
    """Yes or No; 'Not recorded' (or the argument) for None."""
    if value is None:
        return empty
    return "Yes" if value else "No"


@register.filter
def govuk_value(value: Any, empty: str = NOT_RECORDED) -> Any:
    """The value, or 'Not recorded' when it is empty (None or blank text); 0 and False are kept."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return empty
    return value


@dataclass(frozen=True)
class ErrorLink:
    anchor: str
    message: str


def field_anchor(bound_field: forms.BoundField) -> str:
    """The id of the input a user should land on for a field's error.

    Radios and checkboxes rendered by crispy-forms-gds number their inputs from 1 (`id_<name>_1`); a date or
    other multi-part field starts at its first part (`id_<name>_0`); everything else is `id_<name>`.
    """
    widget = bound_field.field.widget
    auto_id = bound_field.auto_id or f"id_{bound_field.html_name}"
    if isinstance(widget, (forms.RadioSelect, forms.CheckboxSelectMultiple)):
        return f"{auto_id}_1"
    if isinstance(widget, forms.MultiWidget):
        return f"{auto_id}_0"
    return auto_id


@register.simple_tag
def error_summary_links(form: forms.BaseForm | None) -> list[ErrorLink]:
    """Every error on a form, in page order, each linking to the input to fix (non-field errors first)."""
    if form is None or not getattr(form, "errors", None):
        return []
    visible = list(form.visible_fields())
    first_anchor = field_anchor(visible[0]) if visible else ""
    links = [ErrorLink(first_anchor, str(error)) for error in form.non_field_errors()]
    for bound_field in visible:
        links.extend(ErrorLink(field_anchor(bound_field), str(error)) for error in bound_field.errors)
    # Errors on hidden fields cannot be fixed by the user on the page, but must still be shown.
    for bound_field in form.hidden_fields():
        links.extend(ErrorLink(first_anchor, f"{bound_field.label}: {error}") for error in bound_field.errors)
    return links


@dataclass(frozen=True)
class PageLink:
    number: int | None  # None for an ellipsis
    current: bool


@register.simple_tag
def pagination_links(page_obj: Page) -> list[PageLink]:
    """Page numbers for GOV.UK pagination: first, last, and one either side of the current, with ellipses."""
    paginator = page_obj.paginator
    links = []
    for number in paginator.get_elided_page_range(page_obj.number, on_each_side=1, on_ends=1):
        if number == paginator.ELLIPSIS:
            links.append(PageLink(None, False))
        else:
            links.append(PageLink(int(number), int(number) == page_obj.number))
    return links


@register.simple_tag
def feedback_email() -> str:
    """Where the phase banner's feedback link writes to."""
    return getattr(settings, "FEEDBACK_EMAIL", "") or settings.DEFAULT_FROM_EMAIL


@register.simple_tag(takes_context=True)
def service_identity(context: template.Context) -> str:
    """Fill in the service and council names where no context processor ran (the 500 page)."""
    defaults = {
        "service_name": settings.SERVICE_NAME,
        "council_name": settings.COUNCIL_NAME,
        "service_phase": settings.SERVICE_PHASE,
    }
    for name, value in defaults.items():
        if not context.get(name):
            context[name] = value
    return ""
