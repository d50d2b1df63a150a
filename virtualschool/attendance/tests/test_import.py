from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from virtualschool.attendance import importer
from virtualschool.attendance.figures import child_counts
from virtualschool.attendance.importer import UnusableFile
from virtualschool.attendance.models import AttendanceMark, AttendanceMonth, AttendanceYear
from virtualschool.attendance.services import import_attendance
from virtualschool.core.models import AuditEvent

from .conftest import TODAY, csv_bytes

A, B = "A999000000001", "B999000000002"


def run(data: bytes, actor: Any = None, **kwargs: Any) -> importer.AttendanceImportResult:
    kwargs.setdefault("today", TODAY)
    if actor is None:
        return import_attendance(io.BytesIO(data), actor=None, system=True, file_name="marks.csv", **kwargs)
    return import_attendance(io.BytesIO(data), actor=actor, file_name="marks.csv", **kwargs)


def marks() -> dict[tuple[int, dt.date, str], str]:
    return {(m.child_id, m.date, m.session): m.code for m in AttendanceMark.objects.all()}


def month_row(child: Any, month: dt.date) -> tuple[int, ...]:
    row = AttendanceMonth.objects.get(child=child, month=month)
    return (row.present, row.aea, row.authorised, row.unauthorised, row.not_possible)


LONG_FILE = csv_bytes(
    "upn,date,session,code",
    f"{A},2026-11-16,AM,/",
    f"{A},2026-11-16,PM,\\",
    f"{A},2026-11-17,AM,N",
    f"{A},2026-11-17,PM,I",
    f"{B},2026-11-16,AM,B",
    f"{B},2026-11-16,PM,X",
)


def test_a_long_file_creates_marks_with_their_school_and_summary(att: Any) -> None:
    result = run(LONG_FILE)
    assert (result.shape, result.rows, result.marks, result.created, result.rejected) == ("long", 6, 6, 6, 0)
    stored = marks()
    assert stored[(att.child_a.pk, dt.date(2026, 11, 17), "AM")] == "N"
    assert (
        AttendanceMark.objects.get(child=att.child_a, date=dt.date(2026, 11, 16), session="AM").school == att.school_a
    )
    assert month_row(att.child_a, dt.date(2026, 11, 1)) == (2, 0, 1, 1, 0)
    assert month_row(att.child_b, dt.date(2026, 11, 1)) == (0, 1, 0, 0, 1)
    assert AttendanceYear.objects.get(child=att.child_a, year=2026).present == 2
    event = AuditEvent.objects.get(object_type="attendance.import")
    assert event.action == AuditEvent.Action.IMPORT and event.context["created"] == 6


def test_a_wide_file_is_told_apart_by_its_header_and_blank_cells_are_no_mark(att: Any) -> None:
    result = run(csv_bytes("UPN, Date ,AM,PM", f"{A},2026-11-16,/,\\", f"{A},17/11/2026,L,", f"{B},2026-11-16,I,I"))
    assert (result.shape, result.rows, result.marks, result.created) == ("wide", 3, 5, 5)
    assert marks()[(att.child_a.pk, dt.date(2026, 11, 17), "AM")] == "L"
    assert (att.child_a.pk, dt.date(2026, 11, 17), "PM") not in marks()


def test_the_same_file_twice_changes_nothing_and_audits_nothing(att: Any) -> None:
    run(LONG_FILE)
    before = (
        marks(),
        list(AttendanceMonth.objects.values_list()),
        list(AttendanceYear.objects.values_list()),
        AuditEvent.objects.count(),
    )
    again = run(LONG_FILE)
    assert (again.created, again.updated, again.unchanged, again.audit_events) == (0, 0, 6, 0)
    after = (
        marks(),
        list(AttendanceMonth.objects.values_list()),
        list(AttendanceYear.objects.values_list()),
        AuditEvent.objects.count(),
    )
    assert after == before


def test_a_corrected_mark_replaces_the_old_one_moves_the_summary_and_is_audited(att: Any) -> None:
    run(LONG_FILE)
    result = run(csv_bytes("upn,date,session,code", f"{A},2026-11-17,AM,M", f"{A},2026-11-16,AM,/"))
    assert (result.created, result.updated, result.unchanged) == (0, 1, 1)
    assert marks()[(att.child_a.pk, dt.date(2026, 11, 17), "AM")] == "M"
    assert month_row(att.child_a, dt.date(2026, 11, 1)) == (2, 0, 2, 0, 0)
    year = AttendanceYear.objects.get(child=att.child_a, year=2026)
    assert (year.present, year.authorised, year.unauthorised) == (2, 2, 0)
    event = AuditEvent.objects.get(object_type="attendance.attendancemark")
    assert event.child_id == att.child_a.pk and event.action == AuditEvent.Action.UPDATE
    assert event.changes == {"2026-11-17 AM": ["N", "M"]}
    counts = child_counts(att.child_a.pk, dt.date(2026, 11, 1), TODAY, today=TODAY)
    assert (counts.possible, counts.authorised, counts.unauthorised) == (4, 2, 0)


def reasons(result: importer.AttendanceImportResult) -> dict[int, tuple[str, str]]:
    return {r.row: (r.column, r.rule) for r in result.rejects}


def test_every_reject_names_the_row_and_the_reason(att: Any) -> None:
    att.child_b.closed_on = dt.date(2026, 10, 31)
    att.child_b.closure_reason = "other"
    att.child_b.save()
    result = run(
        csv_bytes(
            "upn,date,session,code",
            f"{A},2026-11-16,AM,/",  # row 2: fine
            "Z999999999999,2026-11-16,AM,/",  # 3: unknown UPN
            f"{A},2026-11-16,PM,F",  # 4: unknown code
            f"{B},2026-11-16,AM,/",  # 5: closed on 31 October: not on the roll
            f"{A},2023-12-01,AM,/",  # 6: before the child's care began (8 January 2024)
            f"{A},2026-11-23,AM,/",  # 7: after today
            f"{A},2026-13-01,AM,/",  # 8: not a date
            f"{A},2026-11-16,XX,/",  # 9: not a session
            f"{A},2026-11-16,AM,I",  # 10: a second mark for row 2's session
            f"{A},2026-11-17,AM,",  # 11: no code
        )
    )
    found = reasons(result)
    assert found[3] == ("upn", importer.REASONS["upn"])
    assert found[4] == ("code", importer.REASONS["code"])
    assert found[5] == ("upn", importer.REASONS["roll"])
    assert found[6] == ("upn", importer.REASONS["roll"])
    assert found[7] == ("date", importer.REASONS["future"])
    assert found[8] == ("date", importer.REASONS["date"])
    assert found[9] == ("session", importer.REASONS["session"])
    assert found[10] == ("code", "This child, date and session is already on row 2 of the file.")
    assert found[11] == ("code", importer.REASONS["nocode"])
    assert 2 not in found and result.created == 1 and result.rejected == 9
    assert marks() == {(att.child_a.pk, dt.date(2026, 11, 16), "AM"): "/"}


def test_a_weekend_date_is_a_warning_and_the_row_is_kept(att: Any) -> None:
    result = run(csv_bytes("upn,date,am,pm", f"{A},2026-11-14,/,\\", f"{A},2026-11-16,/,\\"))
    assert result.created == 4 and result.rejected == 0
    assert [(w.row, w.column, w.value) for w in result.warnings] == [(2, "date", "2026-11-14")]
    assert "a Saturday" in result.warnings[0].rule


def test_a_upn_shared_by_two_children_is_rejected(att: Any) -> None:
    att.child_b.upn = A
    att.child_b.save(update_fields=["upn"])
    result = run(csv_bytes("upn,date,session,code", f"{A},2026-11-16,AM,/"))
    assert reasons(result)[2] == ("upn", importer.REASONS["upn_many"])


@pytest.mark.parametrize(
    "data,message",
    [
        (b"", "empty"),
        (b"pupil,when,what\nx,y,z\n", "must have the columns"),
        (b"upn,date,session,code\n", "no rows"),
        (csv_bytes("upn,date,session,code", f"{A},2026-11-16,AM,/", f"{A},2026-11-17,AM"), "Row 3"),
    ],
)
def test_an_unusable_file_says_what_to_fix_and_writes_nothing(att: Any, data: bytes, message: str) -> None:
    with pytest.raises(UnusableFile, match=message):
        run(data)
    assert not AttendanceMark.objects.exists() and not AuditEvent.objects.filter(object_type__startswith="attendance")


def test_a_failure_half_way_leaves_nothing_imported(att: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(self: Any, cursor: Any, name: str) -> None:
        raise RuntimeError("the database went away")

    monkeypatch.setattr(importer._Run, "audit", broken)
    with pytest.raises(RuntimeError):
        run(LONG_FILE)
    assert not AttendanceMark.objects.exists() and not AttendanceMonth.objects.exists()


def test_a_dry_run_checks_and_writes_nothing(att: Any) -> None:
    result = run(LONG_FILE, dry_run=True)
    assert result.created == 6 and result.dry_run
    assert not AttendanceMark.objects.exists() and not AuditEvent.objects.filter(object_type__startswith="attendance")


def test_a_designated_teacher_imports_only_for_their_own_schools_pupils(att: Any) -> None:
    result = run(LONG_FILE, actor=att.dt_a)
    assert result.created == 4 and result.rejected == 2
    assert {r.rule for r in result.rejects} == {importer.REASONS["scope"]}
    assert {key[0] for key in marks()} == {att.child_a.pk}
    # An unknown UPN is answered the same way, so a teacher learns nothing of children who are not theirs.
    other = run(csv_bytes("upn,date,session,code", "Z999999999999,2026-11-16,AM,/"), actor=att.dt_a)
    assert other.rejects[0].rule == importer.REASONS["scope"]


def test_the_head_and_data_specialist_import_for_anyone_and_others_may_not_import(att: Any) -> None:
    assert run(LONG_FILE, actor=att.data).created == 6
    assert run(LONG_FILE, actor=att.head).unchanged == 6
    for user in (att.lead, att.sw_a, att.iro_a, att.panel, att.admin):
        with pytest.raises(PermissionDenied):
            run(LONG_FILE, actor=user)


def test_the_file_is_streamed_in_pieces_that_end_at_line_breaks(att: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(importer, "CHUNK_BYTES", 40)
    monkeypatch.setattr(importer, "SQLITE_BATCH", 2)
    lines = ["upn,date,session,code"] + [
        f"{A},2026-11-{day:02d},{session},/" for day in (2, 3, 4, 5, 6, 9, 10) for session in ("AM", "PM")
    ]
    pieces = list(importer._chunks(io.BytesIO(csv_bytes(*lines[1:]))))
    assert len(pieces) > 3 and all(p.endswith(b"\n") for p in pieces)
    assert b"".join(pieces) == csv_bytes(*lines[1:])
    assert run(csv_bytes(*lines)).created == 14


def test_figures_for_any_range_match_the_marks_counted_one_by_one(att: Any) -> None:
    import random

    rng = random.Random(7)
    days = [dt.date(2025, 9, 1) + dt.timedelta(days=n) for n in range(0, 440)]
    days = [d for d in days if d.weekday() < 5 and d <= TODAY]
    choices = ["/", "/", "/", "I", "N", "B", "X", "L"]
    lines = [f"{A},{d.isoformat()},{rng.choice(choices)},{rng.choice(choices)}" for d in days]
    run(csv_bytes("upn,date,am,pm", *lines))
    stored = {(d, s): c for (_, d, s), c in marks().items()}
    for start, end in [
        (dt.date(2025, 9, 3), dt.date(2025, 12, 19)),
        (dt.date(2025, 10, 24), dt.date(2026, 2, 2)),
        (dt.date(2025, 9, 1), TODAY),
        (dt.date(2026, 1, 5), dt.date(2026, 1, 9)),
        (dt.date(2026, 10, 24), dt.date(2026, 12, 31)),
    ]:
        from virtualschool.attendance.figures import counts_of_codes

        expected = counts_of_codes([c for (d, _), c in stored.items() if start <= d <= end])
        assert child_counts(att.child_a.pk, start, end, today=TODAY) == expected, (start, end)


def stored_state() -> tuple[Any, ...]:
    return (
        marks(),
        {(m.child_id, m.month): (m.present, m.aea, m.authorised, m.unauthorised, m.not_possible)
         for m in AttendanceMonth.objects.all()},
        {(y.child_id, y.year): (y.present, y.authorised, y.unauthorised) for y in AttendanceYear.objects.all()},
    )  # fmt: skip


def test_a_clean_file_written_by_the_plain_insert_matches_the_full_check(
    att: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.db import connection

    fast = run(LONG_FILE)
    if connection.vendor == "postgresql":
        # Every value of the file is usable and no marks are stored in its dates: no row-by-row check is made.
        assert "resolve" not in fast.timings and "apply" in fast.timings
    fast_state = stored_state()
    AttendanceMark.objects.all().delete()
    AttendanceMonth.objects.all().delete()
    AttendanceYear.objects.all().delete()
    monkeypatch.setattr(importer._Run, "insert_new", lambda self, cursor: False)
    full = run(LONG_FILE)
    assert stored_state() == fast_state
    assert (fast.created, fast.marks, fast.children) == (full.created, full.marks, full.children) == (6, 6, 2)


def test_the_same_clean_file_again_is_compared_without_the_full_check(att: Any) -> None:
    from django.db import connection

    run(LONG_FILE)
    again = run(LONG_FILE)
    assert (again.marks, again.unchanged, again.created, again.updated, again.audit_events) == (6, 6, 0, 0, 0)
    if connection.vendor == "postgresql":
        assert "resolve" not in again.timings and "compare" in again.timings


def test_a_clean_file_with_a_repeated_row_falls_back_and_names_the_repeat(att: Any) -> None:
    result = run(
        csv_bytes("upn,date,session,code", f"{A},2026-11-16,AM,/", f"{B},2026-11-16,AM,I", f"{A},2026-11-16,am,N")
    )
    assert (result.created, result.rejected) == (2, 1)
    assert reasons(result) == {4: ("code", importer.REASONS["duplicate"].format(first=2))}
    assert marks()[(att.child_a.pk, dt.date(2026, 11, 16), "AM")] == "/"
    assert month_row(att.child_a, dt.date(2026, 11, 1)) == (1, 0, 0, 0, 0)


def test_a_clean_file_with_a_day_off_the_roll_falls_back_and_rejects_only_that_row(att: Any) -> None:
    att.child_b.closed_on = dt.date(2026, 11, 16)
    att.child_b.closure_reason = "other"
    att.child_b.save()
    result = run(
        csv_bytes("upn,date,session,code", f"{A},2026-11-17,AM,/", f"{B},2026-11-16,AM,I", f"{B},2026-11-17,AM,I")
    )
    assert (result.created, result.rejected) == (2, 1)
    assert reasons(result) == {4: ("upn", importer.REASONS["roll"])}
    assert (att.child_b.pk, dt.date(2026, 11, 17), "AM") not in marks()


def test_a_designated_teachers_clean_file_for_their_own_pupils_is_written_whole(att: Any) -> None:
    own = csv_bytes("upn,date,session,code", f"{A},2026-11-16,AM,/", f"{A},2026-11-16,PM,N")
    result = run(own, actor=att.dt_a)
    assert (result.created, result.rejected) == (2, 0)
    assert (
        AttendanceMark.objects.get(child=att.child_a, date=dt.date(2026, 11, 16), session="PM").school == att.school_a
    )
    assert run(own, actor=att.dt_a).unchanged == 2
    # The other school's pupil in an otherwise clean file: the full check names the row.
    other = run(csv_bytes("upn,date,session,code", f"{A},2026-11-17,AM,/", f"{B},2026-11-17,AM,/"), actor=att.dt_a)
    assert (other.created, other.rejected) == (1, 1)
    assert reasons(other) == {3: ("upn", importer.REASONS["scope"])}
