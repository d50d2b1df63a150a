"""Send each person's daily digest of notifications: queued for the db_worker, or run here with --now."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from ... import delivery, tasks


class Command(BaseCommand):
    help = (
        "E-mail one digest to each person who has chosen the daily digest, listing their notifications not yet "
        "e-mailed. Each person gets at most one digest a day. Queued for the task worker unless --now."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--now", action="store_true", help="Do the work here instead of queueing it")
        parser.add_argument("--day", help="The day of the digest, as 2026-11-22 (default: today)")

    def handle(self, *args: Any, **options: Any) -> None:
        day = None
        if options["day"]:
            try:
                day = dt.date.fromisoformat(options["day"])
            except ValueError as exc:
                raise CommandError(f"--day must be a date written 2026-11-22, not {options['day']!r}") from exc
        if options["now"]:
            counts = delivery.send_digests(day)
            self.stdout.write(
                f"Digests: {counts['sent']} sent, {counts['failed']} failed, {counts['skipped']} already sent "
                f"or being sent, {counts['empty']} with nothing left to send."
            )
            return
        result = tasks.send_daily_digests.enqueue(day.isoformat() if day else None)
        self.stdout.write(f"Queued the daily digest task ({result.id}) for the task worker.")
