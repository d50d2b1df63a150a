"""The attendance API: POST /attendance/ imports a file of marks; GET /children/{id}/attendance gives figures.

No `from __future__ import annotations` here: Ninja reads the annotations to build the schemas.
"""

import datetime as dt
import io
from typing import Any

from django.utils import timezone
from ninja import Field, Query, Router, Schema

from virtualschool.api.auth import ApiRequest
from virtualschool.api.errors import InvalidInput, NotFound
from virtualschool.api.reads import VIA_API
from virtualschool.api.schemas import ErrorOut
from virtualschool.children.models import Child
from virtualschool.children.selectors import child_get
from virtualschool.core import audit

from . import services
from .figures import child_counts, policy_get, year_to_date
from .importer import UnusableFile

router = Router(tags=["Attendance"])
child_router = Router(tags=["Attendance"])
MAX_BODY = 512 * 1024 * 1024


class ProblemOut(Schema):
    row: int
    column: str
    value: str
    rule: str


class ImportOut(Schema):
    file: str
    shape: str = Field(description="long (upn,date,session,code) or wide (upn,date,am,pm)")
    dry_run: bool
    rows: int = Field(description="Data rows in the file")
    marks: int = Field(description="Marks read (a wide row holds two)")
    created: int
    updated: int = Field(description="Marks whose code was corrected (audited with old and new code)")
    unchanged: int
    rejected: int = Field(description="Marks rejected")
    rejected_by_reason: dict[str, int]
    rejects: list[ProblemOut] = Field(description="The first 1,000 rejected marks, with row number and reason")
    rejects_listed: int
    warnings: list[ProblemOut] = Field(description="Dates that are not school days: imported all the same")
    children: int
    audit_events: int


@router.post(
    "/",
    response={200: ImportOut, 403: ErrorOut, 422: ErrorOut},
    summary="Import attendance marks",
    description=(
        "Send a CSV file as multipart form data (field `file`) or as the request body (Content-Type text/csv). "
        "Long shape `upn,date,session,code` or wide shape `upn,date,am,pm`, told apart by the header. Marks "
        "are upserted by child, date and session; the answer is the same summary as "
        "`import_attendance --json`. A designated teacher's rows for children who are not their school's "
        "pupils are rejected. `dry_run=true` checks without writing."
    ),
)
def import_marks(request: ApiRequest, dry_run: bool = False) -> Any:
    upload = request.FILES.get("file")
    if upload is not None:
        source: Any = upload
        name = upload.name or "upload.csv"
    else:
        if not request.body:
            raise InvalidInput({"file": ["Send a CSV file as the form field 'file', or as the request body."]})
        source = io.BytesIO(request.body)
        name = "request body"
    try:
        result = services.import_attendance(source, actor=request.auth, file_name=name, dry_run=dry_run)
    except UnusableFile as exc:
        raise InvalidInput({"file": [str(exc)]}) from exc
    return result.as_dict()


class RangeIn(Schema):
    start: dt.date | None = Field(None, description="First day, YYYY-MM-DD (default 1 September of this academic year)")
    end: dt.date | None = Field(None, description="Last day, YYYY-MM-DD (default today)")


class AttendanceOut(Schema):
    child_id: int
    start: dt.date
    end: dt.date
    possible_sessions: int
    present: int
    approved_educational_activity: int
    authorised_absence: int
    unauthorised_absence: int
    not_possible: int = Field(description="Sessions marked with a code that is not a possible session")
    attendance_percent: float | None = Field(description="(present + approved educational activity) / possible")
    absence_percent: float | None = Field(description="(authorised + unauthorised) / possible")
    authorised_absence_percent: float | None
    unauthorised_absence_percent: float | None
    persistent_absence: bool = Field(description="Missing 10 % or more of possible sessions")
    severe_absence: bool = Field(description="Missing 50 % or more of possible sessions")


@child_router.get(
    "/{id}/attendance",
    response={200: AttendanceOut, 404: ErrorOut, 422: ErrorOut},
    summary="A child's attendance figures for a period",
)
def child_attendance(request: ApiRequest, id: int, period: Query[RangeIn]) -> Any:
    try:
        child = child_get(user=request.auth, pk=id)
    except Child.DoesNotExist:
        raise NotFound("child") from None
    today = timezone.localdate()
    default = year_to_date(today)
    start, end = period.start or default.start, period.end or default.end
    if end < start:
        raise InvalidInput({"end": ["The end date must be the same as or after the start date."]})
    counts = child_counts(child.pk, start, end, today=today)
    audit.record_view(request.auth, child, child_id=child.pk, context={**VIA_API, "attendance": f"{start}/{end}"})
    return {"child_id": child.pk, "start": start, "end": end, **counts.as_dict(policy_get())}
