"""python manage.py send_attendance_summaries [--date YYYY-MM-DD]: the end-of-day attendance summary."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from virtualschool.attendance.services import send_attendance_summaries


class Command(BaseCommand):
    help = (
        "Tell each child's social worker and Virtual School Lead of the day's absences (one notification per "
        "person per day: running it again tells nobody twice), and propose PEP reviews for attendance below "
        "the threshold. Schedule it after the registers close, or run it as the task send_attendance_summaries."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="the day, YYYY-MM-DD (default today)")

    def handle(self, *args: Any, **options: Any) -> None:
        day = None
        if options["date"]:
            try:
                day = dt.date.fromisoformat(options["date"])
            except ValueError:
                raise CommandError(f"--date must be written YYYY-MM-DD, not {options['date']!r}.") from None
        made = send_attendance_summaries(day)
        self.stdout.write(f"Attendance summaries sent: {made}")
