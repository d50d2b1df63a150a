"""python manage.py import_gias FILE.csv [--user USERNAME | --system] [--json] [--dry-run]"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser

from virtualschool.accounts.management.commands._options import add_actor_arguments, resolve_actor, write_report
from virtualschool.schools.importers import ImportFileError, gias_import


class Command(BaseCommand):
    help = (
        "Load the Get Information About Schools 'all establishment data' CSV into the school register: creates "
        "schools by URN, updates changed ones, and reports unchanged and rejected rows (file, row, column, value, "
        "rule). A missing URN or EstablishmentName column stops it with exit status 2."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the GIAS extract (CSV, Windows-1252 or UTF-8)")
        add_actor_arguments(parser, "schools.import_gias")
        parser.add_argument("--json", action="store_true", help="print the summary and rejects as one JSON object")
        parser.add_argument("--dry-run", action="store_true", help="check the file and report, saving nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = resolve_actor(options)
        try:
            report = gias_import(actor=actor, path=options["file"], dry_run=options["dry_run"])
        except ImportFileError as exc:
            raise CommandError(str(exc), returncode=2) from exc
        except PermissionDenied as exc:
            raise CommandError(f"{options['user']}: {exc}") from exc
        write_report(self, report, as_json=options["json"], title="GIAS import")
