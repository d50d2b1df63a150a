"""Tell leads and designated teachers of the PP+ panel decisions whose day has come (run daily, e.g. at 07:00)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from virtualschool.pupilpremium.services import decisions_publish


class Command(BaseCommand):
    help = "Notify the lead, designated teacher and applicant of each PP+ decision due to be shared (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--today", help="Treat this date (YYYY-MM-DD) as today")

    def handle(self, *args: Any, **options: Any) -> None:
        today = None
        if options["today"]:
            try:
                today = dt.date.fromisoformat(options["today"])
            except ValueError as exc:
                raise CommandError("Give --today as YYYY-MM-DD, for example 2026-11-22.") from exc
        count = decisions_publish(today=today)
        self.stdout.write(f"{count} decision{'s' if count != 1 else ''} shared with leads and designated teachers.")
