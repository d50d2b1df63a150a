"""Turning user ids in a request into people, checking each is someone the field may name."""

from collections.abc import Callable, Mapping
from typing import Any

from django.db.models import QuerySet

from virtualschool.children import selectors as child_selectors
from virtualschool.schools import selectors as school_selectors

from .errors import InvalidInput

# API field -> (model field, the people it may name, what they are called in a message)
PERSON_FIELDS: Mapping[str, tuple[str, Callable[[Any], QuerySet[Any]], str]] = {
    "allocated_lead_id": (
        "allocated_lead",
        lambda actor: child_selectors.virtual_school_staff(),
        "member of Virtual School staff",
    ),
    "social_worker_id": ("social_worker", lambda actor: child_selectors.social_workers(), "social worker"),
    "reviewing_officer_id": (
        "reviewing_officer",
        lambda actor: child_selectors.reviewing_officers(),
        "reviewing officer",
    ),
    "designated_teacher_id": (
        "designated_teacher",
        lambda actor: school_selectors.designated_teachers(user=actor),
        "designated teacher",
    ),
}
# Model field name -> API field name, for error messages.
PERSON_ALIASES = {model_field: api_field for api_field, (model_field, _, _) in PERSON_FIELDS.items()}


def resolve_people(actor: Any, values: dict[str, Any]) -> dict[str, Any]:
    """Replace `<person>_id` keys with the users they name; an id that names nobody suitable is a field error."""
    errors: dict[str, list[str]] = {}
    result = {k: v for k, v in values.items() if k not in PERSON_FIELDS}
    for key, (model_field, people, label) in PERSON_FIELDS.items():
        if key not in values:
            continue
        if values[key] is None:
            result[model_field] = None
            continue
        person = people(actor).filter(pk=values[key]).first()
        if person is None:
            errors[key] = [f"Enter the user id of an active {label}; {values[key]} is not one."]
        else:
            result[model_field] = person
    if errors:
        raise InvalidInput(errors)
    return result
