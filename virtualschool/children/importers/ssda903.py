"""Load children and their care episodes from an SSDA903 return (CSV files or the DfE XML).

Two passes. First every file is read and every row judged (ssda903_rows), so an unusable file stops the run
before anything is written. Then children are written in batches, each batch in one transaction with its
audit events, so a failure part-way leaves earlier batches whole: each child with all its episodes or none.

The import owns only the SSDA903 fields of a child (gender, date of birth, ethnicity, UPN, UASC, the care
episodes and the period-of-care dates derived from them) and never touches names, carers or allocations that
people entered. Rows travel as tuples and are written with COPY on PostgreSQL (bulk_create elsewhere): at
100,000 children a model instance per row would cost more than the whole import should take.
"""

from __future__ import annotations

import datetime as dt
import gc
import itertools
import json
import threading
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from queue import Queue
from typing import Any

import orjson
from django.db import connection, connections, models, reset_queries, transaction
from django.utils import timezone

from virtualschool.children.models import CareEpisode, Child, Cohort, SdqScore
from virtualschool.children.services import period_of_care_start
from virtualschool.core import audit
from virtualschool.core.models import AuditEvent
from virtualschool.core.permissions import require

from . import ssda903_rows as rows
from .ssda903_rows import E_END, E_REF, E_RNE, E_START, EPISODE_FIELDS, H_DOB, FieldProblem, Reject
from .ssda903_sources import XML_EPISODE_TAGS, XML_HEADER_TAGS, UnusableInput, csv_blocks, xml_children

__all__ = ["ImportResult", "UnusableInput", "most_recent_31_march", "ssda903_import"]

BATCH_SIZE = 2000
XML_BLOCK = 1000
SDQ_SOURCE = "SSDA903 OC2"
PLACEHOLDER_FIRST_NAME = "Unknown"

# The Child fields the 903 owns, in the order they are read, compared and written.
CHILD_FIELDS = (
    "gender",
    "date_of_birth",
    "ethnicity",
    "upn",
    "upn_needs_correction",
    "uasc",
    "uasc_ceased_on",
    "period_of_care_start",
    "date_first_entered_care",
)
_GENDER, _DOB, _ETHNICITY, _UPN, _UPN_FLAG, _UASC, _UASC_CEASED, _POC, _FIRST = range(len(CHILD_FIELDS))
_NEW_CHILD_FIELDS = ("social_care_reference", "first_name", "last_name", "cohort", *CHILD_FIELDS)
_STAMPS = ("created_at", "modified_at", "created_by_id", "modified_by_id")
_EPISODE_UPDATE_FIELDS = [name for name in EPISODE_FIELDS if name != "start_date"]
_SDQ_FIELDS = ("recorded_on", "respondent", "total_score", "reason_not_recorded", "source")
_EVENT_FIELDS = (
    "occurred_at",
    "actor_id",
    "actor_label",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "child_id",
    "changes",
    "context",
)


def placeholder_last_name(reference: str) -> str:
    """The 903 holds no names: a new child is 'Unknown Child <id>' until a person enters the real name."""
    return f"Child {reference}"


def most_recent_31_march(today: dt.date) -> dt.date:
    """The 31 March that ends the latest SSDA903 collection year on or before `today`."""
    this_year = dt.date(today.year, 3, 31)
    return this_year if today >= this_year else dt.date(today.year - 1, 3, 31)


@dataclass
class Counts:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0

    def as_dict(self) -> dict[str, int]:
        return dict(self.__dict__)


@dataclass
class ImportResult:
    """What an import did (or, in a dry run, would do), with every rejected row and its reason."""

    dry_run: bool
    files: dict[str, str]
    children: Counts = field(default_factory=Counts)
    episodes: Counts = field(default_factory=Counts)
    uasc: Counts = field(default_factory=Counts)
    sdq: Counts = field(default_factory=Counts)
    episodes_in_database_not_in_file: int = 0
    audit_events: int = 0
    rejects: list[Reject] = field(default_factory=list)
    warnings: list[Reject] = field(default_factory=list)

    @property
    def changed_anything(self) -> bool:
        return any(c.created or c.updated for c in (self.children, self.episodes, self.uasc, self.sdq))

    def as_dict(self) -> dict[str, Any]:
        return {
            "dry_run": self.dry_run,
            "files": self.files,
            "children": self.children.as_dict(),
            "episodes": {**self.episodes.as_dict(), "in_database_not_in_file": self.episodes_in_database_not_in_file},
            "uasc": self.uasc.as_dict(),
            "sdq": self.sdq.as_dict(),
            "rejected_rows": len(self.rejects),
            "warnings": len(self.warnings),
            "audit_events": self.audit_events,
        }


def _fetch(model: type[models.Model], fields: Sequence[str], key: str, keys: Sequence[Any]) -> list[tuple[Any, ...]]:
    """Rows (as tuples of `fields`) whose `key` is one of `keys`: one query, however many keys.

    On PostgreSQL the keys travel as one comma-separated parameter: Django would write (and psycopg parse and
    quote) a placeholder per key, which at 2,000 keys a batch costs more than the query itself. Keys are ids or
    child ids, which cannot hold a comma.
    """
    if connection.vendor != "postgresql":
        return list(model._default_manager.filter(**{f"{key}__in": keys}).values_list(*fields))
    quote = connection.ops.quote_name
    key_field = model._meta.get_field(key)
    array = "string_to_array(%s, ',')" + ("::bigint[]" if key_field.get_internal_type() != "CharField" else "")
    columns = ", ".join(quote(_column(model, name)) for name in fields)
    table, column = quote(model._meta.db_table), quote(_column(model, key))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns} FROM {table} WHERE {column} = ANY({array})", [",".join(map(str, keys))])  # noqa: S608
        return cursor.fetchall()


class _Parsed:
    """Every valid row, grouped by child id, and every reject. Tuples, not dicts, to keep memory low."""

    def __init__(self, result: ImportResult, today: dt.date) -> None:
        self.result = result
        self.header_columns = rows.header_columns(today)
        self.episode_columns = rows.episode_columns(today)
        self.uasc_columns = rows.uasc_columns()
        self.oc2_columns = rows.oc2_columns()
        self.memory: dict[str, list[dict[str, Any]]] = {
            kind: [{} for _ in columns]
            for kind, columns in (
                ("header", self.header_columns),
                ("episodes", self.episode_columns),
                ("uasc", self.uasc_columns),
                ("oc2", self.oc2_columns),
            )
        }
        # child id -> (row, child id, gender, date of birth, ethnicity, UPN, UPN needs correction)
        self.children: dict[str, tuple[Any, ...]] = {}
        self.episodes: dict[str, list[tuple[Any, ...]]] = {}  # child id -> [(row, child id, *EPISODE_FIELDS)]
        self.uasc: dict[str, tuple[Any, ...]] = {}  # child id -> (row, child id, is UASC, date UASC ceased)
        self.sdq: dict[str, tuple[Any, ...]] = {}  # child id -> (row, child id, score, reason)
        self.header_rejected: dict[str, int] = {}  # child id -> row, to explain rejecting its other rows
        self.files: dict[str, str] = {}  # kind -> file name used in the reject report

    def _reject_all(self, rejects: list[Reject], counts: Counts) -> None:
        self.result.rejects.extend(rejects)
        counts.rejected += len(rejects)

    def reject(self, reject: Reject, kind: str) -> None:
        """Reject a row found wrong outside the row parsers (kind: children, episodes, uasc or sdq)."""
        self._reject_all([reject], getattr(self.result, kind))

    def _duplicate(self, file: str, row: int, column: str, reference: str, first_row: int, counts: Counts) -> None:
        rule = f"The child id appears more than once in the file (first on row {first_row}); this row is ignored"
        self._reject_all([Reject(file, row, column, reference, rule)], counts)

    def add_headers(
        self, numbers: list[int], values: list[Sequence[str]], *, file: str, names: Sequence[str] | None = None
    ) -> None:
        counts = self.result.children
        counts.rows += len(numbers)
        good, rejects = rows.parse_rows(
            self.header_columns, values, numbers, file=file, memory=self.memory["header"], names=names
        )
        if rejects:
            self._reject_all(rejects, counts)
            index = {number: i for i, number in enumerate(numbers)}
            for reject in rejects:
                try:
                    reference = rows.parse_reference(values[index[reject.row]][0])
                except FieldProblem:
                    continue
                self.header_rejected.setdefault(reference, reject.row)
        children, column = self.children, (names or rows.HEADER_COLUMN_NAMES)[0]
        for row, reference, gender, dob, ethnicity, raw_upn in good:
            first = children.get(reference)
            if first is not None:
                self._duplicate(file, row, column, reference, first[0], counts)
                continue
            upn, needs_correction, warning = rows.upn_check(raw_upn)
            children[reference] = (row, reference, gender, dob, ethnicity, upn, needs_correction)
            if warning:
                upn_column = (names or rows.HEADER_COLUMN_NAMES)[4]
                self.result.warnings.append(Reject(file, row, upn_column, raw_upn[:100], warning))

    def add_episodes(
        self, numbers: list[int], values: list[Sequence[str]], *, file: str, names: Sequence[str] | None = None
    ) -> None:
        counts = self.result.episodes
        counts.rows += len(numbers)
        good, rejects = rows.parse_rows(
            self.episode_columns,
            values,
            numbers,
            file=file,
            memory=self.memory["episodes"],
            row_rule=rows.episode_rule,
            names=names,
        )
        self._reject_all(rejects, counts)
        children, episodes = self.children, self.episodes
        start_column = (names or rows.EPISODE_COLUMN_NAMES)[1]
        for episode in good:
            reference, start = episode[E_REF], episode[E_START]
            header = children.get(reference)
            if header is not None and start < header[H_DOB]:
                rule = "The episode starts (DECOM) before the child's date of birth"
                self._reject_all([Reject(file, episode[0], start_column, start.strftime("%d/%m/%Y"), rule)], counts)
                continue
            same_child = episodes.get(reference)
            if same_child is None:
                episodes[reference] = [episode]
                continue
            for earlier in same_child:
                if earlier[E_START] == start:
                    rule = (
                        f"The child already has an episode starting on this date (row {earlier[0]}); "
                        "this row is ignored"
                    )
                    self._reject_all([Reject(file, episode[0], start_column, start.strftime("%d/%m/%Y"), rule)], counts)
                    break
            else:
                same_child.append(episode)

    def add_uasc(
        self,
        numbers: list[int],
        values: list[Sequence[str]],
        *,
        file: str,
        names: Sequence[str] | None = None,
        flags: Sequence[bool] | None = None,
    ) -> None:
        """UASC rows (CHILD, DUC). In the XML a child may be marked not UASC: `flags` holds each row's answer."""
        counts = self.result.uasc
        counts.rows += len(numbers)
        good, rejects = rows.parse_rows(
            self.uasc_columns, values, numbers, file=file, memory=self.memory["uasc"], names=names
        )
        self._reject_all(rejects, counts)
        is_uasc = dict(zip(numbers, flags, strict=True)) if flags is not None else {}
        column = (names or rows.UASC_COLUMN_NAMES)[0]
        for row, reference, ceased_on in good:
            first = self.uasc.get(reference)
            if first is not None:
                self._duplicate(file, row, column, reference, first[0], counts)
                continue
            flag = is_uasc.get(row, True)
            self.uasc[reference] = (row, reference, flag, ceased_on if flag else None)

    def add_sdq(
        self, numbers: list[int], values: list[Sequence[str]], *, file: str, names: Sequence[str] | None = None
    ) -> None:
        counts = self.result.sdq
        counts.rows += len(numbers)
        good, rejects = rows.parse_rows(
            self.oc2_columns,
            values,
            numbers,
            file=file,
            memory=self.memory["oc2"],
            row_rule=rows.sdq_rule,
            names=names,
        )
        self._reject_all(rejects, counts)
        column = (names or rows.OC2_COLUMN_NAMES)[0]
        for parsed in good:
            first = self.sdq.get(parsed[1])
            if first is not None:
                self._duplicate(file, parsed[0], column, parsed[1], first[0], counts)
                continue
            self.sdq[parsed[1]] = parsed

    def warn_of_overlaps(self) -> None:
        """Warn (without rejecting) of an episode that starts before the child's previous one in the file ended."""
        xml = "xml" in self.files
        file = self.files.get("episodes") or self.files.get("xml", "")
        column = "EPISODE/DECOM" if xml else "DECOM"
        for episodes in self.episodes.values():
            if len(episodes) < 2:
                continue
            ordered = sorted(episodes, key=lambda e: e[E_START])
            for previous, episode in itertools.pairwise(ordered):
                if previous[E_END] is None or previous[E_END] > episode[E_START]:
                    ended = "is still open" if previous[E_END] is None else f"ends on {previous[E_END]:%d/%m/%Y}"
                    rule = f"Imported, but the child's previous episode (row {previous[0]}) {ended}: check the dates"
                    value = episode[E_START].strftime("%d/%m/%Y")
                    self.result.warnings.append(Reject(file, episode[0], column, value, rule))

    def drop_children_not_on_roll(self) -> set[str]:
        """Reject rows for children neither in the header nor already on the roll; return those on the roll."""
        others = (self.episodes.keys() | self.uasc.keys() | self.sdq.keys()) - self.children.keys()
        on_roll: set[str] = set()
        ordered = sorted(others)
        for start in range(0, len(ordered), BATCH_SIZE):
            chunk = ordered[start : start + BATCH_SIZE]
            on_roll.update(row[0] for row in _fetch(Child, ("social_care_reference",), "social_care_reference", chunk))
        result = self.result
        for reference in sorted(others - on_roll):
            header_row = self.header_rejected.get(reference)
            rule = (
                f"The child's header row (row {header_row}) was rejected and the child is not already on the roll"
                if header_row
                else "The child id is not in the header file and not already on the roll"
            )
            for kind, found, counts in (
                ("episodes", self.episodes.pop(reference, []), result.episodes),
                ("uasc", [self.uasc.pop(reference, None)], result.uasc),
                ("oc2", [self.sdq.pop(reference, None)], result.sdq),
            ):
                column = "HEADER/CHILDID" if "xml" in self.files else "CHILD"
                file = self.files.get(kind) or self.files.get("xml", "")
                rejects = [Reject(file, r[0], column, reference, rule) for r in found if r]
                self._reject_all(rejects, counts)
        return on_roll


def _read_csv_files(parsed: _Parsed, paths: dict[str, Path]) -> None:
    for kind, option, columns, add in (
        ("header", "--header", rows.HEADER_COLUMN_NAMES, parsed.add_headers),
        ("episodes", "--episodes", rows.EPISODE_COLUMN_NAMES, parsed.add_episodes),
        ("uasc", "--uasc", rows.UASC_COLUMN_NAMES, parsed.add_uasc),
        ("oc2", "--oc2", rows.OC2_COLUMN_NAMES, parsed.add_sdq),
    ):
        if kind in paths:
            parsed.files[kind] = paths[kind].name
            for numbers, values in csv_blocks(paths[kind], option, columns):
                add(numbers, values, file=paths[kind].name)


# In the XML a row is the CHILD's position in the file and a column is the element's path.
_XML_HEADER_NAMES = tuple(f"HEADER/{tag}" for tag in XML_HEADER_TAGS)
_XML_EPISODE_NAMES = ("HEADER/CHILDID", *(f"EPISODE/{tag}" for tag in XML_EPISODE_TAGS))
_XML_UASC_NAMES = ("HEADER/CHILDID", "HEADER/DUC")
_XML_SDQ_NAMES = ("HEADER/CHILDID", "HEADER/OC2/SDQ_SCORE", "HEADER/OC2/SDQ_REASON")


class _XmlBlock:
    """CHILD elements gathered into blocks, so their rows are judged as CSV rows are: a column at a time."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.headers: tuple[list[int], list[Sequence[str]]] = ([], [])
        self.episodes: tuple[list[int], list[Sequence[str]]] = ([], [])
        self.uasc: tuple[list[int], list[Sequence[str]]] = ([], [])
        self.uasc_flags: list[bool] = []
        self.sdq: tuple[list[int], list[Sequence[str]]] = ([], [])

    def flush(self, parsed: _Parsed, file: str) -> None:
        # Headers first: an episode is checked against its child's date of birth.
        parsed.add_headers(*self.headers, file=file, names=_XML_HEADER_NAMES)
        parsed.add_episodes(*self.episodes, file=file, names=_XML_EPISODE_NAMES)
        parsed.add_uasc(*self.uasc, file=file, names=_XML_UASC_NAMES, flags=self.uasc_flags)
        parsed.add_sdq(*self.sdq, file=file, names=_XML_SDQ_NAMES)
        self.reset()


def _read_xml_file(parsed: _Parsed, path: Path) -> None:
    file = parsed.files["xml"] = path.name
    block = _XmlBlock()
    for count, child in enumerate(xml_children(path, "--xml"), start=1):
        row, child_id = child.position, child.header[0]
        block.headers[0].append(row)
        block.headers[1].append(child.header)
        for episode in child.episodes:
            block.episodes[0].append(row)
            block.episodes[1].append(episode)
        if child.uasc is not None:
            flag, duc = child.uasc
            if flag not in {"", "0", "1"}:
                parsed.result.uasc.rows += 1
                parsed.reject(Reject(file, row, "HEADER/UASC", flag[:100], "UASC must be 1 (yes) or 0 (no)"), "uasc")
            else:
                block.uasc[0].append(row)
                block.uasc[1].append((child_id, duc))
                block.uasc_flags.append(flag != "0")
        if child.sdq is not None:
            block.sdq[0].append(row)
            block.sdq[1].append((child_id, *child.sdq))
        if count % XML_BLOCK == 0:
            block.flush(parsed, file)
    block.flush(parsed, file)


class _IsoDates(dict[Any, str]):
    """ISO strings of dates, each computed once: 250,000 episodes hold a few thousand distinct dates.

    None maps to COPY's NULL, \\N.
    """

    def __missing__(self, value: dt.date | None) -> str:
        text = self[value] = "\\N" if value is None else value.isoformat()
        return text


_ISO = _IsoDates()


def _json(value: Any) -> Any:
    return _ISO[value] if isinstance(value, dt.date) else value


def _episode_line(values: Sequence[Any]) -> str:
    """A created episode, summarised for the audit event: dates, legal status, placement and reason."""
    start, end = values[0], values[1]
    until = _ISO[end] if end is not None else "open"
    return f"{_ISO[start]} to {until}: LS {values[3]}, placement {values[5]}, RNE {values[2]}"


def _episode_diff(old: Sequence[Any], new: Sequence[Any]) -> list[str]:
    """A changed episode for the audit event: each changed field, before and after."""
    differs = [(name, o, n) for name, o, n in zip(EPISODE_FIELDS, old, new, strict=True) if o != n]
    return [
        ", ".join(f"{name}: {_shown(o)}" for name, o, _ in differs),
        ", ".join(f"{name}: {_shown(n)}" for name, _, n in differs),
    ]


def _shown(value: Any) -> str:
    if value is None or value == "":
        return "(blank)"
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def _sdq_shown(score: int | None, reason: str) -> str:
    return str(score) if score is not None else f"not recorded ({reason})"


class _Writer:
    """Inserts rows given as tuples of field values (in `names` order; other fields take their defaults).

    Every table but the audit events also gets the run's stamps (created and modified, at and by).
    """

    def __init__(self, actor_id: int | None, now: dt.datetime) -> None:
        self.stamp_values = dict(zip(_STAMPS, (now, now, actor_id, actor_id), strict=True))

    def insert(self, model: type[models.Model], names: Sequence[str], values: list[tuple[Any, ...]]) -> list[int]:
        """Insert the rows and return their ids, in order."""
        stamps = self.stamp_values if model is not AuditEvent else {}
        objects = model._default_manager.bulk_create(
            [model(**dict(zip(names, row, strict=True)), **stamps) for row in values]
        )
        return [obj.pk for obj in objects]


# COPY's text format: tab-separated, \N for NULL, backslash escapes. Free text is escaped; codes, ids and
# dates cannot hold a tab, newline or backslash.
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _text(value: str) -> str:
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
        return value.translate(_COPY_ESCAPES)
    return value


_date = _ISO.__getitem__


def _int(value: int | None) -> str:
    return "\\N" if value is None else str(value)


def _bool(value: bool) -> str:
    return "t" if value else "f"


def _column(model: type[models.Model], name: str) -> str:
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field) and field.column, name
    return field.column


class _CopyWriter(_Writer):
    """PostgreSQL: ids drawn from the table's sequence, rows rendered as COPY text and streamed.

    A model instance per row would cost more than the whole import should take, so each table has a renderer
    that turns its tuples into COPY text (the same tuples the ORM writer gets); fields not given are written
    with their model defaults. Rendering is separate from sending: `insert` draws the ids and renders at once,
    on the caller's connection, and queues the text in `pending`; `send` streams what is queued, on the
    connection of the thread that calls it. The import plans and renders one batch while a second connection
    sends the last, so the Python work overlaps the database's.
    """

    def __init__(self, actor_id: int | None, now: dt.datetime) -> None:
        super().__init__(actor_id, now)
        self.stamps = f"{now.isoformat()}\t{now.isoformat()}\t{_int(actor_id)}\t{_int(actor_id)}"
        # Each renderer writes the fields in this order, then the stamps (but for audit events), then the model
        # defaults for the rest.
        self.renderers = {
            Child: (_NEW_CHILD_FIELDS, self.child_text),
            CareEpisode: (("child_id", *EPISODE_FIELDS), self.episode_text),
            SdqScore: (("child_id", *_SDQ_FIELDS), self.sdq_text),
            AuditEvent: (_EVENT_FIELDS, self.event_text),
        }
        self.suffixes: dict[tuple[type[models.Model], tuple[str, ...]], tuple[list[str], str]] = {}
        self.pending: list[tuple[str, str]] = []  # (COPY statement, its text), in the order to send

    # Each renderer takes the rows' ids, their value tuples in its order above and the text of the fields left
    # to their defaults; _text escapes free text, iso[...] is a date's ISO text (or NULL).
    def child_text(self, ids: list[int], rows: list[tuple[Any, ...]], end: str) -> str:
        iso, text, flag, stamps = _ISO, _text, _bool, self.stamps
        return "".join(
            [
                f"{pk}\t{v[0]}\t{text(v[1])}\t{text(v[2])}\t{v[3]}\t{v[4]}\t{iso[v[5]]}\t{v[6]}\t{text(v[7])}\t"
                f"{flag(v[8])}\t{flag(v[9])}\t{iso[v[10]]}\t{iso[v[11]]}\t{iso[v[12]]}\t{stamps}{end}"
                for pk, v in zip(ids, rows, strict=True)
            ]
        )

    def episode_text(self, ids: list[int], rows: list[tuple[Any, ...]], end: str) -> str:
        iso, text, stamps = _ISO, _text, self.stamps
        return "".join(
            [
                f"{pk}\t{v[0]}\t{iso[v[1]]}\t{iso[v[2]]}\t{v[3]}\t{v[4]}\t{v[5]}\t{v[6]}\t{v[7]}\t{v[8]}\t"
                f"{v[9]}\t{text(v[10])}\t{text(v[11])}\t{v[12]}\t{stamps}{end}"
                for pk, v in zip(ids, rows, strict=True)
            ]
        )

    def sdq_text(self, ids: list[int], rows: list[tuple[Any, ...]], end: str) -> str:
        iso, text, stamps = _ISO, _text, self.stamps
        return "".join(
            [
                f"{pk}\t{v[0]}\t{iso[v[1]]}\t{v[2]}\t{_int(v[3])}\t{v[4]}\t{text(v[5])}\t{stamps}{end}"
                for pk, v in zip(ids, rows, strict=True)
            ]
        )

    def event_text(self, ids: list[int], rows: list[tuple[Any, ...]], end: str) -> str:
        text, times = _text, _IsoDates()  # every event of a run has the run's time
        return "".join(
            [
                f"{pk}\t{times[v[0]]}\t{_int(v[1])}\t{text(v[2])}\t{v[3]}\t{v[4]}\t"
                f"{text(v[5])}\t{text(v[6])}\t{_int(v[7])}\t{text(v[8])}\t{text(v[9])}{end}"
                for pk, v in zip(ids, rows, strict=True)
            ]
        )

    def _columns(self, model: type[models.Model], names: Sequence[str]) -> tuple[list[str], str]:
        key = (model, tuple(names))
        if key not in self.suffixes:
            stamped = () if model is AuditEvent else _STAMPS
            given = {*names, *stamped}
            others = [
                f
                for f in model._meta.concrete_fields
                if f.name not in given and f.attname not in given and not f.primary_key
            ]
            columns = ["id", *(_column(model, name) for name in (*names, *stamped))]
            columns.extend(_column(model, f.name) for f in others)
            defaults = [f.get_db_prep_save(f.get_default(), connection) for f in others]
            rendered = ["\\N" if d is None else _bool(d) if isinstance(d, bool) else _text(str(d)) for d in defaults]
            self.suffixes[key] = (columns, "".join(f"\t{d}" for d in rendered))
        return self.suffixes[key]

    def insert(self, model: type[models.Model], names: Sequence[str], values: list[tuple[Any, ...]]) -> list[int]:
        """Draw the rows' ids (on this thread's connection) and queue their COPY text; `send` writes them."""
        if not values:
            return []
        order, render = self.renderers[model]
        if tuple(names) != order:
            raise ValueError(f"COPY into {model._meta.label} renders {order}, not {tuple(names)}")
        columns, suffix = self._columns(model, names)
        table = connection.ops.quote_name(model._meta.db_table)
        quoted = ", ".join(connection.ops.quote_name(column) for column in columns)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [model._meta.db_table, len(values)],
            )
            ids = [row[0] for row in cursor.fetchall()]
        self.pending.append((f"COPY {table} ({quoted}) FROM STDIN", render(ids, values, f"{suffix}\n")))
        return ids

    def take(self) -> list[tuple[str, str]]:
        """What has been rendered since the last take, to send (perhaps from another thread)."""
        pending, self.pending = self.pending, []
        return pending

    @staticmethod
    def send(copies: list[tuple[str, str]]) -> None:
        """Stream rendered COPY text on this thread's connection (inside the caller's transaction)."""
        with connection.cursor() as cursor:
            for statement, text in copies:
                with cursor.cursor.copy(statement) as copy:
                    copy.write(text)


@dataclass
class _Batch:
    """The writes one batch of children needs, gathered before anything is written."""

    new_children: list[tuple[Any, ...]] = field(default_factory=list)  # _NEW_CHILD_FIELDS values
    new_references: list[str] = field(default_factory=list)
    new_changes: list[dict[str, Any]] = field(default_factory=list)
    changed_children: list[tuple[int, tuple[Any, ...]]] = field(default_factory=list)  # (id, CHILD_FIELDS values)
    new_episodes: list[tuple[Any, ...]] = field(default_factory=list)  # (child id, *EPISODE_FIELDS values)
    changed_episodes: list[tuple[int, int, tuple[Any, ...]]] = field(default_factory=list)  # (id, child id, values)
    new_sdq: list[tuple[Any, ...]] = field(default_factory=list)  # (child id, score, reason)
    changed_sdq: list[tuple[int, Any, Any]] = field(default_factory=list)  # (id, score, reason)
    events: list[tuple[int, str, bool, dict[str, Any]]] = field(default_factory=list)  # (id, repr, new?, changes)
    copies: list[tuple[str, str]] = field(default_factory=list)  # rendered COPY text (PostgreSQL), to send


@dataclass
class _Stored:
    """A batch's children as the database holds them, to compare with the files."""

    children: dict[str, tuple[Any, ...]] = field(default_factory=dict)  # reference -> (id, *CHILD_FIELDS, names)
    episodes: dict[int, dict[dt.date, tuple[Any, ...]]] = field(default_factory=dict)  # child id -> start -> row
    sdq: dict[int, tuple[Any, ...]] = field(default_factory=dict)  # child id -> this collection's carer score


class _Importer:
    def __init__(self, parsed: _Parsed, *, actor: Any, recorded_on: dt.date, dry_run: bool, batch_size: int):
        self.parsed = parsed
        self.result = parsed.result
        self.actor = actor if getattr(actor, "pk", None) else None
        self.actor_id = self.actor.pk if self.actor is not None else None
        self.recorded_on = recorded_on
        self.dry_run = dry_run
        self.batch_size = batch_size
        self.now = timezone.now()
        writer = _CopyWriter if connection.vendor == "postgresql" else _Writer
        self.writer = writer(self.actor_id, self.now)
        self.sdq_key = f"strengths_and_difficulties_score {recorded_on.isoformat()} (carer)"

    def batches(self, on_roll: set[str]) -> Iterator[list[str]]:
        references = list(self.parsed.children)
        references.extend(sorted(on_roll - self.parsed.children.keys()))
        for start in range(0, len(references), self.batch_size):
            yield references[start : start + self.batch_size]

    def run(self, on_roll: set[str]) -> None:
        batches = list(self.batches(on_roll))
        if self.dry_run:
            for references in batches:
                reset_queries()  # with DEBUG on, Django would otherwise keep every statement in memory
                self.plan(references)
        elif connection.vendor == "postgresql" and not connection.in_atomic_block:
            self.run_pipelined(batches)
        else:
            for number, references in enumerate(batches, start=1):
                reset_queries()
                with transaction.atomic():
                    self.commit_batch(self.prepare(references), last=number == len(batches))

    def prepare(self, references: list[str], stored: _Stored | None = None) -> _Batch:
        """Plan a batch and stage its inserts: on PostgreSQL ids are drawn and COPY text rendered, unsent."""
        batch = self.plan(references, stored)
        self.stage(batch)
        if isinstance(self.writer, _CopyWriter):
            batch.copies = self.writer.take()
        return batch

    def commit_batch(self, batch: _Batch, *, last: bool) -> None:
        """Write one prepared batch (inside the caller's transaction); the run's own event goes with the last."""
        self.apply(batch)
        if last and self.result.changed_anything:
            self.write_import_event()

    def run_pipelined(self, batches: list[list[str]]) -> None:
        """Plan and render the next batch while PostgreSQL writes the last one, on a second connection.

        A third connection reads what the database holds for the batch after, so that an unchanged re-import,
        which writes nothing, does not wait on its reads either.

        The database does half the work of a first import (indexes, foreign-key checks) and Python the other
        half (judging, planning, rendering COPY text). The writing thread only sends text and waits, so it
        holds Python's lock for little of the time and the two halves overlap. Each batch still commits on its
        own, in order.
        Used only when the caller holds no transaction, as the command does: a second connection could not
        see (or join) a caller's uncommitted work.
        """
        queue: Queue[tuple[_Batch, bool] | None] = Queue(maxsize=1)
        failures: list[BaseException] = []

        def write_batches() -> None:
            try:
                while (item := queue.get()) is not None:
                    reset_queries()
                    with transaction.atomic():
                        self.commit_batch(item[0], last=item[1])
            except BaseException as exc:  # handed to the planning thread, which raises it
                failures.append(exc)
                while queue.get() is not None:  # let the planner finish putting
                    pass
            finally:
                connections.close_all()  # this thread's own connection

        writer = threading.Thread(target=write_batches, name="import_903 writer", daemon=True)
        writer.start()
        # A third connection reads the next batch's stored rows while this thread compares the current one.
        fetcher = ThreadPoolExecutor(max_workers=1, thread_name_prefix="import_903 reader")
        try:
            upcoming = fetcher.submit(self.fetch, batches[0]) if batches else None
            for number, references in enumerate(batches, start=1):
                if failures:
                    break
                reset_queries()
                assert upcoming is not None
                stored = upcoming.result()
                upcoming = fetcher.submit(self.fetch, batches[number]) if number < len(batches) else None
                queue.put((self.prepare(references, stored), number == len(batches)))
        finally:
            queue.put(None)
            if upcoming is not None:
                upcoming.cancel()
            fetcher.submit(connections.close_all).result()  # the reader's own connection
            fetcher.shutdown()
            writer.join()
        if failures:
            raise failures[0]

    # Planning: compare the files with the database, one query per table per batch.
    def fetch(self, references: list[str]) -> _Stored:
        """What the database holds for a batch's children: one query per table, however many children."""
        parsed, stored = self.parsed, _Stored()
        child_fields = ("social_care_reference", "id", *CHILD_FIELDS, "first_name", "preferred_name", "last_name")
        stored.children = {row[0]: row[1:] for row in _fetch(Child, child_fields, "social_care_reference", references)}
        ids = [row[0] for row in stored.children.values()]
        if ids:
            episodes = stored.episodes
            for episode in _fetch(CareEpisode, ("id", "child_id", *EPISODE_FIELDS), "child_id", ids):
                episodes.setdefault(episode[1], {})[episode[2]] = episode
            if any(reference in parsed.sdq for reference in references):
                sdq_fields = (
                    "id",
                    "child_id",
                    "total_score",
                    "reason_not_recorded",
                    "source",
                    "recorded_on",
                    "respondent",
                    "emotional_score",
                )
                carer = SdqScore.Respondent.CARER.value
                # (id, child id, score, reason, source, recorded in full here?)
                stored.sdq = {
                    row[1]: (*row[:5], row[7] is not None)
                    for row in _fetch(SdqScore, sdq_fields, "child_id", ids)
                    if row[5] == self.recorded_on and row[6] == carer
                }
        return stored

    def plan(self, references: list[str], stored: _Stored | None = None) -> _Batch:
        """Compare a batch's rows in the files with what the database holds (fetched now unless given)."""
        parsed, batch = self.parsed, _Batch()
        if stored is None:
            stored = self.fetch(references)
        existing, stored_episodes, stored_sdq = stored.children, stored.episodes, stored.sdq
        for reference in references:
            row = existing.get(reference)
            if row is not None:
                self.plan_existing_child(batch, reference, row, stored_episodes.get(row[0], {}), stored_sdq)
            elif reference in parsed.children:
                self.plan_new_child(batch, reference)
            # else: removed from the roll since the files were read; nothing to attach its rows to.
        return batch

    def plan_new_child(self, batch: _Batch, reference: str) -> None:
        # Called once per new child (100,000 in a large first import), so written for speed.
        parsed, result, iso = self.parsed, self.result, _ISO
        _row, _reference, gender, dob, ethnicity, upn, needs_correction = parsed.children[reference]
        episodes = parsed.episodes.get(reference, ())
        uasc = parsed.uasc.get(reference)
        is_uasc, ceased_on = (uasc[2], uasc[3]) if uasc is not None else (False, None)
        if len(episodes) == 1:
            poc = first = episodes[0][E_START]
        elif episodes:
            poc = period_of_care_start([(e[E_START], e[E_END], e[E_RNE]) for e in episodes])
            first = min([e[E_START] for e in episodes])
        else:
            poc = first = None
        last_name = placeholder_last_name(reference)
        values = (gender, dob, ethnicity, upn, needs_correction, is_uasc, ceased_on, poc, first)
        batch.new_children.append((reference, PLACEHOLDER_FIRST_NAME, last_name, Cohort.LOOKED_AFTER.value, *values))
        batch.new_references.append(reference)
        # The placeholder names are in the event's object_repr; the changes are the 903's own fields, those
        # with a value, in CHILD_FIELDS order.
        changes: dict[str, Any] = {"social_care_reference": [None, reference]}
        for name, value in zip(CHILD_FIELDS, values, strict=True):
            if value is None or value == "" or value is False:
                continue
            changes[name] = [None, iso[value] if isinstance(value, dt.date) else value]
        if episodes:
            # _episode_line, on the parsed tuple itself (start, end, RNE, legal status and placement type).
            lines = [
                f"{iso[e[2]]} to {'open' if e[3] is None else iso[e[3]]}: LS {e[5]}, placement {e[7]}, RNE {e[4]}"
                for e in episodes
            ]
            changes["care_episodes_added"] = [None, "; ".join(lines)]
            result.episodes.created += len(episodes)
        result.children.created += 1
        if uasc is not None:
            result.uasc.created += 1
        sdq = parsed.sdq.get(reference)
        if sdq is not None:
            result.sdq.created += 1
            changes[self.sdq_key] = [None, _sdq_shown(sdq[2], sdq[3])]
        batch.new_changes.append(changes)

    def plan_existing_child(
        self,
        batch: _Batch,
        reference: str,
        row: tuple[Any, ...],
        stored: dict[dt.date, tuple[Any, ...]],
        stored_sdq: dict[int, tuple[Any, ...]],
    ) -> None:
        parsed, result = self.parsed, self.result
        child_id = row[0]
        before = row[1 : 1 + len(CHILD_FIELDS)]
        after = list(before)
        header = parsed.children.get(reference)
        if header is not None:
            after[_GENDER : _UPN_FLAG + 1] = header[2:7]
        uasc = parsed.uasc.get(reference)
        if uasc is not None:
            after[_UASC], after[_UASC_CEASED] = uasc[2], uasc[3]
        changes: dict[str, Any] = {}

        episodes_changed = False
        added: list[str] = []
        matched = 0
        merged = {start: (old[3], old[4]) for start, old in stored.items()}  # start -> (end, RNE)
        for episode in parsed.episodes.get(reference, ()):
            start, new = episode[E_START], episode[2:]
            old = stored.get(start)
            if old is None:
                result.episodes.created += 1
                episodes_changed = True
                batch.new_episodes.append((child_id, *new))
                added.append(_episode_line(new))
            else:
                matched += 1
                if old[2:] == new:
                    result.episodes.unchanged += 1
                    continue
                result.episodes.updated += 1
                episodes_changed = True
                batch.changed_episodes.append((old[0], child_id, new))
                changes[f"care_episode {start.isoformat()}"] = _episode_diff(old[2:], new)
            merged[start] = (episode[E_END], episode[E_RNE])
        if added:
            changes["care_episodes_added"] = [None, "; ".join(added)]
        result.episodes_in_database_not_in_file += len(stored) - matched
        if episodes_changed:
            periods = [(start, end, rne) for start, (end, rne) in merged.items()]
            after[_POC] = period_of_care_start(periods)
            earliest = min(merged)
            if after[_FIRST] is None or earliest < after[_FIRST]:
                after[_FIRST] = earliest

        sdq = parsed.sdq.get(reference)
        if sdq is not None:
            old_sdq = stored_sdq.get(child_id)
            if old_sdq is None:
                result.sdq.created += 1
                batch.new_sdq.append((child_id, sdq[2], sdq[3]))
                changes[self.sdq_key] = [None, _sdq_shown(sdq[2], sdq[3])]
            elif old_sdq[5]:
                # A carer's questionnaire recorded in full on that date is the better record: keep it as it is,
                # and say so when the return's total disagrees with it.
                if (old_sdq[2], old_sdq[3]) == (sdq[2], sdq[3]):
                    result.sdq.unchanged += 1
                else:
                    self.reject_sdq_conflict(sdq, old_sdq[2])
            elif old_sdq[2:5] != (sdq[2], sdq[3], SDQ_SOURCE):
                result.sdq.updated += 1
                batch.changed_sdq.append((old_sdq[0], sdq[2], sdq[3]))
                changes[self.sdq_key] = [_sdq_shown(old_sdq[2], old_sdq[3]), _sdq_shown(sdq[2], sdq[3])]
            else:
                result.sdq.unchanged += 1

        new_values = tuple(after)
        if uasc is not None:
            if before[_UASC : _UASC_CEASED + 1] != new_values[_UASC : _UASC_CEASED + 1]:
                result.uasc.updated += 1
            else:
                result.uasc.unchanged += 1
        if new_values != before:
            for name, old_value, new_value in zip(CHILD_FIELDS, before, new_values, strict=True):
                if old_value != new_value:
                    changes[name] = [_json(old_value), _json(new_value)]
            batch.changed_children.append((child_id, new_values))
        if header is not None:
            if changes:
                result.children.updated += 1
            else:
                result.children.unchanged += 1
        if changes:
            first_name, preferred_name, last_name = row[-3:]
            batch.events.append((child_id, f"{preferred_name or first_name} {last_name}", False, changes))

    def reject_sdq_conflict(self, sdq: tuple[Any, ...], recorded_total: int) -> None:
        files = self.parsed.files
        xml = "xml" in files
        rule = (
            f"A carer's SDQ recorded in full for {self.recorded_on:%d/%m/%Y} has a total of {recorded_total}: "
            "correct the return or that SDQ, so that they agree"
        )
        value = str(sdq[2]) if sdq[2] is not None else sdq[3]
        column = "HEADER/OC2/SDQ_SCORE" if xml else "SDQ_SCORE"
        self.parsed.reject(Reject(files.get("oc2") or files.get("xml", ""), sdq[0], column, value, rule), "sdq")

    # Writing: a handful of bulk statements per batch, then the audit events, all in the batch's transaction.
    def stage(self, batch: _Batch) -> None:
        """Insert (or, on PostgreSQL, render for inserting) the batch's new rows and its audit events."""
        parsed, writer = self.parsed, self.writer
        if batch.new_children:
            ids = writer.insert(Child, _NEW_CHILD_FIELDS, batch.new_children)
            episodes, sdq_scores, none = parsed.episodes, parsed.sdq, ()
            pairs = list(zip(ids, batch.new_references, strict=True))
            batch.new_episodes.extend([(child_id, *e[2:]) for child_id, ref in pairs for e in episodes.get(ref, none)])
            if sdq_scores:
                batch.new_sdq.extend(
                    [(child_id, sdq[2], sdq[3]) for child_id, ref in pairs if (sdq := sdq_scores.get(ref)) is not None]
                )
            batch.events.extend(
                [
                    (child_id, f"{PLACEHOLDER_FIRST_NAME} {values[2]}", True, changes)
                    for child_id, values, changes in zip(ids, batch.new_children, batch.new_changes, strict=True)
                ]
            )
        if batch.new_episodes:
            writer.insert(CareEpisode, ("child_id", *EPISODE_FIELDS), batch.new_episodes)
        if batch.new_sdq:
            carer = SdqScore.Respondent.CARER.value
            writer.insert(
                SdqScore,
                ("child_id", *_SDQ_FIELDS),
                [(c, self.recorded_on, carer, score, reason, SDQ_SOURCE) for c, score, reason in batch.new_sdq],
            )
        self.write_events(batch.events)

    def apply(self, batch: _Batch) -> None:
        """Update the batch's changed rows and send its rendered inserts (inside the caller's transaction)."""
        now, actor_id = self.now, self.actor_id
        if batch.changed_children:
            Child.objects.bulk_update(
                [
                    Child(id=i, **dict(zip(CHILD_FIELDS, v, strict=True)), modified_at=now, modified_by_id=actor_id)
                    for i, v in batch.changed_children
                ],
                [*CHILD_FIELDS, "modified_at", "modified_by"],
            )
        if batch.changed_episodes:
            CareEpisode.objects.bulk_update(
                [
                    CareEpisode(
                        id=i,
                        child_id=c,
                        **dict(zip(EPISODE_FIELDS, v, strict=True)),
                        modified_at=now,
                        modified_by_id=actor_id,
                    )
                    for i, c, v in batch.changed_episodes
                ],
                [*_EPISODE_UPDATE_FIELDS, "modified_at", "modified_by"],
            )
        if batch.changed_sdq:
            SdqScore.objects.bulk_update(
                [
                    SdqScore(
                        id=i,
                        total_score=s,
                        reason_not_recorded=r,
                        source=SDQ_SOURCE,
                        modified_at=now,
                        modified_by_id=actor_id,
                    )
                    for i, s, r in batch.changed_sdq
                ],
                ["total_score", "reason_not_recorded", "source", "modified_at", "modified_by"],
            )
        if batch.copies:
            _CopyWriter.send(batch.copies)

    def write_events(self, events: list[tuple[int, str, bool, dict[str, Any]]]) -> None:
        """One create or update event per child, built from audit.build_event's fields for this actor."""
        if not events:
            return
        template = audit.build_event(
            actor=self.actor,
            action="",
            object_type="children.child",
            context={"source": "import_903"},
            occurred_at=self.now,
        )
        create, update = AuditEvent.Action.CREATE.value, AuditEvent.Action.UPDATE.value
        values = [
            (
                template.occurred_at,
                template.actor_id,
                template.actor_label,
                create if created else update,
                template.object_type,
                str(child_id),
                label[:255],
                child_id,
                changes,
                template.context,
            )
            for child_id, label, created, changes in events
        ]
        if isinstance(self.writer, _CopyWriter):
            # orjson writes the same JSON as json.dumps, several times faster (100,000 events a first import).
            context, dumps = json.dumps(template.context), orjson.dumps
            rows = [(*v[:8], dumps(v[8]).decode(), context) for v in values]
            self.writer.insert(AuditEvent, _EVENT_FIELDS, rows)
        else:
            AuditEvent.objects.bulk_create(
                [
                    audit.build_event(
                        actor=self.actor,
                        action=v[3],
                        object_type=v[4],
                        object_id=v[5],
                        object_repr=v[6],
                        child_id=v[7],
                        changes=v[8],
                        context=v[9],
                        occurred_at=self.now,
                    )
                    for v in values
                ]
            )
        self.result.audit_events += len(values)

    def write_import_event(self) -> None:
        summary = self.result.as_dict()
        summary.pop("audit_events")
        audit.build_event(
            actor=self.actor,
            action=AuditEvent.Action.IMPORT,
            object_type="children.child",
            object_repr="SSDA903 import",
            context=summary,
            occurred_at=self.now,
        ).save(force_insert=True)
        self.result.audit_events += 1


def ssda903_import(
    *,
    actor: Any,
    system: bool = False,
    header: Path | None = None,
    episodes: Path | None = None,
    uasc: Path | None = None,
    oc2: Path | None = None,
    xml: Path | None = None,
    collection_year_end: dt.date | None = None,
    dry_run: bool = False,
    batch_size: int = BATCH_SIZE,
    today: dt.date | None = None,
) -> ImportResult:
    """Create and update children, care episodes, UASC status and SDQ scores from an SSDA903 return.

    Raises UnusableInput (nothing written) when a file cannot be used at all; a bad row is only rejected.
    """
    if system:
        if actor is not None:
            raise ValueError("A system import acts as nobody: pass actor=None with system=True.")
    else:
        require(actor, "children.import_903")
    if xml is not None and (header or episodes or uasc or oc2):
        raise UnusableInput("Give either --xml, or the CSV files (--header and --episodes), not both.")
    if xml is None and (header is None or episodes is None):
        raise UnusableInput("Give --header and --episodes (CSV), or --xml.")
    today = today or timezone.localdate()
    recorded_on = collection_year_end or most_recent_31_march(today)
    paths = {
        kind: Path(path)
        for kind, path in (("header", header), ("episodes", episodes), ("uasc", uasc), ("oc2", oc2), ("xml", xml))
        if path is not None
    }
    result = ImportResult(dry_run=dry_run, files={kind: path.name for kind, path in paths.items()})
    # Hundreds of thousands of small tuples and no reference cycles: the cyclic collector only costs time here.
    collecting = gc.isenabled()
    gc.disable()
    try:
        parsed = _Parsed(result, today)
        if xml is not None:
            _read_xml_file(parsed, paths["xml"])
        else:
            _read_csv_files(parsed, paths)
        on_roll = parsed.drop_children_not_on_roll()
        parsed.warn_of_overlaps()
        order = {name: n for n, name in enumerate(result.files.values())}
        result.rejects.sort(key=lambda r: (order.get(r.file, 99), r.row))
        result.warnings.sort(key=lambda r: (order.get(r.file, 99), r.row))
        importer = _Importer(parsed, actor=actor, recorded_on=recorded_on, dry_run=dry_run, batch_size=batch_size)
        importer.run(on_roll)
    finally:
        if collecting:
            gc.enable()
    return result
