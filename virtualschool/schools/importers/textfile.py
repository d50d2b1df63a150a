"""Read a CSV export whatever Excel or the publisher saved it as: UTF-8 (with or without BOM) or Windows-1252."""

from __future__ import annotations

import codecs
from pathlib import Path

from .report import ImportFileError


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
