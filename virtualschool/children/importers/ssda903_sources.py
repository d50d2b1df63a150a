"""Where SSDA903 rows come from: CSV files (one per table) or the DfE XML (one CHILD element per child).

Both yield plain lists of strings in the column order the row parsers expect, with the row number a person
would look for: the line in a CSV file (its header is row 1), the CHILD's position in an XML file.
"""

from __future__ import annotations

import codecs
import csv
import itertools
import operator
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree


class UnusableInput(Exception):
    """A file cannot be imported at all (missing, unreadable, not the right kind, missing columns)."""


def detect_encoding(path: Path) -> str:
    """utf-8-sig when the whole file decodes as UTF-8 (with or without a BOM), else Windows-1252."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(1 << 20):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return "cp1252"
    except OSError as exc:
        raise UnusableInput(f"{path} cannot be read: {exc.strerror or exc}.") from exc
    return "utf-8-sig"


def check_readable(path: Path, option: str) -> None:
    if not path.exists():
        raise UnusableInput(f"The file given with {option} does not exist: {path}.")
    if not path.is_file():
        raise UnusableInput(f"The path given with {option} is not a file: {path}.")
    try:
        with path.open("rb") as handle:
            handle.read(1)
    except OSError as exc:
        raise UnusableInput(f"The file given with {option} cannot be read: {path} ({exc.strerror or exc}).") from exc


def _column_name(raw: str) -> str:
    return raw.strip().lstrip("\ufeff").strip().upper()


def csv_blocks(
    path: Path, option: str, columns: Sequence[str], block_size: int = 5000
) -> Iterator[tuple[list[int], list[Sequence[str]]]]:
    """Blocks of (row numbers, rows of values in `columns` order), skipping blank lines; extra columns ignored.

    Raises UnusableInput, before yielding anything, when the file lacks one of `columns`.
    """
    check_readable(path, option)
    encoding = detect_encoding(path)
    with path.open(encoding=encoding, errors="replace", newline="") as handle:
        reader = csv.reader(handle)
        try:
            header = next((record for record in reader if any(cell.strip() for cell in record)), None)
            if header is None:
                raise UnusableInput(f"{path.name} (given with {option}) is empty: it has no header row.")
            names = [_column_name(name) for name in header]
            missing = [name for name in columns if name not in names]
            if missing:
                found = ", ".join(n for n in names if n)[:200] or "none"
                raise UnusableInput(
                    f"{path.name} (given with {option}) is missing the column(s) {', '.join(missing)}. "
                    f"It needs {', '.join(columns)}; it has {found}. Check the file is the right one for {option}."
                )
            indexes = [names.index(name) for name in columns]
            width = max(indexes) + 1
            pick = operator.itemgetter(*indexes)
            previous_line = reader.line_num
            while True:
                # Each record with the line it ends on, so a row number is the line a person sees it on.
                block = [(record, reader.line_num) for record in itertools.islice(reader, block_size)]
                if not block:
                    return
                numbers: list[int] = []
                values: list[Sequence[str]] = []
                for record, last_line in block:
                    row, previous_line = previous_line + 1, last_line
                    if not record or (not record[0].strip() and not any(cell.strip() for cell in record)):
                        continue  # a blank line
                    numbers.append(row)
                    values.append(pick(record) if len(record) >= width else
                                  tuple(record[i] if i < len(record) else "" for i in indexes))  # fmt: skip
                yield numbers, values
        except csv.Error as exc:
            raise UnusableInput(
                f"{path.name} (given with {option}) cannot be read as CSV at line {reader.line_num}: {exc}."
            ) from exc


# The DfE XML: EXPSSDA903 > CHILD > HEADER (CHILDID, UPN, SEX, DOB, ETHNIC, UASC, DUC, OC2 …) + EPISODE*.
XML_ROOT = "EXPSSDA903"
XML_HEADER_TAGS = ("CHILDID", "SEX", "DOB", "ETHNIC", "UPN")
XML_EPISODE_TAGS = (
    "DECOM",
    "DEC",
    "RNE",
    "LS",
    "CIN",
    "PL",
    "PLACE_PROVIDER",
    "REC",
    "REASON_PLACE_CHANGE",
    "HOME_POST",
    "PL_POST",
    "URN",
)


@dataclass
class XmlChild:
    """One CHILD element's values, each list in the row parsers' column order."""

    position: int
    header: list[str]
    uasc: tuple[str, str] | None  # (UASC flag, DUC) when the UASC element holds a value
    sdq: tuple[str, str] | None  # (SDQ_SCORE, SDQ_REASON) when the OC2 element holds either
    episodes: list[list[str]] = field(default_factory=list)


def _parser_options() -> dict[str, object]:
    # No entity expansion, no network, no DTD loading: an XML file can carry entity attacks.
    return {"resolve_entities": False, "no_network": True, "load_dtd": False, "huge_tree": False}


def _check_xml_root(path: Path, option: str) -> None:
    try:
        for _event, element in etree.iterparse(str(path), events=("start",), **_parser_options()):
            tree = element.getroottree()
            if tree.docinfo.internalDTD is not None or tree.docinfo.externalDTD is not None:
                raise UnusableInput(
                    f"{path.name} (given with {option}) declares a DTD; SSDA903 XML files have none, "
                    "so the file is refused for safety."
                )
            if element.tag != XML_ROOT:
                raise UnusableInput(
                    f"{path.name} (given with {option}) is not an SSDA903 XML file: its root element is "
                    f"<{element.tag}>, not <{XML_ROOT}>."
                )
            return
    except etree.XMLSyntaxError as exc:
        raise UnusableInput(f"{path.name} (given with {option}) is not well-formed XML: {exc}.") from exc
    raise UnusableInput(f"{path.name} (given with {option}) is empty.")


def _text(element: etree._Element | None, tag: str) -> str:
    if element is None:
        return ""
    found = element.find(tag)
    if found is None:
        return ""
    return "".join(found.itertext()) if len(found) else (found.text or "")


def xml_children(path: Path, option: str) -> Iterator[XmlChild]:
    """Each CHILD element of a DfE SSDA903 XML file, read with constant memory."""
    check_readable(path, option)
    _check_xml_root(path, option)
    position = 0
    try:
        for _event, element in etree.iterparse(str(path), events=("end",), tag="CHILD", **_parser_options()):
            position += 1
            header = element.find("HEADER")
            child_id = _text(header, "CHILDID")
            values = [child_id] + [_text(header, tag) for tag in XML_HEADER_TAGS[1:]]
            uasc_flag = _text(header, "UASC").strip()
            duc = _text(header, "DUC")
            uasc = (uasc_flag, duc) if uasc_flag or duc.strip() else None
            oc2 = header.find("OC2") if header is not None else None
            score, reason = _text(oc2, "SDQ_SCORE"), _text(oc2, "SDQ_REASON")
            sdq = (score, reason) if score.strip() or reason.strip() else None
            child = XmlChild(position, values, uasc, sdq)
            for episode in element.iterfind("EPISODE"):
                row = [child_id] + [_text(episode, tag) for tag in XML_EPISODE_TAGS]
                if not row[6].strip():
                    row[6] = _text(episode, "PLACE")  # some exports spell PL in full
                child.episodes.append(row)
            yield child
            element.clear()
            while element.getprevious() is not None:
                parent = element.getparent()
                if parent is None:
                    break
                del parent[0]
    except etree.XMLSyntaxError as exc:
        raise UnusableInput(f"{path.name} (given with {option}) is not well-formed XML: {exc}.") from exc
