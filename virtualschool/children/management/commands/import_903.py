"""python manage.py import_903: load children and care episodes from an SSDA903 return (CSV or DfE XML)."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser

from virtualschool.children.importers.ssda903 import ImportResult, UnusableInput, ssda903_import

UNUSABLE = 2  # exit code: nothing was imported because the input or the command line cannot be used


def _date(text: str) -> dt.date:
    try:
        value = dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(
            f"--collection-year-end must be a date written YYYY-MM-DD, not {text!r}.", returncode=UNUSABLE
        ) from None
    if (value.month, value.day) != (3, 31):
        raise CommandError(
            f"--collection-year-end must be a 31 March (the end of an SSDA903 collection year), not {value}.",
            returncode=UNUSABLE,
        )
    return value


class Command(BaseCommand):
    help = (
        "Create and update children and care episodes from an SSDA903 return, matched by child id: "
        "CSV files (--header and --episodes, optionally --uasc and --oc2) or the DfE XML (--xml). "
        "Rejected rows are reported with file, row, column, value and rule. Exit code 0 when the import ran "
        "(even with rejected rows), 2 when the input cannot be used (nothing is written)."
    )
    # The import reads files and writes rows; it needs no URL or template checks (they cost a second).
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--header", type=Path, help="header.csv: CHILD, SEX, DOB, ETHNIC, UPN")
        parser.add_argument("--episodes", type=Path, help="episodes.csv: CHILD, DECOM, RNE, LS, CIN, PLACE, …")
        parser.add_argument("--uasc", type=Path, help="uasc.csv: CHILD, DUC (optional)")
        parser.add_argument("--oc2", type=Path, help="oc2.csv: CHILD, SDQ_SCORE, SDQ_REASON (optional)")
        parser.add_argument("--xml", type=Path, help="the DfE SSDA903 XML file, instead of the CSV files")
        who = parser.add_mutually_exclusive_group()
        who.add_argument("--user", help="the username the import acts as (needs permission children.import_903)")
        who.add_argument("--system", action="store_true", help="act as the system rather than a person")
        parser.add_argument(
            "--collection-year-end",
            type=str,
            help="the 31 March that ends the collection year, YYYY-MM-DD (SDQ scores are recorded on it); "
            "default the most recent 31 March",
        )
        parser.add_argument("--dry-run", action="store_true", help="check and report, write nothing")
        parser.add_argument("--json", action="store_true", help="print the summary as one JSON object, nothing else")
        parser.add_argument("--rejects", type=Path, help="write every rejected row to this CSV file")
        parser.add_argument("--show", type=int, default=20, help="how many rejected rows to print (default 20)")
        parser.add_argument("--batch-size", type=int, default=2000, help="children per transaction (default 2000)")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = self.actor(options)
        year_end = _date(options["collection_year_end"]) if options["collection_year_end"] else None
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be at least 1.", returncode=UNUSABLE)
        rejects_path: Path | None = options["rejects"]
        if rejects_path is not None and not rejects_path.parent.is_dir():
            raise CommandError(f"The folder for --rejects does not exist: {rejects_path.parent}.", returncode=UNUSABLE)
        try:
            result = ssda903_import(
                actor=actor,
                system=options["system"],
                header=options["header"],
                episodes=options["episodes"],
                uasc=options["uasc"],
                oc2=options["oc2"],
                xml=options["xml"],
                collection_year_end=year_end,
                dry_run=options["dry_run"],
                batch_size=options["batch_size"],
            )
        except UnusableInput as exc:
            raise CommandError(f"Nothing was imported. {exc}", returncode=UNUSABLE) from exc
        except PermissionDenied as exc:
            raise CommandError(f"Nothing was imported. {exc}", returncode=UNUSABLE) from exc
        if rejects_path is not None:
            self.write_rejects(rejects_path, result)
        if options["json"]:
            self.stdout.write(json.dumps(result.as_dict()))
        else:
            self.print_report(result, options["show"], rejects_path)

    def actor(self, options: dict[str, Any]) -> Any:
        if options["system"]:
            return None
        username = options["user"]
        if not username:
            raise CommandError("Say who the import acts as: --user USERNAME, or --system.", returncode=UNUSABLE)
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"There is no user called {username!r}.", returncode=UNUSABLE)
        return user

    @staticmethod
    def write_rejects(path: Path, result: ImportResult) -> None:
        try:
            with path.open("w", encoding="utf-8", newline="") as handle:
                writer = csv.writer(handle)
                writer.writerow(["file", "row", "column", "value", "rule"])
                writer.writerows(result.rejects)
        except OSError as exc:
            raise CommandError(
                f"The import ran, but its reject report could not be written to {path}: {exc.strerror or exc}."
            ) from exc

    def print_report(self, result: ImportResult, show: int, rejects_path: Path | None) -> None:
        out = self.stdout.write
        out("SSDA903 import" + (" (dry run: nothing was written)" if result.dry_run else ""))
        out("Files: " + ", ".join(f"{kind} {name}" for kind, name in result.files.items()))
        for label, counts in (("Children", result.children), ("Episodes", result.episodes),
                              ("UASC", result.uasc), ("SDQ", result.sdq)):  # fmt: skip
            if counts.rows or label in {"Children", "Episodes"}:
                out(
                    f"{label:<9} rows {counts.rows:>7}  created {counts.created:>7}  updated {counts.updated:>7}  "
                    f"unchanged {counts.unchanged:>7}  rejected {counts.rejected:>7}"
                )
        if result.episodes_in_database_not_in_file:
            out(
                f"{result.episodes_in_database_not_in_file} episode(s) on the roll are not in the file: "
                "left as they are."
            )
        out(f"Audit events written: {result.audit_events}")
        if result.warnings:
            out(f"\nWarnings ({len(result.warnings)}): imported, but check these")
            for warning in result.warnings[:show]:
                out(f"  {warning.file} row {warning.row}, {warning.column} {warning.value!r}: {warning.rule}")
            if len(result.warnings) > show:
                out(f"  … and {len(result.warnings) - show} more (--show N prints more)")
        if result.rejects:
            out(f"\nRejected rows ({len(result.rejects)}): file, row, column, value, rule")
            for reject in result.rejects[:show]:
                out(f"  {reject.file} row {reject.row}, {reject.column} {reject.value!r}: {reject.rule}")
            if len(result.rejects) > show:
                where = f"all of them are in {rejects_path}" if rejects_path else "use --rejects FILE for all of them"
                out(f"  … and {len(result.rejects) - show} more ({where})")
