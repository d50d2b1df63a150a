"""The school register as CSV."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from typing import Any

from .models import School

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

CSV_HEADER = [
    "URN",
    "DfE number",
    "Name",
    "Type of establishment",
    "Phase of education",
    "Status",
    "Postcode",
    "Local authority",
    "In our area",
    "Ofsted judgement",
    "Last Ofsted inspection",
]


def _safe(value: Any) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(schools: Iterable[School], *, home_la_code: str) -> Iterator[str]:
    """The register as CSV lines (a BOM first so spreadsheet programs read the names as UTF-8)."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(CSV_HEADER)
    for school in schools:
        yield writer.writerow(
            [
                _safe(v)
                for v in (
                    school.urn,
                    school.dfe_number,
                    school.name,
                    school.type_name,
                    school.phase,
                    school.status,
                    school.postcode,
                    school.la_name or school.la_code,
                    "Yes" if school.is_in_area(home_la_code) else "No",
                    school.get_ofsted_rating_display() if school.ofsted_rating else "Not yet inspected",
                    school.ofsted_last_inspected.isoformat() if school.ofsted_last_inspected else "",
                )
            ]
        )
