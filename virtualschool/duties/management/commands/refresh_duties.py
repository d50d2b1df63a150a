"""python manage.py refresh_duties [--child ID ...]: recompute every duty now (run it daily, e.g. from cron)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from virtualschool.children.models import Child
from virtualschool.duties import engine


class Command(BaseCommand):
    help = "Recompute each child's statutory duties from their records and notify owners of duties due or overdue."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--child", type=int, action="append", dest="children", metavar="ID",
                            help="Only this child (by id); repeat for more")  # fmt: skip
        parser.add_argument("--no-notify", action="store_true", help="Store the duties but tell nobody")

    def handle(self, *args: Any, children: list[int] | None = None, no_notify: bool = False, **options: Any) -> None:
        if children:
            found = set(Child.objects.filter(pk__in=children).values_list("pk", flat=True))
            missing = sorted(set(children) - found)
            if missing:
                raise CommandError(
                    f"No child with id {', '.join(map(str, missing))}: check the id on the child's page."
                )
        result = engine.refresh(children or None, notify=not no_notify)
        self.stdout.write(result.summary())
