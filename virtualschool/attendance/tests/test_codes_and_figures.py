from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
import yaml

from virtualschool.attendance import codes
from virtualschool.attendance.figures import Counts, counts_of_codes, split_period

SCHEMA = Path("/work/shared/data/schemas/school-census/school_census_schema_2025.diff.yml")
if not SCHEMA.exists():  # the repository's copy of the shared data, when run elsewhere
    SCHEMA = (
        Path(__file__).resolve().parents[4] / "shared/data/schemas/school-census/school_census_schema_2025.diff.yml"
    )

P, A, AU, UN, X = "present", "aea", "authorised", "unauthorised", "not_possible"
EXPECTED = {
    "/": P, "\\": P, "L": P,
    "K": A, "V": A, "P": A, "W": A, "B": A,
    "D": X,
    "C1": AU, "M": AU, "J1": AU, "S": AU, "C2": AU, "C": AU, "T": AU, "R": AU, "I": AU, "E": AU,
    "X": X, "Q": X, "Y1": X, "Y2": X, "Y3": X, "Y4": X, "Y5": X, "Y6": X, "Y7": X, "Z": X, "#": X,
    "G": UN, "N": UN, "O": UN, "U": UN,
    "H": AU, "J": AU,
}  # fmt: skip


@pytest.mark.parametrize("code,klass", sorted(EXPECTED.items()))
def test_every_code_is_classified_as_the_dfe_guidance_counts_it(code: str, klass: str) -> None:
    assert codes.classify(code).value == klass


def test_the_table_is_exactly_the_census_code_list() -> None:
    if not SCHEMA.exists():
        pytest.skip("census schema not available")
    text = SCHEMA.read_text()
    data = yaml.safe_load(text)

    def find(node: object) -> list[dict[str, str]] | None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "column_map.termlysessiondetailsonroll.attendancereason":
                    return value["value"]["category"]
                found = find(value)
                if found is not None:
                    return found
        return None

    found = find(data)
    assert found is not None
    census = {entry["code"] for entry in found}
    assert census == set(codes.CODE_BY_VALUE) == set(EXPECTED)
    assert re.search("Update codes for 2025", text)


def test_codes_are_read_in_any_case_and_withdrawn_codes_are_flagged() -> None:
    assert codes.classify(" c1 ") is codes.MarkClass.AUTHORISED
    assert codes.CODE_BY_VALUE["H"].withdrawn and not codes.CODE_BY_VALUE["I"].withdrawn
    with pytest.raises(KeyError):
        codes.classify("F")


def test_percentages_against_a_hand_worked_example() -> None:
    # 20 sessions: 13 present, 1 late, 2 off-site (B), 2 ill, 1 N, 1 X (not possible).
    # Possible = 19; attended = 16 -> 84.2 %; authorised 2/19 = 10.5 %; unauthorised 1/19 = 5.3 %;
    # overall absence 3/19 = 15.8 %: persistent (>= 10 %), not severe.
    counts = counts_of_codes(["/"] * 7 + ["\\"] * 6 + ["L", "B", "B", "I", "I", "N", "X"])
    assert (counts.possible, counts.attended, counts.absent, counts.not_possible) == (19, 16, 3, 1)
    assert counts.attendance_percent == 84.2
    assert counts.authorised_percent == 10.5
    assert counts.unauthorised_percent == 5.3
    assert counts.absence_percent == 15.8
    assert counts.is_persistent_absence() and not counts.is_severe_absence()


def test_the_thresholds_are_inclusive_and_unrounded() -> None:
    # Exactly 10 % missed is persistent; exactly 50 % is severe; 9.9 % is neither.
    assert Counts(present=9, authorised=1).is_persistent_absence()
    assert Counts(present=5, unauthorised=5).is_severe_absence()
    assert not Counts(present=901, authorised=99).is_persistent_absence()
    assert Counts().attendance_percent is None and not Counts().is_persistent_absence()
    assert Counts(not_possible=4).possible == 0


def test_a_period_splits_into_the_fewest_summary_rows_and_marks() -> None:
    today = dt.date(2026, 11, 20)
    year = split_period(dt.date(2026, 9, 1), today, today)
    assert (year.years, year.months, year.days) == ([(2026, 1)], [], [])
    weeks = split_period(dt.date(2026, 10, 24), today, today)  # 24 to 31 October is shorter than 1 to 23
    assert weeks.months == [(dt.date(2026, 11, 1), 1)]
    assert weeks.days == [(dt.date(2026, 10, 24), dt.date(2026, 10, 31), 1)]
    past = split_period(dt.date(2025, 9, 3), dt.date(2025, 12, 19), today)
    assert past.years == []
    assert past.months == [(dt.date(2025, m, 1), 1) for m in (9, 10, 11, 12)]
    assert past.days == [
        (dt.date(2025, 9, 1), dt.date(2025, 9, 2), -1),
        (dt.date(2025, 12, 20), dt.date(2025, 12, 31), -1),
    ]
    three = split_period(dt.date(2023, 12, 4), today, today)
    # 2023/24 is read as the year less September to November and 1 to 3 December: fewer rows than its months.
    assert three.years == [(2023, 1), (2024, 1), (2025, 1), (2026, 1)]
    assert three.months == [(dt.date(2023, m, 1), -1) for m in (9, 10, 11)]
    assert three.days == [(dt.date(2023, 12, 1), dt.date(2023, 12, 3), -1)]
    inside = split_period(dt.date(2026, 10, 5), dt.date(2026, 10, 9), today)
    assert (inside.months, inside.days) == ([], [(dt.date(2026, 10, 5), dt.date(2026, 10, 9), 1)])
