"""Money in integer pence: parse what people type, format what they read. No floats, ever."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError

_AMOUNT = re.compile(r"^£?\s*(?P<pounds>\d{1,3}(?:,\d{3})+|\d+)(?:\.(?P<pence>\d{1,2}))?$")


def format_pence(pence: int | None) -> str:
    """£1,234.56 (and −£12.00 for a negative amount); empty for None."""
    if pence is None:
        return ""
    if isinstance(pence, bool) or not isinstance(pence, int):
        raise TypeError(f"Money is integer pence, not {type(pence).__name__}")
    sign = "−" if pence < 0 else ""
    pounds, rest = divmod(abs(pence), 100)
    return f"{sign}£{pounds:,}.{rest:02d}"


def parse_pounds(text: str) -> int:
    """'£1,234.5' -> 123450 pence. A clear ValidationError for anything else."""
    value = (text or "").strip().replace(" ", "")
    match = _AMOUNT.match(value)
    if not match:
        raise ValidationError(
            "Enter an amount in pounds and pence, like 1250 or 1,250.00 (no more than two decimal places)."
        )
    pounds = int(match["pounds"].replace(",", ""))
    pence = int((match["pence"] or "0").ljust(2, "0"))
    return pounds * 100 + pence
