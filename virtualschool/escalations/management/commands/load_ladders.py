"""Bring the seeded escalation ladders back to the fixture (fixtures/escalation_ladders.json)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from ...ladder_seed import load_ladders, seed_ladders
from ...models import Ladder, LadderLevel


class Command(BaseCommand):
    help = "Create or reset the seeded ladders (all, or those named) from the fixture; escalations are kept."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("slugs", nargs="*", help="Ladder slugs, for example dorset-dispute-resolution")

    def handle(self, *args: Any, **options: Any) -> None:
        known = {item["slug"] for item in seed_ladders()}
        unknown = sorted(set(options["slugs"]) - known)
        if unknown:
            raise CommandError(f"No seeded ladder {', '.join(unknown)}: use one of {', '.join(sorted(known))}")
        with transaction.atomic():
            written = load_ladders(Ladder, LadderLevel, options["slugs"] or None)
        self.stdout.write(f"Loaded {len(written)} ladder{'s' if len(written) != 1 else ''}: {', '.join(written)}")
