"""python manage.py import_users FILE.csv [--user ADMIN | --system] [--json] [--dry-run] [--send-invites]"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser

from virtualschool.accounts.services import ImportFileError, users_import

# A command is an edge, like a view: it may wire in the schools app, which accounts' services must not import.
from virtualschool.schools.importers.staff import SchoolStaffLinks

from ._options import add_actor_arguments, resolve_actor, write_report


class Command(BaseCommand):
    help = (
        "Open and update accounts from a CSV with the columns username, email, full_name, role, schools (URNs of a "
        "designated teacher's schools, separated by ; or spaces) and team. Bad rows are rejected with reasons."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the CSV file (UTF-8 or Windows-1252)")
        add_actor_arguments(parser, "accounts.add_user and accounts.change_user")
        parser.add_argument("--json", action="store_true", help="print the summary and rejects as one JSON object")
        parser.add_argument("--dry-run", action="store_true", help="check the file and report, saving nothing")
        parser.add_argument(
            "--send-invites",
            action="store_true",
            help="e-mail new people (and anyone who has not yet set a password) a link to choose their password",
        )
        parser.add_argument(
            "--base-url",
            default=getattr(settings, "SERVICE_BASE_URL", ""),
            help="the address people open the service at, for invitation links (default: SERVICE_BASE_URL)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        actor = resolve_actor(options)
        try:
            report = users_import(
                actor=actor,
                path=options["file"],
                schools=SchoolStaffLinks(),
                dry_run=options["dry_run"],
                send_invites=options["send_invites"],
                base_url=options["base_url"],
            )
        except ImportFileError as exc:
            raise CommandError(str(exc), returncode=2) from exc
        except PermissionDenied as exc:
            raise CommandError(f"{options['user']}: {exc}") from exc
        write_report(self, report, as_json=options["json"], title="User import")
