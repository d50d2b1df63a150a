"""Template filters for Pupil Premium Plus pages."""

from __future__ import annotations

from typing import Any

from django import template

from virtualschool.pupilpremium.money import format_pence

register = template.Library()


@register.filter
def pence(value: Any) -> str:
    """Integer pence as £1,234.56 ('' for None)."""
    if value is None or value == "":
        return ""
    return format_pence(int(value))
