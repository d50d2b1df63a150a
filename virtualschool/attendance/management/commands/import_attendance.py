"""python manage.py import_attendance FILE: load session marks from a CSV file (long or wide shape)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser

from virtualschool.attendance.importer import AttendanceImportResult, UnusableFile
from virtualschool.attendance.services import import_attendance

UNUSABLE = 2  # exit code: nothing was imported because the file or the command line cannot be used


class Command(BaseCommand):
    help = (
        "Create and correct attendance marks from a CSV file: one row a session (upn,date,session,code) or one "
        "row a day (upn,date,am,pm), told apart by the header. Marks are matched by child, date and session: "
        "the same file twice changes nothing, a corrected code replaces the old one and is audited. Exit code 0 "
        "when the import ran (even with rejected rows), 2 when the file cannot be used (nothing is written)."
    )
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="the CSV file")
        who = parser.add_mutually_exclusive_group()
        who.add_argument("--user", help="the username the import acts as (needs attendance.import_attendance)")
        who.add_argument("--system", action="store_true", help="act as the system rather than a person")
        parser.add_argument("--dry-run", action="store_true", help="check and report, write nothing")
        parser.add_argument("--json", action="store_true", help="print the summary as one JSON object, nothing else")
        parser.add_argument("--show", type=int, default=20, help="how many rejected rows to print (default 20)")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = self.actor(options)
        try:
            result = import_attendance(
                options["file"], actor=actor, system=options["system"], dry_run=options["dry_run"]
            )
        except (UnusableFile, PermissionDenied) as exc:
            raise CommandError(f"Nothing was imported. {exc}", returncode=UNUSABLE) from exc
        if options["json"]:
            self.stdout.write(json.dumps(result.as_dict()))
        else:
            self.print_report(result, options["show"])

    def actor(self, options: dict[str, Any]) -> Any:
        if options["system"]:
            return None
        username = options["user"]
        if not username:
            raise CommandError("Say who the import acts as: --user USERNAME, or --system.", returncode=UNUSABLE)
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"There is no user called {username!r}.", returncode=UNUSABLE)
        return user

    def print_report(self, result: AttendanceImportResult, show: int) -> None:
        out = self.stdout.write
        out(
            f"Attendance import of {result.file} ({result.shape} shape)"
            + (" — dry run: nothing was written" if result.dry_run else "")
        )
        out(
            f"Rows {result.rows}  marks {result.marks}  created {result.created}  updated {result.updated}  "
            f"unchanged {result.unchanged}  rejected {result.rejected}"
        )
        out(f"Children with new or corrected marks: {result.children}; audit events written: {result.audit_events}")
        if result.warnings:
            out(f"\nWarnings ({len(result.warnings)}): imported, but check these")
            for warning in result.warnings[:show]:
                out(f"  row {warning.row}, {warning.column} {warning.value!r}: {warning.rule}")
        if result.rejects:
            out(f"\nRejected marks ({result.rejected}): row, column, value, reason")
            for reject in result.rejects[:show]:
                out(f"  row {reject.row}, {reject.column} {reject.value!r}: {reject.rule}")
            if result.rejected > show:
                out(f"  … and {result.rejected - show} more (--json lists the first {len(result.rejects)})")
