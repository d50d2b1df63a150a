"""What an import did: counts, and every rejected row with the reason (file, row, column, value, rule)."""

from __future__ import annotations

import csv
import io
from dataclasses import asdict, dataclass, field
from typing import Any


class ImportFileError(ValueError):
    """The file as a whole cannot be imported (unreadable, wrong encoding, a required column missing)."""


@dataclass(frozen=True)
class Reject:
    """One row that was not imported, and why. `row` is the spreadsheet row: the header is row 1."""

    file: str
    row: int
    column: str
    value: str
    rule: str


@dataclass
class ImportReport:
    file: str
    dry_run: bool = False
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejects: list[Reject] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def rejected(self) -> int:
        """Rows rejected (a row with several problems counts once)."""
        return len({r.row for r in self.rejects})

    def reject(self, row: int, column: str, value: str, rule: str) -> None:
        self.rejects.append(Reject(self.file, row, column, value, rule))

    def summary(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "dry_run": self.dry_run,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            **self.extra,
        }

    def as_json(self) -> dict[str, Any]:
        return {**self.summary(), "rejects": [asdict(r) for r in self.rejects]}

    def rejects_csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["file", "row", "column", "value", "rule"])
        for r in self.rejects:
            writer.writerow([r.file, r.row, r.column, r.value, r.rule])
        return out.getvalue()
