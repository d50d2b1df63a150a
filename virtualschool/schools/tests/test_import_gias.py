"""Loading the GIAS 'all establishment data' extract into the school register."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from hypothesis import given
from hypothesis import strategies as st

from virtualschool.accounts.models import Role
from virtualschool.core.models import AuditEvent
from virtualschool.core.services import policy_update
from virtualschool.schools.importers import gias_import
from virtualschool.schools.importers.gias import parse_gias_date
from virtualschool.schools.models import OfstedRating, School
from virtualschool.schools.selectors import school_search

# A slice of the real extract's header, in its published order (the real one has about 130 columns).
HEADER = [
    "URN", "LA (code)", "LA (name)", "EstablishmentNumber", "EstablishmentName", "TypeOfEstablishment (code)",
    "TypeOfEstablishment (name)", "EstablishmentStatus (code)", "EstablishmentStatus (name)", "OpenDate",
    "PhaseOfEducation (code)", "PhaseOfEducation (name)", "StatutoryLowAge", "StatutoryHighAge",
    "NumberOfPupils", "OfstedLastInsp", "LastChangedDate", "Street", "Town", "Postcode", "SchoolWebsite",
    "HeadFirstName", "HeadLastName", "GOR (name)", "OfstedRating (name)", "Country (name)", "UPRN",
]  # fmt: skip


def school_row(**values: str) -> dict[str, str]:
    row = {
        "URN": "100001",
        "LA (code)": "999",
        "LA (name)": "Exemplar",
        "EstablishmentNumber": "2001",
        "EstablishmentName": "Fernbrook Primary School",
        "TypeOfEstablishment (code)": "01",
        "TypeOfEstablishment (name)": "Community school",
        "EstablishmentStatus (code)": "1",
        "EstablishmentStatus (name)": "Open",
        "OpenDate": "",
        "PhaseOfEducation (code)": "2",
        "PhaseOfEducation (name)": "Primary",
        "StatutoryLowAge": "4",
        "StatutoryHighAge": "11",
        "NumberOfPupils": "210",
        "OfstedLastInsp": "14-06-2022",
        "LastChangedDate": "01-09-2024",
        "Street": "School Lane",
        "Town": "Fernbrook",
        "Postcode": "ZZ1 1AB",
        "SchoolWebsite": "",
        "HeadFirstName": "Sam",
        "HeadLastName": "Example",
        "GOR (name)": "South West",
        "OfstedRating (name)": "Good",
        "Country (name)": "United Kingdom",
        "UPRN": "",
    }
    row.update(values)
    return row


def write_gias(path: Path, rows: list[dict[str, str]], *, header: list[str] = HEADER, encoding: str = "cp1252") -> Path:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(column, "") for column in header])
    path.write_bytes(out.getvalue().encode(encoding))
    return path


FIXTURE_ROWS = [
    school_row(),
    school_row(
        URN="100002",
        EstablishmentNumber="4001",
        EstablishmentName="St Mary’s Catholic High School",  # the curly apostrophe is byte 0x92 in CP1252
        **{
            "LA (code)": "835",
            "LA (name)": "Another Authority",
            "TypeOfEstablishment (name)": "Academy converter",
            "PhaseOfEducation (name)": "Secondary",
            "OfstedRating (name)": "Special Measures",
            "OfstedLastInsp": "05/03/2019",
        },
    ),
    school_row(
        URN="100003",
        EstablishmentNumber="7002",
        EstablishmentName="Brontë Fields Academy",
        **{"OfstedRating (name)": "Requires improvement", "OfstedLastInsp": "", "Postcode": "zz9  9zz"},
    ),
    school_row(
        URN="100004",
        EstablishmentNumber="1100",
        EstablishmentName="Ashbourne Nursery School",
        **{"OfstedRating (name)": "", "OfstedLastInsp": "", "PhaseOfEducation (name)": "Nursery"},
    ),
]


@pytest.fixture
def gias_file(tmp_path: Path) -> Path:
    return write_gias(tmp_path / "edubasealldata20261101.csv", FIXTURE_ROWS)


def run(*args: str) -> dict[str, Any]:
    out = io.StringIO()
    call_command("import_gias", *args, "--json", stdout=out)
    return json.loads(out.getvalue())


def test_first_import_creates_schools_with_dfe_numbers_and_ofsted_judgements(db: Any, gias_file: Path) -> None:
    summary = run(str(gias_file))

    assert (summary["created"], summary["updated"], summary["unchanged"], summary["rejected"]) == (4, 0, 0, 0)
    assert summary["encoding"] == "cp1252"
    st_marys = School.objects.get(urn=100002)
    assert st_marys.name == "St Mary’s Catholic High School"
    assert st_marys.dfe_number == "8354001"
    assert st_marys.la_name == "Another Authority"
    assert st_marys.phase == "Secondary"
    assert st_marys.type_name == "Academy converter"
    assert st_marys.ofsted_rating == OfstedRating.INADEQUATE
    assert st_marys.ofsted_last_inspected == dt.date(2019, 3, 5)
    fernbrook = School.objects.get(urn=100001)
    assert fernbrook.dfe_number == "9992001"
    assert fernbrook.ofsted_rating == OfstedRating.GOOD
    assert fernbrook.ofsted_last_inspected == dt.date(2022, 6, 14)
    assert School.objects.get(urn=100003).ofsted_rating == OfstedRating.REQUIRES_IMPROVEMENT
    assert School.objects.get(urn=100003).postcode == "ZZ9 9ZZ"
    assert School.objects.get(urn=100004).ofsted_rating == OfstedRating.NOT_INSPECTED


def test_each_created_school_and_the_run_are_audited_as_the_system(db: Any, gias_file: Path) -> None:
    run(str(gias_file), "--system")

    created = AuditEvent.objects.filter(action=AuditEvent.Action.CREATE, object_type="schools.school")
    assert created.count() == 4
    event = created.get(object_id=str(School.objects.get(urn=100002).pk))
    assert event.actor_label == "system"
    assert event.changes["name"] == [None, "St Mary’s Catholic High School"]
    assert event.changes["ofsted_last_inspected"] == [None, "2019-03-05"]
    summary_event = AuditEvent.objects.get(action=AuditEvent.Action.IMPORT)
    assert summary_event.context["created"] == 4
    assert summary_event.context["file"] == "edubasealldata20261101.csv"


def test_running_the_same_file_again_changes_nothing(db: Any, gias_file: Path) -> None:
    run(str(gias_file))
    before = list(School.objects.order_by("urn").values())
    events_before = AuditEvent.objects.exclude(action=AuditEvent.Action.IMPORT).count()

    summary = run(str(gias_file))

    assert (summary["created"], summary["updated"], summary["unchanged"], summary["rejected"]) == (0, 0, 4, 0)
    assert list(School.objects.order_by("urn").values()) == before
    assert AuditEvent.objects.exclude(action=AuditEvent.Action.IMPORT).count() == events_before
    assert AuditEvent.objects.filter(action=AuditEvent.Action.IMPORT).count() == 2


def test_a_renamed_school_is_updated_and_audited_with_before_and_after(
    db: Any, gias_file: Path, tmp_path: Path
) -> None:
    run(str(gias_file))
    rows = [dict(r) for r in FIXTURE_ROWS]
    rows[0]["EstablishmentName"] = "Fernbrook Church of England Primary School"
    rows[0]["OfstedRating (name)"] = "Outstanding"
    changed = write_gias(tmp_path / "next-month.csv", rows)

    summary = run(str(changed))

    assert (summary["created"], summary["updated"], summary["unchanged"]) == (0, 1, 3)
    school = School.objects.get(urn=100001)
    assert school.name == "Fernbrook Church of England Primary School"
    assert school.ofsted_rating == OfstedRating.OUTSTANDING
    event = AuditEvent.objects.get(action=AuditEvent.Action.UPDATE, object_id=str(school.pk))
    assert event.changes == {
        "name": ["Fernbrook Primary School", "Fernbrook Church of England Primary School"],
        "ofsted_rating": ["good", "outstanding"],
    }


def test_bad_rows_are_rejected_with_file_row_column_value_and_rule(db: Any, tmp_path: Path) -> None:
    rows = [
        school_row(),  # row 2
        school_row(URN="10000A"),  # row 3
        school_row(URN="100001", EstablishmentName="Copy Of Fernbrook"),  # row 4
        school_row(URN="100005", EstablishmentName=""),  # row 5
        school_row(URN="100006", **{"LA (code)": "99"}),  # row 6
        school_row(URN="100007", OfstedLastInsp="31-02-2020"),  # row 7
        school_row(URN="100008", EstablishmentNumber="12345"),  # row 8
        school_row(URN="100009", EstablishmentName="Larkstone Academy"),  # row 9
    ]
    path = write_gias(tmp_path / "gias.csv", rows)

    summary = run(str(path))

    assert summary["created"] == 2
    assert summary["rejected"] == 6
    rejects = {(r["row"], r["column"]): r for r in summary["rejects"]}
    assert rejects[(3, "URN")]["value"] == "10000A"
    assert "whole number" in rejects[(3, "URN")]["rule"]
    assert rejects[(4, "URN")]["rule"] == "duplicate URN in file (first on row 2)"
    assert rejects[(5, "EstablishmentName")]["rule"] == "EstablishmentName is required"
    assert "three digits" in rejects[(6, "LA (code)")]["rule"]
    assert rejects[(7, "OfstedLastInsp")]["value"] == "31-02-2020"
    assert "DD-MM-YYYY" in rejects[(7, "OfstedLastInsp")]["rule"]
    assert "four digits" in rejects[(8, "EstablishmentNumber")]["rule"]
    assert all(r["file"] == "gias.csv" for r in summary["rejects"])
    assert set(School.objects.values_list("urn", flat=True)) == {100001, 100009}
    assert School.objects.get(urn=100001).name == "Fernbrook Primary School"


def test_a_row_broken_by_an_unquoted_comma_is_rejected_not_misread(db: Any, tmp_path: Path) -> None:
    path = tmp_path / "gias.csv"
    good = ",".join(school_row()[c] for c in HEADER)
    broken = good.replace("100001", "100002").replace("Fernbrook Primary School", "Oakhurst, Primary School")
    path.write_bytes(f"{','.join(HEADER)}\n{good}\n{broken}\n".encode("cp1252"))

    summary = run(str(path))

    assert summary["created"] == 1
    assert summary["rejects"][0]["row"] == 3
    assert "not in quotes" in summary["rejects"][0]["rule"]


def test_a_file_without_a_urn_column_stops_with_status_2_and_writes_nothing(db: Any, tmp_path: Path) -> None:
    header = [c for c in HEADER if c != "URN"]
    path = write_gias(tmp_path / "no-urn.csv", FIXTURE_ROWS, header=header)

    with pytest.raises(CommandError) as excinfo:
        call_command("import_gias", str(path))

    assert excinfo.value.returncode == 2
    assert "'URN'" in str(excinfo.value)
    assert not School.objects.exists()
    assert not AuditEvent.objects.filter(object_type="schools.school").exists()


def test_a_missing_file_stops_with_status_2(db: Any, tmp_path: Path) -> None:
    with pytest.raises(CommandError) as excinfo:
        call_command("import_gias", str(tmp_path / "nowhere.csv"))
    assert excinfo.value.returncode == 2
    assert "no file" in str(excinfo.value)


def test_utf8_with_a_byte_order_mark_is_read_as_well_as_cp1252(db: Any, tmp_path: Path) -> None:
    path = tmp_path / "saved-from-excel.csv"
    write_gias(path, FIXTURE_ROWS, encoding="utf-8-sig")

    summary = run(str(path))

    assert summary["encoding"] == "utf-8-sig"
    assert School.objects.get(urn=100002).name == "St Mary’s Catholic High School"


def test_a_dry_run_reports_without_saving(db: Any, gias_file: Path) -> None:
    summary = run(str(gias_file), "--dry-run")

    assert summary["dry_run"] is True
    assert summary["created"] == 4
    assert not School.objects.exists()
    assert not AuditEvent.objects.exists()


def test_the_text_report_lists_counts_and_rejects(db: Any, tmp_path: Path) -> None:
    path = write_gias(tmp_path / "gias.csv", [school_row(), school_row(URN="x")])
    out = io.StringIO()

    call_command("import_gias", str(path), stdout=out)

    text = out.getvalue()
    assert "created        1" in text
    assert "rejected       1" in text
    assert "gias.csv,3,URN,x," in text


def test_schools_are_in_or_out_of_area_by_the_policy_la_code(world: Any, gias_file: Path) -> None:
    policy_update(actor=world.admin, la_code="835")

    summary = run(str(gias_file))

    assert summary["in_area"] == 1
    assert summary["home_la_code"] == "835"
    st_marys, fernbrook = School.objects.get(urn=100002), School.objects.get(urn=100001)
    assert st_marys.is_in_area("835") and not fernbrook.is_in_area("835")
    imported = School.objects.filter(urn__in=[100001, 100002, 100003, 100004])
    in_area = school_search(user=world.lead, in_area=True, home_la_code="835").filter(pk__in=imported)
    out_of_area = school_search(user=world.lead, in_area=False, home_la_code="835").filter(pk__in=imported)
    assert list(in_area.values_list("urn", flat=True)) == [100002]
    assert set(out_of_area.values_list("urn", flat=True)) == {100001, 100003, 100004}


def test_an_import_by_a_named_user_is_recorded_against_them(world: Any, gias_file: Path) -> None:
    run(str(gias_file), "--user", "data")

    event = AuditEvent.objects.get(action=AuditEvent.Action.IMPORT)
    assert event.actor == world.data
    assert School.objects.get(urn=100001).created_by == world.data


def test_someone_without_the_import_permission_is_refused(world: Any, gias_file: Path) -> None:
    with pytest.raises(CommandError, match="permission"):
        call_command("import_gias", str(gias_file), "--user", "sw_a")
    with pytest.raises(PermissionDenied):
        gias_import(actor=world.dt_a, path=gias_file)
    assert not School.objects.filter(urn=100001).exists()
    assert world.sw_a.role == Role.SOCIAL_WORKER


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_gias_dates_read_back_whichever_separator_is_used(day: dt.date) -> None:
    assert parse_gias_date(day.strftime("%d-%m-%Y")) == day
    assert parse_gias_date(day.strftime("%d/%m/%Y")) == day
    assert parse_gias_date(day.isoformat()) == day


@given(st.text(max_size=12))
def test_any_text_is_a_date_blank_or_a_value_error(text: str) -> None:
    try:
        result = parse_gias_date(text)
    except ValueError:
        return
    assert result is None or isinstance(result, dt.date)
