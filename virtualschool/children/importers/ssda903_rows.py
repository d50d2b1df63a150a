"""Judging SSDA903 rows: every value is parsed by one cell parser, every row becomes a tuple or a Reject.

The rules live in the cell parsers (`parse_date`, `parse_reference`, the code lists …), each of which returns a
value or raises FieldProblem. `parse_rows` applies them column by column to a block of rows, remembering the
answer for values that recur (codes, dates), which keeps 250,000 episodes to a second or two; the single-row
parsers (`parse_episode_row` …) are that same function on a block of one, so a row is judged the same way
whichever way it comes. Parsed rows are plain tuples: at 250,000 rows a dict per row costs too much memory.
"""

from __future__ import annotations

import datetime as dt
import operator
import re
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

from virtualschool.children import codes
from virtualschool.children.models import upn_problem
from virtualschool.children.services import normalise_upn

MAX_REFERENCE_LENGTH = 20  # Child.social_care_reference
MAX_UPN_LENGTH = 13
MAX_POSTCODE_LENGTH = 10
MAX_URN_LENGTH = 10
MAX_VALUE_IN_REPORT = 100
EARLIEST_DATE = dt.date(1900, 1, 1)


class Reject(NamedTuple):
    """Why a row was not imported: file, row (the header is row 1), column, value and the rule it broke."""

    file: str
    row: int
    column: str
    value: str
    rule: str


class FieldProblem(Exception):
    """A value broke a rule; `rule` says what is wrong in words a data officer can act on."""

    def __init__(self, rule: str) -> None:
        super().__init__(rule)
        self.rule = rule


class _Bad(NamedTuple):
    """A remembered FieldProblem, so a bad value seen again is judged without raising."""

    rule: str


# Cell parsers. Each takes the text of one cell and returns a value or raises FieldProblem (nothing else).
_REFERENCE = re.compile(r"[A-Za-z0-9][A-Za-z0-9/_-]*", re.ASCII)
_DMY = re.compile(r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})", re.ASCII)
_ISO = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})", re.ASCII)
_SCORE = re.compile(r"[0-9]{1,3}(?:\.0*)?", re.ASCII)
_URNS = re.compile(r"[A-Za-z0-9]*", re.ASCII)


def parse_date(text: str) -> dt.date | None:
    """DD/MM/YYYY (or YYYY-MM-DD) to a date; blank is None."""
    text = text.strip()
    if not text:
        return None
    match = _DMY.fullmatch(text)
    if match:
        day, month, year = int(match[1]), int(match[2]), int(match[3])
    else:
        match = _ISO.fullmatch(text)
        if not match:
            raise FieldProblem("Not a date: write it as DD/MM/YYYY")
        year, month, day = int(match[1]), int(match[2]), int(match[3])
    try:
        value = dt.date(year, month, day)
    except ValueError:
        raise FieldProblem("Not a real date: check the day and month (DD/MM/YYYY)") from None
    if value < EARLIEST_DATE:
        raise FieldProblem("The date is before 1900: check the year")
    return value


def parse_reference(text: str) -> str:
    """The child's id in the social care system (CHILD, or CHILDID in the XML)."""
    value = text.strip()
    if not value:
        raise FieldProblem("The child id is missing")
    if len(value) > MAX_REFERENCE_LENGTH:
        raise FieldProblem(f"The child id is longer than {MAX_REFERENCE_LENGTH} characters")
    if not _REFERENCE.fullmatch(value):
        raise FieldProblem("The child id may hold only letters, digits, '-', '_' and '/'")
    return value


def date_parser(what: str, *, required: bool, today: dt.date | None) -> Callable[[str], dt.date | None]:
    """A parser for a date column; `today` set means the date may not be in the future."""

    def parse(text: str) -> dt.date | None:
        value = parse_date(text)
        if value is None:
            if required:
                raise FieldProblem(f"{what} is missing")
            return None
        if today is not None and value > today:
            raise FieldProblem(f"{what} is in the future")
        return value

    return parse


def code_parser(code_list: dict[str, str], name: str, *, required: bool) -> Callable[[str], str]:
    """A parser for a coded column: the code list's own key is returned, so rows share one string per code."""
    canonical = {code: code for code in code_list}

    def parse(text: str) -> str:
        value = text.strip().upper()
        if not value:
            if required:
                raise FieldProblem(f"{name} is missing")
            return ""
        code = canonical.get(value)
        if code is None:
            raise FieldProblem(f"{name} '{value[:10]}' is not in the SSDA903 code list")
        return code

    return parse


def parse_sex(text: str) -> str:
    gender = codes.SSDA903_SEX.get(text.strip().upper())
    if gender is None:
        raise FieldProblem("SEX must be 1 or 2 (before 2025), or M, F or U (from 2025)")
    return gender


def parse_upn(text: str) -> str:
    """The UPN as services store it. Its check letter is judged later: a bad UPN never rejects a row."""
    return normalise_upn(text)


def parse_postcode(text: str) -> str:
    value = " ".join(text.upper().split())
    if len(value) > MAX_POSTCODE_LENGTH:
        raise FieldProblem(f"A postcode is at most {MAX_POSTCODE_LENGTH} characters")
    return value


_UNTIDY_SPACE = re.compile(r"\s\s|[^\S ]")


def _postcodes(texts: Sequence[str]) -> list[str] | None:
    # All-or-nothing fast path, the same answer as parse_postcode for postcodes with single spaces inside.
    values = list(map(str.upper, map(str.strip, texts)))
    if max(map(len, values), default=0) <= MAX_POSTCODE_LENGTH and not _UNTIDY_SPACE.search("|".join(values)):
        return values
    return None


def parse_urn(text: str) -> str:
    value = text.strip()
    if len(value) > MAX_URN_LENGTH or not _URNS.fullmatch(value):
        raise FieldProblem(f"URN must be letters and digits, at most {MAX_URN_LENGTH} characters")
    return value


def _urns(texts: Sequence[str]) -> list[str] | None:
    values = list(map(str.strip, texts))
    if max(map(len, values), default=0) <= MAX_URN_LENGTH and _URNS.fullmatch("".join(values)):
        return values
    return None


def parse_sdq_score(text: str) -> int | None:
    text = text.strip()
    if not text:
        return None
    if not _SCORE.fullmatch(text):
        raise FieldProblem("SDQ_SCORE must be a whole number from 0 to 40")
    score = int(text.split(".", 1)[0])
    if score > 40:
        raise FieldProblem("SDQ_SCORE must be from 0 to 40")
    return score


class Column(NamedTuple):
    """How to read one column: its name in the file, its cell parser, and whether answers are remembered."""

    name: str
    parse: Callable[[str], Any]
    remember: bool = True  # worth it where values recur (codes, dates); not for ids or postcodes
    bulk: Callable[[Sequence[str]], list[Any] | None] | None = None  # optional all-or-nothing fast path


RowRule = Callable[[tuple[Any, ...]], tuple[int, str] | None]  # (column index, rule) when a parsed row breaks it


def parse_rows(
    columns: Sequence[Column],
    rows: Sequence[Sequence[str]],
    numbers: Sequence[int],
    *,
    file: str,
    memory: list[dict[str, Any]] | None = None,
    row_rule: RowRule | None = None,
    names: Sequence[str] | None = None,
) -> tuple[list[tuple[Any, ...]], list[Reject]]:
    """Parse a block of rows column by column: ((row number, *values) for good rows, rejects). Never raises.

    A row is rejected for the first column (in `columns` order) whose value breaks a rule, then for `row_rule`.
    `memory` (one dict per column, kept between blocks) remembers the parsers' answers for recurring values.
    """
    if memory is None:
        memory = [{} for _ in columns]
    names = names or [column.name for column in columns]
    count = len(rows)
    first_problem: dict[int, tuple[int, str]] = {}  # row index -> (column index, rule)
    parsed_columns: list[list[Any]] = []
    if count and min(map(len, rows)) >= len(columns):
        by_column: list[Sequence[str]] = list(zip(*rows, strict=False))
    else:
        by_column = [[row[p] if p < len(row) else "" for row in rows] for p in range(len(columns))]
    for position, column in enumerate(columns):
        texts = by_column[position]
        values: list[Any] | None = None
        problems: list[tuple[int, str]] = []
        if column.remember:
            known = memory[position]
            distinct = set(texts)
            for text in distinct - known.keys():
                try:
                    known[text] = column.parse(text)
                except FieldProblem as problem:
                    known[text] = _Bad(problem.rule)
            values = list(map(known.__getitem__, texts))
            bad = {text for text in distinct if type(known[text]) is _Bad}
            if bad:
                problems = [(i, known[text].rule) for i, text in enumerate(texts) if text in bad]
        else:
            if column.bulk is not None:
                values = column.bulk(texts)
            if values is None:
                values = []
                for i, text in enumerate(texts):
                    try:
                        values.append(column.parse(text))
                    except FieldProblem as problem:
                        values.append(None)
                        problems.append((i, problem.rule))
        for i, rule in problems:
            first_problem.setdefault(i, (position, rule))
        parsed_columns.append(values)
    parsed = list(zip(numbers, *parsed_columns, strict=True)) if count else []
    if row_rule is not None:
        for i, parsed_row in enumerate(parsed):
            if i not in first_problem:
                broken = row_rule(parsed_row)
                if broken is not None:
                    first_problem[i] = broken
    rejects = [
        Reject(file, numbers[i], names[position], _report(rows[i], position), rule)
        for i, (position, rule) in sorted(first_problem.items())
    ]
    good = [values for i, values in enumerate(parsed) if i not in first_problem] if first_problem else parsed
    return good, rejects


def _report(row: Sequence[str], position: int) -> str:
    return (row[position] if position < len(row) else "")[:MAX_VALUE_IN_REPORT]


# What each kind of row holds. Parsed tuples are (row number, *the columns' values) in this order.
HEADER_COLUMN_NAMES = ("CHILD", "SEX", "DOB", "ETHNIC", "UPN")
EPISODE_COLUMN_NAMES = ("CHILD", "DECOM", "DEC", "RNE", "LS", "CIN", "PLACE", "PLACE_PROVIDER", "REC",
                        "REASON_PLACE_CHANGE", "HOME_POST", "PL_POST", "URN")  # fmt: skip
UASC_COLUMN_NAMES = ("CHILD", "DUC")
OC2_COLUMN_NAMES = ("CHILD", "SDQ_SCORE", "SDQ_REASON")
# The CareEpisode fields, in the order of the episode tuple after (row number, child id).
EPISODE_FIELDS = ("start_date", "end_date", "reason_new_episode", "legal_status", "category_of_need",
                  "placement_type", "placement_provider", "reason_ended", "reason_place_change", "home_postcode",
                  "placement_postcode", "placement_urn")  # fmt: skip
# Positions in the parsed tuples.
H_ROW, H_REF, H_GENDER, H_DOB, H_ETHNICITY, H_UPN = range(6)
E_ROW, E_REF, E_START, E_END, E_RNE = range(5)
U_ROW, U_REF, U_CEASED = range(3)
S_ROW, S_REF, S_SCORE, S_REASON = range(4)


def header_columns(today: dt.date) -> tuple[Column, ...]:
    return (
        Column("CHILD", parse_reference, remember=False),
        Column("SEX", parse_sex),
        Column("DOB", date_parser("The date of birth", required=True, today=today)),
        Column("ETHNIC", code_parser(codes.ETHNICITY, "ETHNIC", required=True)),
        Column("UPN", parse_upn, remember=False),
    )


def episode_columns(today: dt.date) -> tuple[Column, ...]:
    return (
        Column("CHILD", parse_reference),
        Column("DECOM", date_parser("The episode start date (DECOM)", required=True, today=today)),
        Column("DEC", date_parser("The episode end date (DEC)", required=False, today=today)),
        Column("RNE", code_parser(codes.REASON_NEW_EPISODE, "RNE", required=True)),
        Column("LS", code_parser(codes.LEGAL_STATUS, "LS", required=True)),
        Column("CIN", code_parser(codes.CATEGORY_OF_NEED, "CIN", required=True)),
        Column("PLACE", code_parser(codes.PLACEMENT_TYPE, "PLACE", required=True)),
        Column("PLACE_PROVIDER", code_parser(codes.PLACEMENT_PROVIDER, "PLACE_PROVIDER", required=False)),
        Column("REC", code_parser(codes.REASON_EPISODE_CEASED, "REC", required=False)),
        Column("REASON_PLACE_CHANGE", code_parser(codes.REASON_PLACE_CHANGE, "REASON_PLACE_CHANGE", required=False)),
        Column("HOME_POST", parse_postcode, remember=False, bulk=_postcodes),
        Column("PL_POST", parse_postcode, remember=False, bulk=_postcodes),
        Column("URN", parse_urn, remember=False, bulk=_urns),
    )


def episode_rule(values: tuple[Any, ...]) -> tuple[int, str] | None:
    end = values[E_END]
    if end is not None and end < values[E_START]:
        return 2, "The episode ends (DEC) before it starts (DECOM)"
    return None


def uasc_columns() -> tuple[Column, ...]:
    # DUC, the date UASC status ceases, is usually the 18th birthday: it may be in the future.
    return (Column("CHILD", parse_reference), Column("DUC", date_parser("DUC", required=False, today=None)))


def oc2_columns() -> tuple[Column, ...]:
    return (
        Column("CHILD", parse_reference),
        Column("SDQ_SCORE", parse_sdq_score),
        Column("SDQ_REASON", code_parser(codes.SDQ_REASON, "SDQ_REASON", required=False)),
    )


def sdq_rule(values: tuple[Any, ...]) -> tuple[int, str] | None:
    if values[S_SCORE] is None and not values[S_REASON]:
        return 1, "Neither SDQ_SCORE nor SDQ_REASON is given: give the score, or why there is none"
    return None


def upn_check(upn: str) -> tuple[str, bool, str]:
    """(UPN to store, needs correction?, warning). A UPN too long to store is dropped, flagged and warned of."""
    if len(upn) > MAX_UPN_LENGTH:
        return "", True, f"UPN is longer than {MAX_UPN_LENGTH} characters: the child is imported without it"
    return upn, upn_needs_correction(upn), ""


# The UPN rule is children.models.upn_problem (python-stdnum). Checking 100,000 UPNs through it takes over a
# second, so a UPN of the usual shape whose check letter is right is taken as valid here, once upn_problem has
# accepted a UPN with the same LA number; anything else is judged by upn_problem itself.
_UPN_ALPHABET = "ABCDEFGHJKLMNPQRTUVWXYZ0123456789"  # stdnum.gb.upn's check-letter alphabet
_UPN_VALUES = {character: index for index, character in enumerate(_UPN_ALPHABET)}
_UPN_SHAPE = re.compile(r"[ABCDEFGHJKLMNPQRTUVWXYZ0-9][0-9]{11}[ABCDEFGHJKLMNPQRTUVWXYZ0-9]", re.ASCII)
_UPN_WEIGHTS = range(2, 14)
_accepted_la_numbers: set[str] = set()


def upn_needs_correction(upn: str) -> bool:
    """bool(upn_problem(upn)) for a normalised UPN, quickly for the common valid case."""
    if _UPN_SHAPE.fullmatch(upn):
        check = sum(map(operator.mul, _UPN_WEIGHTS, map(_UPN_VALUES.__getitem__, upn[1:]))) % 23
        if _UPN_ALPHABET[check] == upn[0] and upn[1:4] in _accepted_la_numbers:
            return False
    problem = bool(upn_problem(upn))
    if not problem and _UPN_SHAPE.fullmatch(upn):
        _accepted_la_numbers.add(upn[1:4])
    return problem


def _one(
    columns: Sequence[Column], values: Sequence[str], *, file: str, row: int, row_rule: RowRule | None = None
) -> tuple[Any, ...] | Reject:
    good, rejects = parse_rows(columns, [values], [row], file=file, row_rule=row_rule)
    return good[0] if good else rejects[0]


def parse_header_row(values: Sequence[str], *, file: str, row: int, today: dt.date) -> tuple[Any, ...] | Reject:
    """One header row (CHILD, SEX, DOB, ETHNIC, UPN): (row, child id, gender, date of birth, ethnicity, UPN)."""
    return _one(header_columns(today), values, file=file, row=row)


def parse_episode_row(values: Sequence[str], *, file: str, row: int, today: dt.date) -> tuple[Any, ...] | Reject:
    """One episode (EPISODE_COLUMN_NAMES order): (row, child id, *EPISODE_FIELDS values) or a Reject."""
    return _one(episode_columns(today), values, file=file, row=row, row_rule=episode_rule)


def parse_uasc_row(values: Sequence[str], *, file: str, row: int) -> tuple[Any, ...] | Reject:
    """One UASC row (CHILD, DUC): (row, child id, date UASC ceased) or a Reject."""
    return _one(uasc_columns(), values, file=file, row=row)


def parse_sdq_row(values: Sequence[str], *, file: str, row: int) -> tuple[Any, ...] | Reject:
    """One OC2 row (CHILD, SDQ_SCORE, SDQ_REASON): (row, child id, score, reason) or a Reject."""
    return _one(oc2_columns(), values, file=file, row=row, row_rule=sdq_rule)
