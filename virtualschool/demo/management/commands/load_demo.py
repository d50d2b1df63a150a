"""python manage.py load_demo [--reset] [--seed N]: load the synthetic demonstration data."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from virtualschool.demo import catalogue as cat
from virtualschool.demo.builder import demo_is_loaded, demo_usernames_taken, write_demo
from virtualschool.demo.plan import plan_demo


class Command(BaseCommand):
    help = (
        "Load a deterministic synthetic demo (about 350 children, 90 schools, staff in every role). "
        "Synthetic data only; refuses to run unless DEBUG is on or --force is given."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--reset", action="store_true", help="Empty the whole database first, then load.")
        parser.add_argument("--seed", type=int, default=cat.DEFAULT_SEED, help="Random seed (same seed, same data).")
        parser.add_argument(
            "--size", choices=sorted(cat.SCHOOL_MIX), default="full", help="'small' loads about 30 children."
        )
        parser.add_argument(
            "--force", action="store_true", help="Run even though DEBUG is off (never on a live service)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG and not options["force"]:
            raise CommandError(
                "load_demo writes synthetic demonstration data and runs only when DEBUG is on. "
                "If this really is a demonstration or test database, run it again with --force."
            )
        if options["reset"]:
            call_command("flush", interactive=False, verbosity=0)
            self.stdout.write("Emptied the database.")
        elif demo_is_loaded():
            self.stdout.write("The demo is already loaded; nothing to do (use --reset to load it afresh).")
            return
        plan = plan_demo(seed=options["seed"], size=options["size"], today=timezone.localdate())
        taken = demo_usernames_taken(plan)
        if taken:
            raise CommandError(
                f"The database already has users the demo would create ({', '.join(taken[:5])}"
                f"{'…' if len(taken) > 5 else ''}). Load the demo into an empty database, or use --reset to empty "
                "this one first."
            )
        summary = write_demo(plan)
        self.stdout.write(
            self.style.SUCCESS(
                f"Loaded the synthetic demo (seed {options['seed']}): {summary.children} children, "
                f"{summary.schools} schools, {summary.users} staff accounts, {summary.audit_events} audit events "
                f"in {summary.seconds:.1f} s."
            )
        )
        self.stdout.write(
            f"Every demo account's password is {cat.DEMO_PASSWORD!r} (demonstration only). "
            "`python manage.py demo_logins` lists one account per role."
        )
