"""What every import shares: reading a CSV file whatever it was saved as, and reporting counts and rejected rows."""

from __future__ import annotations

import codecs
import csv
import io
from dataclasses import asdict, dataclass, field
from pathlib import Path
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


def decode(data: bytes) -> tuple[str, str]:
    """The text of `data` and the encoding it was read as."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8", errors="strict"), "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16"), "utf-16"
    try:
        return data.decode("utf-8", errors="strict"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        # GIAS publishes its extracts in Windows-1252 (e.g. 'St Mary’s' with a curly apostrophe as byte 0x92).
        return data.decode("cp1252", errors="strict"), "cp1252"
    except UnicodeDecodeError as exc:
        raise ImportFileError(
            f"The file is neither UTF-8 nor Windows-1252 (byte {data[exc.start]:#04x} at position {exc.start}). "
            "Save it again as 'CSV UTF-8' and re-run the import."
        ) from exc


def read_text(path: str | Path) -> tuple[str, str]:
    """Read and decode a whole file; a missing or unreadable file is an ImportFileError that says which."""
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError as exc:
        raise ImportFileError(f"There is no file at {path}. Check the path and try again.") from exc
    except OSError as exc:
        raise ImportFileError(f"The file {path} cannot be read: {exc.strerror}.") from exc
    return decode(data)
