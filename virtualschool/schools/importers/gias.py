"""Load the Get Information About Schools "all establishment data" extract into the school register.

The extract has about 130 columns; the register keeps the few below. A school is matched by URN: new URNs are
created, known ones updated only when a value differs. Each created or changed school gets its own audit event
(before and after) and the run one IMPORT event, all written in batches inside one transaction.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from virtualschool.core import audit
from virtualschool.core.importing import ImportFileError, ImportReport, read_text
from virtualschool.core.models import AuditEvent
from virtualschool.core.permissions import require
from virtualschool.core.selectors import policy_get

from ..models import OfstedRating, School
from .bulk import insert_rows

# GIAS header → School field. Only URN and EstablishmentName must be present; a missing optional column leaves
# that field as it is.
GIAS_COLUMNS: dict[str, str] = {
    "URN": "urn",
    "LA (code)": "la_code",
    "LA (name)": "la_name",
    "EstablishmentNumber": "establishment_number",
    "EstablishmentName": "name",
    "TypeOfEstablishment (name)": "type_name",
    "EstablishmentStatus (name)": "status",
    "PhaseOfEducation (name)": "phase",
    "Postcode": "postcode",
    "OfstedRating (name)": "ofsted_rating",
    "OfstedLastInsp": "ofsted_last_inspected",
}
REQUIRED_COLUMNS = ("URN", "EstablishmentName")
COLUMN_OF_FIELD = {field: column for column, field in GIAS_COLUMNS.items()}
MAX_URN = 2_147_483_647
BATCH_SIZE = 2000

_TEXT_LIMITS = {
    "name": 255,
    "la_name": 120,
    "type_name": 120,
    "phase": 60,
    "status": 60,
    "postcode": 10,
}
_DATE_PARTS = re.compile(r"^(\d{1,4})[-/](\d{1,2})[-/](\d{1,4})$")


def parse_gias_date(text: str) -> dt.date | None:
    """A GIAS date (22-11-2026 or 22/11/2026; 2026-11-22 also accepted); None when blank, ValueError when not a date."""
    text = text.strip()
    if not text:
        return None
    match = _DATE_PARTS.match(text)
    if not match:
        raise ValueError(text)
    first, month, last = match.groups()
    if len(first) == 4 and len(last) <= 2:
        return dt.date(int(first), int(month), int(last))
    if len(last) == 4 and len(first) <= 2:
        return dt.date(int(last), int(month), int(first))
    raise ValueError(text)


@dataclass(frozen=True)
class _Columns:
    """Where each wanted column sits in the file's header."""

    positions: dict[str, int]  # School field → index
    width: int

    @property
    def fields(self) -> tuple[str, ...]:
        """The School fields this file can set, URN first."""
        return tuple(self.positions)


def _columns(header: list[str], label: str) -> _Columns:
    wanted = {column.lower(): field for column, field in GIAS_COLUMNS.items()}
    positions: dict[str, int] = {}
    for index, name in enumerate(header):
        field = wanted.get(name.strip().lower())
        if field is not None and field not in positions:
            positions[field] = index
    missing = [column for column in REQUIRED_COLUMNS if GIAS_COLUMNS[column] not in positions]
    if missing:
        raise ImportFileError(
            f"{label} has no {' or '.join(repr(m) for m in missing)} column. "
            "Use the GIAS 'all establishment data' extract, whose header row names "
            f"{', '.join(REQUIRED_COLUMNS)} among its columns."
        )
    # URN first, then the rest in the register's order, so value tuples line up with `fields`.
    ordered = {field: positions[field] for field in GIAS_COLUMNS.values() if field in positions}
    return _Columns(positions=ordered, width=len(header))


class _RowParser:
    """Turn one CSV record into the register's values, or record why it cannot be."""

    def __init__(self, columns: _Columns, report: ImportReport) -> None:
        self.columns = columns
        self.report = report
        self._dates: dict[str, dt.date | None] = {}
        self._ofsted: dict[str, str] = {}

    def parse(self, row_no: int, cells: list[str]) -> tuple[Any, ...] | None:
        report = self.report
        width = self.columns.width
        if len(cells) != width:
            report.reject(
                row_no,
                "",
                f"{len(cells)} values",
                f"the header has {width} columns but this row has {len(cells)}: "
                "check for a value with a comma or line break that is not in quotes",
            )
            return None
        values: list[Any] = []
        ok = True
        for field, index in self.columns.positions.items():
            raw = cells[index]
            try:
                values.append(self._value(field, raw))
            except ValueError as exc:
                report.reject(row_no, COLUMN_OF_FIELD[field], raw, str(exc))
                ok = False
        return tuple(values) if ok else None

    def _value(self, field: str, raw: str) -> Any:
        text = raw.strip()
        if field == "urn":
            if not text:
                raise ValueError("URN is required")
            if not text.isdigit() or not text.isascii():
                raise ValueError("URN must be a whole number, like 100000")
            urn = int(text)
            if not 0 < urn <= MAX_URN:
                raise ValueError("URN must be a whole number between 1 and 2147483647")
            return urn
        if field == "name":
            if not text:
                raise ValueError("EstablishmentName is required")
        elif field == "la_code":
            if text and not (len(text) == 3 and text.isdigit() and text.isascii()):
                raise ValueError("LA code must be three digits, like 835")
            return text
        elif field == "establishment_number":
            if text and not (len(text) <= 4 and text.isdigit() and text.isascii()):
                raise ValueError("EstablishmentNumber must be up to four digits, like 4001")
            return text.zfill(4) if text else ""
        elif field == "postcode":
            text = " ".join(text.upper().split())
        elif field == "ofsted_rating":
            rating = self._ofsted.get(text)
            if rating is None:
                rating = self._ofsted[text] = str(OfstedRating.from_gias(text).value)
            return rating
        elif field == "ofsted_last_inspected":
            if text in self._dates:
                return self._dates[text]
            try:
                day = parse_gias_date(text)
            except ValueError:
                raise ValueError("OfstedLastInsp must be a date written DD-MM-YYYY or DD/MM/YYYY") from None
            self._dates[text] = day
            return day
        limit = _TEXT_LIMITS.get(field)
        if limit is not None and len(text) > limit:
            raise ValueError(f"{COLUMN_OF_FIELD[field]} must be at most {limit} characters (this is {len(text)})")
        return text


def _batches(items: list[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _jsonable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def gias_import(
    *,
    actor: Any,
    path: str | Path,
    dry_run: bool = False,
    file_label: str | None = None,
    batch_size: int = BATCH_SIZE,
) -> ImportReport:
    """Create and update schools from a GIAS extract; `actor` None means the system (the command's --system)."""
    if actor is not None:
        require(actor, "schools.import_gias")
    label = file_label or Path(path).name
    text, encoding = read_text(path)
    report = ImportReport(file=label, dry_run=dry_run)
    reader = csv.reader(io.StringIO(text, newline=""))
    del text
    header = next(reader, None)
    if not header:
        raise ImportFileError(f"{label} is empty: it needs a header row naming {', '.join(REQUIRED_COLUMNS)}.")
    columns = _columns(header, label)
    fields = columns.fields
    parser = _RowParser(columns, report)

    rows: dict[int, tuple[Any, ...]] = {}
    first_row_of: dict[int, int] = {}
    rows_read = 0
    try:
        for row_no, cells in enumerate(reader, start=2):
            if not cells or not any(cells):
                continue
            rows_read += 1
            values = parser.parse(row_no, cells)
            if values is None:
                continue
            urn = values[0]
            if urn in first_row_of:
                report.reject(row_no, "URN", str(urn), f"duplicate URN in file (first on row {first_row_of[urn]})")
                continue
            first_row_of[urn] = row_no
            rows[urn] = values
    except csv.Error as exc:
        raise ImportFileError(f"{label} is not a readable CSV file near row {reader.line_num}: {exc}.") from exc

    home_la_code = policy_get().la_code
    la_position = fields.index("la_code") if "la_code" in fields else None
    existing = {
        values[1]: (values[0], values[2:])
        for values in School.objects.values_list("pk", *fields).iterator(chunk_size=5000)
    }
    to_create: list[tuple[Any, ...]] = []
    to_update: list[tuple[School, dict[str, list[Any]]]] = []
    in_area = 0
    now = timezone.now()
    actor_id = actor.pk if getattr(actor, "pk", None) else None
    for urn, values in rows.items():
        if la_position is not None and values[la_position] == home_la_code:
            in_area += 1
        current = existing.get(urn)
        if current is None:
            to_create.append(values)
            continue
        pk, old = current
        if old == values[1:]:
            report.unchanged += 1
            continue
        changes = {
            field: [_jsonable(before), _jsonable(after)]
            for field, before, after in zip(fields[1:], old, values[1:], strict=True)
            if before != after
        }
        school = School(pk=pk, **dict(zip(fields, values, strict=True)))
        school.modified_at = now
        school.modified_by_id = actor_id
        to_update.append((school, changes))
    report.created = len(to_create)
    report.updated = len(to_update)
    report.extra = {"rows": rows_read, "in_area": in_area, "home_la_code": home_la_code, "encoding": encoding}
    if dry_run:
        return report

    context = {"import_run": str(uuid.uuid4()), "source": "GIAS", "file": label}
    name_position = fields.index("name")
    with transaction.atomic():
        # Rows go in as plain tuples (see bulk.py): a first import of the whole register is 50,000 schools.
        created_event = audit.build_event(
            actor=actor, action=AuditEvent.Action.CREATE, object_type="schools.school", context=context, occurred_at=now
        )
        for batch in _batches(to_create, batch_size):
            ids = insert_rows(
                School,
                [*fields, "created_at", "modified_at", "created_by_id", "modified_by_id"],
                [(*values, now, now, actor_id, actor_id) for values in batch],
            )
            insert_rows(
                AuditEvent,
                _EVENT_COLUMNS,
                [
                    _event_row(
                        created_event,
                        pk,
                        f"{values[name_position]} ({values[0]})",  # as School.__str__
                        {f: [None, _jsonable(v)] for f, v in zip(fields, values, strict=True) if v not in (None, "")},
                    )
                    for pk, values in zip(ids, batch, strict=True)
                ],
            )
        updated_event = audit.build_event(
            actor=actor, action=AuditEvent.Action.UPDATE, object_type="schools.school", context=context, occurred_at=now
        )
        update_fields = [*fields[1:], "modified_at", "modified_by"]
        for pairs in _batches(to_update, batch_size):
            School.objects.bulk_update([school for school, _ in pairs], update_fields, batch_size=500)
            insert_rows(
                AuditEvent,
                _EVENT_COLUMNS,
                [_event_row(updated_event, school.pk, str(school), changes) for school, changes in pairs],
            )
        audit.record(
            actor=actor,
            action=AuditEvent.Action.IMPORT,
            object_type="schools.school",
            object_repr=f"GIAS import of {label}"[:255],
            context={**context, **report.summary()},
            occurred_at=now,
        )
    return report


_EVENT_COLUMNS = (
    "occurred_at",
    "actor_id",
    "actor_label",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "child_id",
    "changes",
    "context",
)


def _event_row(template: AuditEvent, pk: int, text: str, changes: dict[str, list[Any]]) -> tuple[Any, ...]:
    """One audit event like `template` (from audit.build_event) about school `pk`, as a row for insert_rows."""
    return (
        template.occurred_at,
        template.actor_id,
        template.actor_label,
        template.action,
        template.object_type,
        str(pk),
        text[:255],
        None,
        changes,
        template.context,
    )
