"""What the account commands share: who they act as, and how an import reports."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from virtualschool.accounts.models import User
from virtualschool.accounts.selectors import user_by_username


def add_actor_arguments(parser: CommandParser, permission: str) -> None:
    who = parser.add_mutually_exclusive_group()
    who.add_argument("--user", metavar="USERNAME", help=f"the person this is recorded against (needs {permission})")
    who.add_argument("--system", action="store_true", help="record it as done by the system (the default)")


def resolve_actor(options: dict[str, Any]) -> User | None:
    """--user USERNAME, or None (the system, recorded as 'system') with --system or neither."""
    username = options.get("user")
    if not username:
        return None
    user = user_by_username(username)
    if user is None:
        raise CommandError(f"There is no user called {username!r}. Check --user, or use --system.", returncode=2)
    if not user.is_active:
        raise CommandError(f"{username} is deactivated and cannot act. Use another --user or --system.", returncode=2)
    return user


def write_report(command: BaseCommand, report: Any, *, as_json: bool, title: str) -> None:
    """An import's summary and row-level reject report, as text or as one JSON object."""
    if as_json:
        command.stdout.write(json.dumps(report.as_json(), ensure_ascii=False))
        return
    note = " (dry run: nothing was saved)" if report.dry_run else ""
    command.stdout.write(f"{title} from {report.file}{note}")
    for key, value in report.summary().items():
        if key not in {"file", "dry_run"}:
            command.stdout.write(f"  {key.replace('_', ' '):<14} {value}")
    if report.rejects:
        command.stdout.write("Rejected rows (file, row, column, value, rule):")
        command.stdout.write(report.rejects_csv().rstrip("\n"))
