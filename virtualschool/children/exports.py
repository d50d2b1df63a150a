"""The columns of a roll list, worked out once for the page and for its CSV export."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.http import HttpResponse

from . import codes
from .forms import year_group_label
from .models import Child

# Spreadsheet programs run a cell that starts with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Flag:
    """A warning shown as a badge on a roll row."""

    key: str
    label: str
    colour: str


UPN_TO_CORRECT = Flag("upn", "UPN to correct", "red")
PART_TIME = Flag("part_time", "Part-time", "purple")
BELOW_GOOD = Flag("below_good", "School below good", "bright-purple")
MISSING_EDUCATION = Flag("missing_education", "Missing education", "red")


@dataclass(frozen=True)
class RollRow:
    """One child on a roll list, with what the table and the CSV show about them."""

    child: Child
    placement: Any
    nc_year: int
    legal_status: str
    flags: tuple[Flag, ...]
    # Worked out once here: the list pages are hot, and a template looks each dotted name up slowly.
    name: str = ""
    lead_name: str = ""
    setting_name: str = ""

    @property
    def year_label(self) -> str:
        return year_group_label(self.nc_year)

    @property
    def legal_status_label(self) -> str:
        return codes.LEGAL_STATUS.get(self.legal_status, self.legal_status or "")

    @property
    def school(self) -> Any:
        return self.placement.school if self.placement is not None else None


def roll_row(child: Child, *, on: dt.date, school_age_hours: Decimal, post16_hours: Decimal) -> RollRow:
    """A row from a child fetched by roll_search (current placement prefetched, legal status annotated)."""
    placements = getattr(child, "current_placements", None) or []
    placement = placements[0] if placements else None
    flags: list[Flag] = []
    if child.upn_needs_correction:
        flags.append(UPN_TO_CORRECT)
    nc_year = child.nc_year(on)
    if placement is not None and placement.is_part_time(
        nc_year=nc_year, school_age_hours=school_age_hours, post16_hours=post16_hours
    ):
        flags.append(PART_TIME)
    if placement is not None and placement.school is not None and placement.school.is_below_good:
        flags.append(BELOW_GOOD)
    if child.is_open and child.is_school_age(on) and (placement is None or placement.setting_type == "none"):
        flags.append(MISSING_EDUCATION)
    lead = child.allocated_lead
    if placement is None:
        setting = ""
    elif placement.school is not None:
        setting = placement.school.name
    else:
        setting = placement.setting_name
    return RollRow(
        child=child,
        placement=placement,
        nc_year=nc_year,
        legal_status=getattr(child, "current_legal_status", "") or "",
        flags=tuple(flags),
        name=child.display_name,
        lead_name=(lead.full_name or lead.username) if lead is not None else "",
        setting_name=setting,
    )


def roll_rows(
    children: Iterable[Child], *, on: dt.date, school_age_hours: Decimal, post16_hours: Decimal
) -> list[RollRow]:
    return [roll_row(child, on=on, school_age_hours=school_age_hours, post16_hours=post16_hours) for child in children]


CSV_HEADER = [
    "Name",
    "Legal name",
    "Social care reference",
    "Date of birth",
    "UPN",
    "UPN needs correction",
    "National curriculum year",
    "School or setting",
    "School URN",
    "Hours a week",
    "Legal status",
    "Legal status code",
    "Virtual School Lead",
    "Cohort",
    "On the roll",
    "Flags",
]


def _safe(value: Any) -> str:
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def csv_row(row: RollRow) -> list[str]:
    child = row.child
    placement = row.placement
    values: list[Any] = [
        row.name,
        child.legal_name,
        child.social_care_reference,
        child.date_of_birth.isoformat(),
        child.upn,
        "Yes" if child.upn_needs_correction else "No",
        row.year_label,
        row.setting_name,
        row.school.urn if row.school is not None else "",
        placement.hours_per_week if placement is not None and placement.hours_per_week is not None else "",
        row.legal_status_label,
        row.legal_status,
        row.lead_name,
        child.get_cohort_display(),
        "Yes" if child.is_open else f"No (closed {child.closed_on:%Y-%m-%d})",
        "; ".join(flag.label for flag in row.flags),
    ]
    return [_safe(v) for v in values]


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(rows: Iterable[RollRow]) -> Iterator[str]:
    """The CSV text, line by line (a BOM first so spreadsheet programs read the names as UTF-8)."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(CSV_HEADER)
    for row in rows:
        yield writer.writerow(csv_row(row))


def csv_response(lines: Iterable[str], *, filename: str) -> HttpResponse:
    response = HttpResponse("".join(lines), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
