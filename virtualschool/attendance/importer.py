# ruff: noqa: S608  (SQL text is built only from table and column names made here; values are parameters)
"""Import session marks from a CSV file: long (upn,date,session,code) or wide (upn,date,am,pm), set-based.

The file is streamed into a temporary staging table (COPY on PostgreSQL, batched inserts elsewhere), so memory
does not grow with the file. The few distinct UPNs, dates, sessions and codes are resolved in Python into small
temporary tables; one statement then joins the staging rows to them, to the child's education placements and
to the stored marks, giving each mark its child, school, class, previous code and reject reason. Only new and
changed marks are written (an unchanged file writes nothing), the monthly summary is moved by the difference,
and each child whose marks were corrected gets one audit event listing old and new codes. Checks and writes run
in one transaction: a file that fails part way leaves nothing imported. See ADR "attendance marks".
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import datetime as dt
import io
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from virtualschool.children.models import Child
from virtualschool.core import audit
from virtualschool.core.calendar import SchoolCalendar, academic_year_start, school_calendar
from virtualschool.core.importing import ImportFileError
from virtualschool.core.models import AuditEvent
from virtualschool.placements.models import EducationPlacement
from virtualschool.schools.models import SchoolStaff

from . import codes
from .models import AttendanceMark, AttendanceMonth, AttendanceYear

LONG = ("upn", "date", "session", "code")
WIDE = ("upn", "date", "am", "pm")
SESSION_ALIASES = {"AM": "AM", "A": "AM", "MORNING": "AM", "PM": "PM", "P": "PM", "AFTERNOON": "PM"}
CHUNK_BYTES = 4 * 1024 * 1024
SQLITE_BATCH = 5000
REJECTS_KEPT = 1000  # rejects listed in a report; every one is counted

REASONS = {
    "upn": "No child on the roll has this UPN.",
    "upn_many": "More than one child on the roll has this UPN: correct the roll first.",
    "date": "This is not a date: write it as YYYY-MM-DD (or DD/MM/YYYY).",
    "future": "The date is in the future: marks can only be recorded for today or earlier.",
    "session": "The session must be AM or PM.",
    "code": "This is not one of the DfE attendance codes in force since August 2024.",
    "nocode": "There is no attendance code for this session.",
    "roll": "The child was not on the Virtual School roll on this date.",
    "scope": "This child is not a pupil at your school on this date (or no child on the roll has this UPN).",
    "duplicate": "This child, date and session is already on row {first} of the file.",
}
MARKS = AttendanceMark._meta.db_table
MONTHS = AttendanceMonth._meta.db_table
YEARS = AttendanceYear._meta.db_table
TEMP_TABLES = (
    "att_staging",
    "att_upns",
    "att_dates",
    "att_codes",
    "att_sessions",
    "att_spans",
    "att_classes",
    "att_deltas",
    "att_resolved",
    "att_days",
)


class UnusableFile(ImportFileError):
    """The file as a whole cannot be imported; nothing was written."""


@dataclass
class Problem:
    row: int
    column: str
    value: str
    rule: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "value": self.value, "rule": self.rule}


@dataclass
class AttendanceImportResult:
    file: str
    shape: str = ""
    dry_run: bool = False
    rows: int = 0  # data rows in the file
    marks: int = 0  # marks read (a wide row holds two)
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0  # marks rejected
    rejects: list[Problem] = field(default_factory=list)  # the first REJECTS_KEPT, in row order
    rejected_by_reason: dict[str, int] = field(default_factory=dict)
    warnings: list[Problem] = field(default_factory=list)
    audit_events: int = 0
    children: int = 0  # children with a new or changed mark
    changed_child_ids: list[int] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)  # seconds per step, for benchmarks

    @property
    def changed_anything(self) -> bool:
        return bool(self.created or self.updated)

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "shape": self.shape,
            "dry_run": self.dry_run,
            "rows": self.rows,
            "marks": self.marks,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "rejected_by_reason": dict(sorted(self.rejected_by_reason.items())),
            "rejects": [r.as_dict() for r in self.rejects],
            "rejects_listed": len(self.rejects),
            "warnings": [w.as_dict() for w in self.warnings],
            "children": self.children,
            "audit_events": self.audit_events,
            "seconds": {step: round(took, 2) for step, took in self.timings.items()},
        }


# --- reading the file ---------------------------------------------------------------------------------------


def _open(source: str | Path | IO[bytes]) -> tuple[IO[bytes], bool]:
    if isinstance(source, (str, Path)):
        try:
            return Path(source).open("rb"), True
        except FileNotFoundError as exc:
            raise UnusableFile(f"There is no file at {source}. Check the path and try again.") from exc
        except OSError as exc:
            raise UnusableFile(f"The file {source} cannot be read: {exc.strerror}.") from exc
    return source, False


def _read_header(stream: IO[bytes]) -> tuple[list[str], int]:
    """The header's column names (trimmed, lower case) and how many bytes it took, BOM included."""
    first = stream.readline(64 * 1024)
    consumed = len(first)
    if first.startswith(codecs.BOM_UTF8):
        first = first[len(codecs.BOM_UTF8) :]
    if first.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise UnusableFile("The file is saved as UTF-16. Save it again as 'CSV UTF-8' and re-run the import.")
    try:
        text = first.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UnusableFile("The header row is not UTF-8 text. Save the file as 'CSV UTF-8'.") from exc
    if not text.strip():
        raise UnusableFile(
            "The file is empty: the first row must be a header (upn,date,session,code or upn,date,am,pm)."
        )
    names = [n.strip().lower() for n in next(csv.reader([text]))]
    return names, consumed


def _shape(names: list[str]) -> tuple[str, dict[str, str]]:
    """'long' or 'wide', and the staging column of each named column."""
    duplicated = sorted({n for n in names if names.count(n) > 1 and n})
    if duplicated:
        raise UnusableFile(f"The header names {', '.join(duplicated)} more than once.")
    for shape, wanted in (("long", LONG), ("wide", WIDE)):
        if set(wanted) <= set(names):
            return shape, {name: f"c{names.index(name)}" for name in wanted}
    missing_long = [n for n in LONG if n not in names]
    missing_wide = [n for n in WIDE if n not in names]
    raise UnusableFile(
        "The header must have the columns upn,date,session,code (one row a session) or upn,date,am,pm "
        f"(one row a day). This one has {','.join(names)}: it lacks {', '.join(missing_long)} for the first "
        f"shape, {', '.join(missing_wide)} for the second."
    )


def _chunks(stream: IO[bytes]) -> Iterator[bytes]:
    """The rest of the file in pieces of about CHUNK_BYTES that end at a line break outside quotes."""
    pending = b""
    while True:
        block = stream.read(CHUNK_BYTES)
        if not block:
            break
        pending += block
        cut = pending.rfind(b"\n")
        while cut >= 0 and pending.count(b'"', 0, cut) % 2:
            cut = pending.rfind(b"\n", 0, cut)
        if cut < 0:
            continue
        piece, pending = pending[: cut + 1], pending[cut + 1 :]
        yield piece
    tail = pending.rstrip(b"\r\n\t ")
    if tail:
        yield tail + b"\n"


def _parse_date(text: str) -> dt.date | None:
    value = text.strip()
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            return dt.date.fromisoformat(value)
        match = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", value)
        if match:
            return dt.date(int(match[3]), int(match[2]), int(match[1]))
    except ValueError:
        return None
    return None


# --- the import ------------------------------------------------------------------------------------------------


class _Run:
    def __init__(
        self,
        *,
        actor: Any,
        scoped_user: Any,
        today: dt.date,
        calendar: SchoolCalendar,
        result: AttendanceImportResult,
        progress: Callable[[int], None] | None,
    ) -> None:
        self.actor = actor
        self.scoped_user = scoped_user
        self.today = today
        self.calendar = calendar
        self.result = result
        self.progress = progress
        self.pg = connection.vendor == "postgresql"
        self.cols: dict[str, str] = {}
        self.width = 0
        # Set by build_references: every distinct UPN, date, session and code of the file is usable (so a row
        # can be rejected only for the roll, the scope or a repeat), how many marks the file holds, and the
        # first and last dates in it.
        self.refs_clean = False
        self.expected_marks = 0
        self.first_day: dt.date | None = None
        self.last_day: dt.date | None = None
        # Also set there: the values are written as stored (ISO dates, AM/PM, codes in capitals), and each
        # child is on the roll and at one school (or none) for every date of the file, so a mark needs only
        # its child's row of att_upns, which carries the school.
        self.canonical = False

    @contextlib.contextmanager
    def timed(self, step: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self.result.timings[step] = self.result.timings.get(step, 0.0) + time.perf_counter() - started

    # staging --------------------------------------------------------------------------------------------------

    def drop_temp(self, cursor: Any) -> None:
        for name in TEMP_TABLES:
            cursor.execute(f"DROP TABLE IF EXISTS {name}")

    def create_staging(self, cursor: Any) -> None:
        columns = ", ".join(f"c{n} text" for n in range(self.width))
        if self.pg:
            cursor.execute(
                "CREATE TEMP TABLE att_staging (row_no bigint GENERATED BY DEFAULT AS IDENTITY (START WITH 2), "
                f"{columns})"
            )
        else:
            cursor.execute(f"CREATE TEMP TABLE att_staging (row_no integer, {columns})")

    def load(self, cursor: Any, stream: IO[bytes], header_bytes: int) -> None:
        if self.pg:
            self.result.rows = self.load_copy(cursor, stream, header_bytes)
        else:
            self.load_batches(cursor, stream, header_bytes)
            cursor.execute("SELECT count(*) FROM att_staging")
            self.result.rows = cursor.fetchone()[0]
        if not self.result.rows:
            raise UnusableFile("The file has a header but no rows of marks.")

    def load_copy(self, cursor: Any, stream: IO[bytes], header_bytes: int) -> int:
        """COPY the file into att_staging; the number of rows staged (as COPY counts them, not a scan)."""
        import psycopg

        names = ", ".join(f"c{n}" for n in range(self.width))
        statement = f"COPY att_staging ({names}) FROM STDIN WITH (FORMAT csv, FORCE_NOT_NULL ({names}))"
        lines_before, done, staged = 0, header_bytes, 0
        for piece in _chunks(stream):
            try:
                # Each piece in its own transaction (a savepoint inside a caller's): a bad row rolls back only
                # the staging of this import, and the progress written between pieces is seen by others.
                with transaction.atomic(), cursor.cursor.copy(statement) as copy:
                    copy.write(piece)
            except psycopg.Error as exc:
                raise UnusableFile(self._copy_problem(exc, lines_before)) from exc
            staged += max(cursor.cursor.rowcount, 0)
            lines_before += piece.count(b"\n")
            done += len(piece)
            if self.progress:
                self.progress(done)
        return staged

    def _copy_problem(self, exc: Exception, lines_before: int) -> str:
        diag = getattr(exc, "diag", None)
        context = (getattr(diag, "context", "") or "") if diag else ""
        primary = (getattr(diag, "message_primary", "") or str(exc)) if diag else str(exc)
        found = re.search(r"line (\d+)", context)
        where = f"Row {lines_before + int(found[1]) + 1}" if found else "A row"
        if "invalid byte sequence" in primary:
            return f"{where} is not UTF-8 text. Save the file as 'CSV UTF-8' and re-run the import."
        if "extra data" in primary or "missing data" in primary:
            return f"{where} does not have the {self.width} columns of the header ({primary}). Correct it and re-run."
        if "unterminated" in primary:
            return f"{where} has a quotation mark that is never closed. Correct it and re-run."
        return f"{where} cannot be read: {primary}."

    def load_batches(self, cursor: Any, stream: IO[bytes], header_bytes: int) -> None:
        text = io.TextIOWrapper(stream, encoding="utf-8", newline="")
        placeholders = ", ".join(["%s"] * (self.width + 1))
        insert = f"INSERT INTO att_staging VALUES ({placeholders})"
        batch: list[list[str | int]] = []
        blank_at: int | None = None
        try:
            reader = csv.reader(text)
            for row in reader:
                row_no = reader.line_num
                if not row or not any(cell.strip() for cell in row):
                    blank_at = blank_at or row_no + 1
                    continue
                if blank_at is not None:
                    raise UnusableFile(f"Row {blank_at} is empty. Delete the empty rows and re-run the import.")
                if len(row) != self.width:
                    raise UnusableFile(
                        f"Row {row_no + 1} has {len(row)} columns; the header has {self.width}. Correct it and re-run."
                    )
                batch.append([row_no + 1, *row])
                if len(batch) >= SQLITE_BATCH:
                    cursor.executemany(insert, batch)
                    batch = []
                    if self.progress:
                        self.progress(header_bytes + stream.tell() if stream.seekable() else 0)
        except UnicodeDecodeError as exc:
            raise UnusableFile("The file is not UTF-8 text. Save it as 'CSV UTF-8' and re-run the import.") from exc
        except csv.Error as exc:
            raise UnusableFile(f"Row {reader.line_num + 1} cannot be read: {exc}. Correct it and re-run.") from exc
        if batch:
            cursor.executemany(insert, batch)
        text.detach()

    # reference tables -------------------------------------------------------------------------------------------

    def _fill(self, cursor: Any, table: str, rows: list[tuple[Any, ...]]) -> None:
        if not rows:
            return
        if self.pg:
            with cursor.cursor.copy(f"COPY {table} FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        marks = ", ".join(["%s"] * len(rows[0]))
        for start in range(0, len(rows), 2000):
            cursor.executemany(f"INSERT INTO {table} VALUES ({marks})", rows[start : start + 2000])

    def code_sources(self) -> list[tuple[str, str]]:
        """(session, staging column) of each mark column: one for long files, AM and PM for wide ones."""
        if self.result.shape == "long":
            return [("", self.cols["code"])]
        return [("AM", self.cols["am"]), ("PM", self.cols["pm"])]

    def build_references(self, cursor: Any) -> None:
        cols = self.cols
        # The distinct dates (with their rows), UPNs, codes and sessions of the file: one scan on PostgreSQL.
        groups = [("date", cols["date"]), ("upn", cols["upn"])]
        groups += [("code", column) for _, column in self.code_sources()]
        if self.result.shape == "long":
            groups.append(("session", cols["session"]))
        found: dict[str, dict[str, tuple[int, int]]] = {kind: {} for kind, _ in groups}
        per_code_column: dict[str, dict[str, int]] = {column: {} for kind, column in groups if kind == "code"}
        if self.pg:
            sets = ", ".join(f"({column})" for _, column in groups)
            flags = ", ".join(f"GROUPING({column})" for _, column in groups)
            cursor.execute(
                f"SELECT {', '.join(c for _, c in groups)}, {flags}, count(*), min(row_no) FROM att_staging "
                f"GROUP BY GROUPING SETS ({sets})"
            )
            width = len(groups)
            for row in cursor.fetchall():
                values, grouping, (count, first) = row[:width], row[width : 2 * width], row[2 * width :]
                for n, (kind, _) in enumerate(groups):
                    if grouping[n] == 0:
                        found[kind][values[n]] = (count, first)
                        if kind == "code":
                            per_code_column[groups[n][1]][values[n]] = count
        else:
            for kind, column in groups:
                cursor.execute(f"SELECT {column}, count(*), min(row_no) FROM att_staging GROUP BY 1")
                for value, count, first in cursor.fetchall():
                    found[kind][value] = (count, first)
                    if kind == "code":
                        per_code_column[column][value] = count
        date_counts = {text: list(v) for text, v in found["date"].items()}
        upn_texts = set(found["upn"])
        code_texts = set(found["code"])
        session_texts = set(found.get("session", {}))

        date_type = "date" if self.pg else "text"
        cursor.execute(
            f"CREATE TEMP TABLE att_dates (txt text, day {date_type}, month {date_type}, ayear integer, future integer)"
        )
        dates = []
        for text, (count, first) in sorted(date_counts.items(), key=lambda item: item[1][1]):
            day = _parse_date(text)
            if day is None:
                continue
            dates.append((text, day, day.replace(day=1), academic_year_start(day), int(day > self.today)))
            problem = self.calendar.problem(day) if day <= self.today else ""
            if problem:
                self.result.warnings.append(
                    Problem(
                        first,
                        "date",
                        text,
                        f"{day.day} {day:%B %Y} is {problem}, not a school day: its {count} row(s) are imported "
                        "all the same. Check the date is right.",
                    )
                )
        self._fill(cursor, "att_dates", [(t, d.isoformat(), m.isoformat(), y, f) for t, d, m, y, f in dates])
        clean = len(dates) == len(date_counts) and not any(f for *_, f in dates)
        canonical = all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", text) for text in date_counts)
        if dates:
            self.first_day, self.last_day = min(d for _, d, *_ in dates), max(d for _, d, *_ in dates)

        cursor.execute("CREATE TEMP TABLE att_codes (txt text, code text, klass text)")
        found_codes = []
        for text in code_texts:
            code = codes.normalise(text)
            if code in codes.CLASS_OF:
                found_codes.append((text, code, codes.CLASS_OF[code].value))
        self._fill(cursor, "att_codes", found_codes)
        usable_codes = {text for text, _, _ in found_codes}
        if self.result.shape == "long":
            self.expected_marks = self.result.rows
            clean = clean and code_texts <= usable_codes
            canonical = canonical and all(codes.normalise(t) == t for t in code_texts)
        else:
            self.expected_marks = sum(n for counts in per_code_column.values() for t, n in counts.items() if t != "")
            clean = clean and code_texts - {""} <= usable_codes
            canonical = canonical and all(codes.normalise(t) == t for t in code_texts - {""})
        cursor.execute("CREATE TEMP TABLE att_classes (code text, klass text)")
        self._fill(cursor, "att_classes", [(c.code, c.mark_class.value) for c in codes.CODES])

        cursor.execute("CREATE TEMP TABLE att_sessions (txt text, session text)")
        self._fill(
            cursor,
            "att_sessions",
            [(t, SESSION_ALIASES[t.strip().upper()]) for t in session_texts if t.strip().upper() in SESSION_ALIASES],
        )
        clean = clean and all(t.strip().upper() in SESSION_ALIASES for t in session_texts)
        canonical = canonical and session_texts <= {"AM", "PM"}

        # UPNs: stored normalised (capitals, no spaces) on the child.
        by_upn: dict[str, list[tuple[int, dt.date | None, dt.date | None]]] = {}
        wanted = {text: re.sub(r"\s+", "", text).upper() for text in upn_texts}
        values = sorted({v for v in wanted.values() if v})
        for start in range(0, len(values), 5000):
            for pk, upn, care_start, roll_added, closed in Child.objects.filter(
                upn__in=values[start : start + 5000]
            ).values_list("pk", "upn", "period_of_care_start", "added_to_roll_on", "closed_on"):
                starts = [d for d in (care_start, roll_added) if d]
                by_upn.setdefault(upn, []).append((pk, min(starts) if starts else None, closed))
        cursor.execute(
            f"CREATE TEMP TABLE att_upns (txt text, child_id integer, many integer, roll_start {date_type}, "
            f"roll_end {date_type}, school_id integer, allowed integer)"
        )
        upn_rows: list[tuple[Any, ...]] = []
        child_ids: list[int] = []
        for text, upn in wanted.items():
            matches = by_upn.get(upn, [])
            if len(matches) == 1:
                pk, roll_start, roll_end = matches[0]
                child_ids.append(pk)
                upn_rows.append((text, pk, 0, _iso(roll_start), _iso(roll_end)))
            elif len(matches) > 1:
                upn_rows.append((text, None, 1, None, None))
        self.refs_clean = clean and len(child_ids) == len(wanted)

        # Education placements of those children, clipped so that no two overlap (a later one wins).
        allowed_schools: set[int] = set()
        if self.scoped_user is not None:
            allowed_schools = set(SchoolStaff.objects.filter(user=self.scoped_user).values_list("school_id", flat=True))
        cursor.execute(
            f"CREATE TEMP TABLE att_spans (child_id integer, school_id integer, start_day {date_type}, "
            f"end_day {date_type}, allowed integer)"
        )
        spans = []
        for start in range(0, len(child_ids), 5000):
            placements = (
                EducationPlacement.objects.filter(child_id__in=child_ids[start : start + 5000])
                .order_by("child_id", "start_date", "pk")
                .values_list("child_id", "school_id", "start_date", "end_date", "designated_teacher_id")
            )
            previous: list[Any] | None = None
            for child_id, school_id, begins, ends, teacher_id in placements:
                allowed = int(
                    self.scoped_user is not None and (school_id in allowed_schools or teacher_id == self.scoped_user.pk)
                )
                row = [child_id, school_id, begins, ends or dt.date(9999, 12, 31), allowed]
                if previous is not None and previous[0] == child_id and previous[3] >= begins:
                    previous[3] = begins - dt.timedelta(days=1)
                if previous is not None and previous[3] >= previous[2]:
                    spans.append(tuple(previous))
                previous = row
            if previous is not None:
                spans.append(tuple(previous))
        self._fill(cursor, "att_spans", [(c, s, _iso(b), _iso(e), a) for c, s, b, e, a in spans])
        # A child at one school (or none) throughout the file's dates, and on the roll throughout them, has the
        # school on its row of att_upns; the marks of a file where every child is so need no date-wise join.
        whole: dict[int, tuple[int | None, int]] = {}
        parts: dict[int, int] = {}
        for child_id, school_id, begins, ends, allowed in spans:
            parts[child_id] = parts.get(child_id, 0) + 1
            if self.first_day and self.last_day and begins <= self.first_day and ends >= self.last_day:
                whole[child_id] = (school_id, allowed)
        first, last = _iso(self.first_day), _iso(self.last_day)
        rows_out = []
        for text, pk, many, roll_start, roll_end in upn_rows:
            school: tuple[int | None, int] | None = None
            if pk is not None and (parts.get(pk, 0) == 0 or (parts[pk] == 1 and pk in whole)):
                school = whole.get(pk, (None, 0))
                on_roll = (roll_start is None or (first and roll_start <= first)) and (
                    roll_end is None or (last and roll_end >= last)
                )
                canonical = canonical and bool(on_roll)
            else:
                canonical = False
            rows_out.append((text, pk, many, roll_start, roll_end, *(school or (None, None))))
        self._fill(cursor, "att_upns", rows_out)
        self.canonical = canonical and self.refs_clean
        if self.pg:
            for table in ("att_upns", "att_dates", "att_codes", "att_sessions", "att_spans", "att_classes"):
                cursor.execute(f"ANALYZE {table}")

    # resolving --------------------------------------------------------------------------------------------------

    def source(self, *, row_numbers: bool = True) -> str:
        """The file's marks as rows (row_no, upn, day_txt, sess, code_txt, src): one a mark, AM and PM apart."""
        cols = self.cols
        sources = []
        for session, column in self.code_sources():
            if session:
                sources.append(
                    f"SELECT {'row_no, ' if row_numbers else ''}{cols['upn']} AS upn, {cols['date']} AS day_txt, "
                    f"'{session}' AS sess, {column} AS code_txt, '{column}' AS src FROM att_staging "
                    f"WHERE {column} <> ''"
                )
            else:
                sources.append(
                    f"SELECT {'s.row_no, ' if row_numbers else ''}s.{cols['upn']} AS upn, "
                    f"s.{cols['date']} AS day_txt, ss.session AS sess, s.{column} AS code_txt, "
                    f"CASE WHEN ss.session IS NULL THEN 'session' ELSE '{column}' END AS src "
                    f"FROM att_staging s LEFT JOIN att_sessions ss ON ss.txt = s.{cols['session']}"
                )
        return " UNION ALL ".join(sources)

    def clean_columns(self) -> tuple[str, str, str]:
        """The day, the code and the school of a row of clean_rows."""
        return ("src.day", "src.code", "u.school_id") if self.canonical else ("d.day", "k.code", "sp.school_id")

    def clean_rows(self, join: str = "") -> str:
        """FROM and WHERE for the marks of a file whose distinct values are all usable (refs_clean): the rows
        the full check would accept, with u.child_id, src.sess and the clean_columns."""
        if self.canonical:
            cols = self.cols
            sources = []
            for session, column in self.code_sources():
                sess = f"'{session}'" if session else cols["session"]
                where = f" WHERE {column} <> ''" if session else ""
                sources.append(
                    f"SELECT {cols['upn']} AS upn, CAST({cols['date']} AS date) AS day, {sess} AS sess, "
                    f"{column} AS code FROM att_staging{where}"
                )
            scope = " AND u.allowed = 1" if self.scoped_user is not None else ""
            return (
                f"FROM ({' UNION ALL '.join(sources)}) src JOIN att_upns u ON u.txt = src.upn "
                f"{join} WHERE u.child_id IS NOT NULL{scope}"
            )
        roll = "(u.roll_start IS NULL OR d.day >= u.roll_start) AND (u.roll_end IS NULL OR d.day <= u.roll_end)"
        scope = " AND sp.allowed = 1" if self.scoped_user is not None else ""
        return (
            f"FROM ({self.source(row_numbers=False)}) src JOIN att_upns u ON u.txt = src.upn "
            "JOIN att_dates d ON d.txt = src.day_txt JOIN att_codes k ON k.txt = src.code_txt "
            "LEFT JOIN att_spans sp ON sp.child_id = u.child_id AND sp.start_day <= d.day AND sp.end_day >= d.day "
            f"{join} WHERE src.sess IS NOT NULL AND {roll}{scope}"
        )

    def has_marks_in_range(self, cursor: Any) -> bool:
        cursor.execute(
            f"SELECT EXISTS (SELECT 1 FROM {MARKS} m JOIN att_upns u ON u.child_id = m.child_id "
            "WHERE m.date >= %s AND m.date <= %s)",
            [self.first_day, self.last_day],
        )
        return bool(cursor.fetchone()[0])

    def all_unchanged(self, cursor: Any) -> bool:
        """True when every mark of the file is accepted and already stored with the same code (PostgreSQL, a
        clean file): the counts are then set without the full check, and nothing is written."""
        day, code, _ = self.clean_columns()
        cursor.execute(
            f"SELECT count(*), count(*) FILTER (WHERE m.code = {code}) "
            + self.clean_rows(
                f"LEFT JOIN {MARKS} m ON m.child_id = u.child_id AND m.date = {day} AND m.session = src.sess"
            )
        )
        accepted, unchanged = cursor.fetchone()
        if accepted != self.expected_marks or unchanged != self.expected_marks:
            return False
        self.result.marks = self.result.unchanged = self.expected_marks
        return True

    def insert_new(self, cursor: Any) -> bool:
        """Write a clean file's marks for children with none stored in its dates, with a plain INSERT (no
        existing row to compare), and the summaries' differences from the rows written. False, with nothing
        written, when a row would be rejected (roll or scope) or is repeated in the file: the full check
        then names them."""
        day, code, school = self.clean_columns()
        self.create_deltas(cursor)
        cursor.execute("CREATE TEMP TABLE att_days AS SELECT DISTINCT day, month, ayear FROM att_dates")
        named_sums = ", ".join(f"count(*) FILTER (WHERE c.klass = '{k.value}')" for k in codes.MarkClass)
        try:
            with transaction.atomic():
                if self.canonical:
                    self.insert_canonical(cursor)
                    return True
                cursor.execute(
                    f"""
                    WITH ins AS (
                      INSERT INTO {MARKS} (child_id, date, session, code, school_id)
                      SELECT u.child_id, {day}, src.sess, {code}, {school} {self.clean_rows()}
                      RETURNING child_id, date, code
                    )
                    INSERT INTO att_deltas
                    SELECT ins.child_id, dd.month, dd.ayear, {named_sums}
                    FROM ins JOIN att_days dd ON dd.day = ins.date JOIN att_classes c ON c.code = ins.code
                    GROUP BY ins.child_id, dd.month, dd.ayear
                    """
                )
                cursor.execute(f"SELECT COALESCE(SUM({' + '.join(f'd{n}' for n in range(5))}), 0) FROM att_deltas")
                written = cursor.fetchone()[0]
                if written != self.expected_marks:
                    raise _NotAllWritten
        except (IntegrityError, _NotAllWritten):
            cursor.execute("DROP TABLE IF EXISTS att_deltas")
            return False
        self.result.marks = self.result.created = self.expected_marks
        self.move_summaries(cursor)
        return True

    def insert_canonical(self, cursor: Any) -> None:
        """insert_new for a file written as stored: the plain INSERT, then (every row of the file having been
        written) the summaries' differences grouped from the staged text, month by month, in one scan."""
        day, code, school = self.clean_columns()
        cursor.execute(
            f"INSERT INTO {MARKS} (child_id, date, session, code, school_id) "
            f"SELECT u.child_id, {day}, src.sess, {code}, {school} {self.clean_rows()}"
        )
        if cursor.rowcount != self.expected_marks:
            raise _NotAllWritten
        cols = self.cols
        parts = [
            f"SELECT {cols['upn']} AS upn, left({cols['date']}, 7) AS ym, {column} AS code FROM att_staging"
            + (f" WHERE {column} <> ''" if session else "")
            for session, column in self.code_sources()
        ]
        named_sums = ", ".join(f"COALESCE(SUM(g.n) FILTER (WHERE c.klass = '{k.value}'), 0)" for k in codes.MarkClass)
        cursor.execute(
            f"""
            INSERT INTO att_deltas
            SELECT u.child_id, CAST(g.ym || '-01' AS date),
                   CAST(left(g.ym, 4) AS integer)
                     - CASE WHEN CAST(substr(g.ym, 6, 2) AS integer) >= 9 THEN 0 ELSE 1 END,
                   {named_sums}
            FROM (SELECT upn, ym, code, count(*) AS n FROM ({" UNION ALL ".join(parts)}) x GROUP BY upn, ym, code) g
            JOIN att_upns u ON u.txt = g.upn JOIN att_classes c ON c.code = g.code
            GROUP BY u.child_id, g.ym
            """
        )
        self.result.marks = self.result.created = self.expected_marks
        self.move_summaries(cursor)

    def resolve(self, cursor: Any) -> None:
        source = self.source()
        scoped = "1" if self.scoped_user is not None else "0"
        upn_reason = "'scope'" if self.scoped_user is not None else "'upn'"
        cursor.execute(
            f"""
            CREATE TEMP TABLE att_resolved AS
            SELECT src.row_no, src.src, u.child_id, d.day, d.month, d.ayear, src.sess AS session, k.code, k.klass,
                   sp.school_id, m.code AS old_code, ok.klass AS old_klass, CAST(NULL AS integer) AS dup_of,
                   CASE
                     WHEN u.many = 1 THEN 'upn_many'
                     WHEN u.child_id IS NULL THEN {upn_reason}
                     WHEN d.day IS NULL THEN 'date'
                     WHEN src.sess IS NULL THEN 'session'
                     WHEN k.code IS NULL AND src.code_txt = '' THEN 'nocode'
                     WHEN k.code IS NULL THEN 'code'
                     WHEN d.future = 1 THEN 'future'
                     WHEN {scoped} = 1 AND COALESCE(sp.allowed, 0) = 0 THEN 'scope'
                     WHEN u.roll_start IS NOT NULL AND d.day < u.roll_start THEN 'roll'
                     WHEN u.roll_end IS NOT NULL AND d.day > u.roll_end THEN 'roll'
                   END AS reason
            FROM ({source}) src
            LEFT JOIN att_upns u ON u.txt = src.upn
            LEFT JOIN att_dates d ON d.txt = src.day_txt
            LEFT JOIN att_codes k ON k.txt = src.code_txt
            LEFT JOIN att_spans sp ON sp.child_id = u.child_id AND sp.start_day <= d.day AND sp.end_day >= d.day
            LEFT JOIN {MARKS} m ON m.child_id = u.child_id AND m.date = d.day AND m.session = src.sess
            LEFT JOIN att_classes ok ON ok.code = m.code
            """
        )
        if self.pg:
            cursor.execute("ANALYZE att_resolved")

    def mark_duplicates(self, cursor: Any, *, changed_only: bool) -> None:
        """Reject the second and later rows for one child, date and session (among new or changed marks)."""
        if changed_only:
            keys = (
                "SELECT r.child_id, r.day, r.session FROM att_resolved r WHERE r.reason IS NULL "
                "AND r.old_code IS NOT NULL AND r.old_code <> r.code"
            )
            candidates = (
                f"SELECT a.child_id, a.day, a.session, a.row_no FROM att_resolved a JOIN ({keys}) k "
                "ON k.child_id = a.child_id AND k.day = a.day AND k.session = a.session WHERE a.reason IS NULL"
            )
        else:
            candidates = (
                "SELECT child_id, day, session, row_no FROM att_resolved WHERE reason IS NULL AND old_code IS NULL"
            )
        cursor.execute(
            f"SELECT child_id, day, session, min(row_no) FROM ({candidates}) c "
            "GROUP BY child_id, day, session HAVING count(*) > 1"
        )
        repeated = cursor.fetchall()
        for child_id, day, session, first in repeated:
            cursor.execute(
                "UPDATE att_resolved SET reason = 'duplicate', dup_of = %s WHERE reason IS NULL AND child_id = %s "
                "AND day = %s AND session = %s AND row_no > %s",
                [first, child_id, day, session, first],
            )

    def count(self, cursor: Any) -> None:
        cursor.execute(
            """
            SELECT
              count(*),
              sum(CASE WHEN reason IS NULL AND old_code IS NULL THEN 1 ELSE 0 END),
              sum(CASE WHEN reason IS NULL AND old_code <> code THEN 1 ELSE 0 END),
              sum(CASE WHEN reason IS NULL AND old_code = code THEN 1 ELSE 0 END)
            FROM att_resolved
            """
        )
        marks, created, updated, unchanged = cursor.fetchone()
        self.result.marks = marks or 0
        self.result.created, self.result.updated, self.result.unchanged = created or 0, updated or 0, unchanged or 0
        cursor.execute("SELECT reason, count(*) FROM att_resolved WHERE reason IS NOT NULL GROUP BY reason")
        self.result.rejected_by_reason = dict(cursor.fetchall())
        self.result.rejected = sum(self.result.rejected_by_reason.values())
        if self.result.rejected:
            self.list_rejects(cursor)

    def list_rejects(self, cursor: Any) -> None:
        cols = self.cols
        raw = [f"s.{cols[name]}" for name in ("upn", "date")]
        session_col = f"s.{cols['session']}" if "session" in cols else "''"
        cursor.execute(
            f"""
            SELECT r.row_no, r.reason, r.src, r.dup_of, r.session, {", ".join(raw)}, {session_col},
                   {", ".join(f"s.{c}" for _, c in self.code_sources())}
            FROM att_resolved r JOIN att_staging s ON s.row_no = r.row_no
            WHERE r.reason IS NOT NULL ORDER BY r.row_no, r.session LIMIT {REJECTS_KEPT}
            """
        )
        code_columns = {c: i for i, (_, c) in enumerate(self.code_sources())}
        names = {v: k for k, v in cols.items()}
        for row_no, reason, src, dup_of, session, upn, day, session_txt, *code_values in cursor.fetchall():
            if reason in {"upn", "upn_many", "scope", "roll"}:
                column, value = "upn", upn
            elif reason in {"date", "future"}:
                column, value = "date", day
            elif reason == "session":
                column, value = "session", session_txt
            else:
                column = names.get(src, "code")
                value = code_values[code_columns[src]] if src in code_columns else ""
            rule = REASONS[reason].format(first=dup_of)
            if reason == "duplicate":
                value = f"{day} {session}"
            self.result.rejects.append(Problem(row_no, column, value, rule))

    # writing ----------------------------------------------------------------------------------------------------

    def apply(self, cursor: Any) -> None:
        cursor.execute(
            f"INSERT INTO {MARKS} (child_id, date, session, code, school_id) "
            "SELECT child_id, day, session, code, school_id FROM att_resolved "
            "WHERE reason IS NULL AND old_code IS NULL"
        )
        if self.result.updated:
            cursor.execute(
                f"UPDATE {MARKS} SET code = r.code, school_id = r.school_id FROM att_resolved r "
                f"WHERE r.reason IS NULL AND r.old_code <> r.code AND {MARKS}.child_id = r.child_id "
                f"AND {MARKS}.date = r.day AND {MARKS}.session = r.session"
            )
        klasses = [k.value for k in codes.MarkClass]
        # The differences by child and month, in one pass over the marks: +1 for a new or corrected mark's
        # class, -1 for a corrected mark's old class. The months and the academic years are moved by them, and
        # the children with new or corrected marks are theirs.
        named_sums = ", ".join(f"SUM(CASE WHEN k = '{k}' THEN n ELSE 0 END) AS d{i}" for i, k in enumerate(klasses))
        self.create_deltas(cursor)
        cursor.execute(
            f"""
            INSERT INTO att_deltas
            SELECT child_id, month, ayear, {named_sums} FROM (
              SELECT child_id, month, ayear, klass AS k, 1 AS n FROM att_resolved
                WHERE reason IS NULL AND (old_code IS NULL OR old_code <> code)
              UNION ALL
              SELECT child_id, month, ayear, old_klass AS k, -1 AS n FROM att_resolved
                WHERE reason IS NULL AND old_code <> code
            ) x GROUP BY child_id, month, ayear
            """
        )
        self.move_summaries(cursor)

    def create_deltas(self, cursor: Any) -> None:
        date_type = "date" if self.pg else "text"
        sums = ", ".join(f"d{n} bigint" for n in range(len(codes.MarkClass)))
        cursor.execute(f"CREATE TEMP TABLE att_deltas (child_id integer, month {date_type}, ayear integer, {sums})")

    def move_summaries(self, cursor: Any) -> None:
        columns = ["present", "aea", "authorised", "unauthorised", "not_possible"]
        for table, key, period in ((MONTHS, "month", "month"), (YEARS, "year", "ayear")):
            updates = ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in columns)
            totals = ", ".join(f"SUM(d{n})" for n in range(len(columns)))
            cursor.execute(
                f"""
                INSERT INTO {table} (child_id, {key}, {", ".join(columns)})
                SELECT * FROM (SELECT child_id, {period}, {totals} FROM att_deltas GROUP BY child_id, {period}) y
                WHERE true
                ON CONFLICT (child_id, {key}) DO UPDATE SET {updates}
                """
            )
        cursor.execute("SELECT DISTINCT child_id FROM att_deltas")
        self.result.changed_child_ids = [pk for (pk,) in cursor.fetchall()]
        self.result.children = len(self.result.changed_child_ids)

    def audit(self, cursor: Any, file_name: str) -> None:
        now = timezone.now()
        events: list[AuditEvent] = []
        if self.result.updated:
            cursor.execute(
                "SELECT child_id, day, session, old_code, code FROM att_resolved "
                "WHERE reason IS NULL AND old_code <> code ORDER BY child_id, day, session"
            )
            current: int | None = None
            changes: dict[str, list[str]] = {}

            def flush() -> None:
                if current is not None:
                    events.append(
                        audit.build_event(
                            actor=self.actor,
                            action=AuditEvent.Action.UPDATE,
                            object_type="attendance.attendancemark",
                            object_id=current,
                            object_repr=f"{len(changes)} attendance mark(s) corrected",
                            child_id=current,
                            changes=changes,
                            context={"import": file_name},
                            occurred_at=now,
                        )
                    )

            while True:
                rows = cursor.fetchmany(2000)
                if not rows:
                    break
                for child_id, day, session, old, new in rows:
                    if child_id != current:
                        flush()
                        current, changes = child_id, {}
                    changes[f"{_iso(day)} {session}"] = [old, new]
            flush()
        summary = {k: v for k, v in self.result.as_dict().items() if k not in {"rejects", "warnings"}}
        events.append(
            audit.build_event(
                actor=self.actor,
                action=AuditEvent.Action.IMPORT,
                object_type="attendance.import",
                object_repr=f"Attendance marks from {file_name}"[:255],
                context=summary,
                occurred_at=now,
            )
        )
        self.result.audit_events = audit.record_many(events)


class _NotAllWritten(Exception):
    """The plain INSERT of a clean file wrote fewer marks than the file holds: undo it and check in full."""


def _iso(value: Any) -> str | None:
    if value is None:
        return None
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def import_marks(
    source: str | Path | IO[bytes],
    *,
    actor: Any,
    scoped_user: Any = None,
    file_name: str = "",
    dry_run: bool = False,
    today: dt.date | None = None,
    progress: Callable[[int], None] | None = None,
    on_checking: Callable[[], None] | None = None,
) -> AttendanceImportResult:
    """Import one file of marks. Callers check permission (services.import_attendance); `scoped_user`, when
    given, limits the rows to pupils placed at that person's schools on each date.

    Raises UnusableFile (nothing written) when the file as a whole cannot be used; a bad row is only rejected.
    """
    today = today or timezone.localdate()
    name = file_name or (Path(source).name if isinstance(source, (str, Path)) else "upload.csv")
    result = AttendanceImportResult(file=name, dry_run=dry_run)
    stream, close = _open(source)
    run = _Run(
        actor=actor,
        scoped_user=scoped_user,
        today=today,
        calendar=school_calendar(),
        result=result,
        progress=progress,
    )
    try:
        names, header_bytes = _read_header(stream)
        result.shape, run.cols = _shape(names)
        run.width = len(names)
        with connection.cursor() as cursor:
            if run.pg:
                # Room for the staging tables in this session's memory (settable until a temporary table is
                # first used in the session), and for the hash joins and sorts of one large statement.
                with contextlib.suppress(Exception), transaction.atomic():
                    cursor.execute("SET temp_buffers = '256MB'")
                cursor.execute("SET work_mem = '64MB'")
                # Compiling these few large statements costs more than it saves.
                cursor.execute("SET jit = off")
            run.drop_temp(cursor)
            try:
                # Staging is outside the transaction, so an upload's progress can be seen while it loads; only
                # the temporary tables of this connection are written until the final transaction below.
                run.create_staging(cursor)
                with run.timed("load"):
                    run.load(cursor, stream, header_bytes)
                if on_checking:
                    on_checking()
                with transaction.atomic():
                    with run.timed("references"):
                        run.build_references(cursor)
                    fast = run.pg and run.refs_clean
                    existing = fast and run.has_marks_in_range(cursor)
                    done = False
                    if fast and existing:
                        with run.timed("compare"):
                            done = run.all_unchanged(cursor)
                    elif fast and not dry_run:
                        with run.timed("apply"):
                            done = run.insert_new(cursor)
                        if done:
                            with run.timed("audit"):
                                run.audit(cursor, name)
                    if not done:
                        with run.timed("resolve"):
                            run.resolve(cursor)
                        with run.timed("check"):
                            run.mark_duplicates(cursor, changed_only=True)
                            run.count(cursor)
                    if not done and not dry_run and result.changed_anything:
                        with run.timed("apply"):
                            try:
                                with transaction.atomic():
                                    run.apply(cursor)
                            except IntegrityError:
                                # Two rows of the file for one new mark: reject the later ones and apply again.
                                run.mark_duplicates(cursor, changed_only=False)
                                result.rejects.clear()
                                run.count(cursor)
                                with transaction.atomic():
                                    run.apply(cursor)
                        with run.timed("audit"):
                            run.audit(cursor, name)
            finally:
                run.drop_temp(cursor)
    finally:
        if close:
            stream.close()
    return result
