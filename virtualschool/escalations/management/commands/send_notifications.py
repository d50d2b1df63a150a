"""Check escalation clocks and e-mail the notifications due now: queued for the db_worker, or run here with --now."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from ... import delivery, tasks
from ...services import check_escalation_clocks


class Command(BaseCommand):
    help = (
        "Propose moving up escalations whose time has run out, then e-mail every notification due now. "
        "By default the work is queued for the task worker (manage.py db_worker); --now does it in this process."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--now", action="store_true", help="Do the work here instead of queueing it")
        parser.add_argument("--no-clocks", action="store_true", help="Only deliver; do not check escalation clocks")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["now"]:
            if not options["no_clocks"]:
                counts = check_escalation_clocks()
                self.stdout.write(
                    f"Escalations: {counts['proposed']} proposed to move up, {counts['due_soon']} due soon."
                )
            outcome = delivery.deliver_pending()
            self.stdout.write(
                f"E-mails: {outcome.sent} sent, {outcome.failed} failed (to retry or given up), "
                f"{outcome.lost_claims} sent after a lapsed claim."
            )
            return
        if not options["no_clocks"]:
            tasks.check_escalations.enqueue()
        result = tasks.deliver_notifications.enqueue()
        self.stdout.write(f"Queued the notification delivery task ({result.id}) for the task worker.")
