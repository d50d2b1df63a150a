"""import_903: children and care episodes from an SSDA903 return, matched by child id."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command, execute_from_command_line
from django.core.management.base import CommandError
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from stdnum.gb import upn as stdnum_upn

from virtualschool.children.importers import ssda903, ssda903_rows
from virtualschool.children.importers.ssda903_rows import FieldProblem, Reject
from virtualschool.children.models import CareEpisode, Child, SdqScore, upn_problem
from virtualschool.children.tests.factories import CareEpisodeFactory, ChildFactory
from virtualschool.core.models import AuditEvent

CORPUS = Path("/work/shared/data/ssda903-synthetic")
if not CORPUS.exists():  # the shared data sits beside the project in a checkout
    CORPUS = Path(__file__).resolve().parents[4] / "shared" / "data" / "ssda903-synthetic"
DATA = Path(__file__).resolve().parent / "data" / "ssda903"
TODAY = dt.date(2026, 11, 25)
needs_corpus = pytest.mark.skipif(not CORPUS.exists(), reason="the shared SSDA903 corpus is not on this machine")


def run(*args: str, user: Any = None) -> dict[str, Any]:
    """Run the command with --json and return its summary."""
    out = io.StringIO()
    actor = ["--user", user.username] if user is not None else ["--system"]
    call_command("import_903", *actor, *args, "--json", stdout=out)
    return json.loads(out.getvalue())


def fixture_files(*names: str) -> list[str]:
    options = {"header": "--header", "episodes": "--episodes", "uasc": "--uasc", "oc2": "--oc2"}
    args: list[str] = []
    for name in names:
        args += [options[name], str(DATA / f"{name}.csv")]
    return args


def corpus_files() -> list[str]:
    return [
        "--header",
        str(CORPUS / "header.csv"),
        "--episodes",
        str(CORPUS / "episodes.csv"),
        "--uasc",
        str(CORPUS / "uasc.csv"),
        "--oc2",
        str(CORPUS / "oc2.csv"),
    ]


def accounted_for(counts: dict[str, int]) -> bool:
    return counts["created"] + counts["updated"] + counts["unchanged"] + counts["rejected"] == counts["rows"]


# The shared synthetic corpus (data-to-insight's test files): every row imported or rejected, nothing crashes.
@needs_corpus
@pytest.mark.django_db
def test_shared_corpus_csv_files_import_every_row_or_reject_it(world):
    summary = run(*corpus_files(), user=world.data)

    for section in ("children", "episodes", "uasc", "sdq"):
        assert accounted_for(summary[section]), section
    assert summary["children"]["rows"] == 2675
    assert summary["episodes"]["rows"] == 5050
    assert Child.objects.filter(social_care_reference="566910").exists()
    assert (
        CareEpisode.objects.exclude(child__in=[world.child_a, world.child_b]).count()
        == (summary["episodes"]["created"])
    )
    assert SdqScore.objects.filter(source="SSDA903 OC2").count() == summary["sdq"]["created"]
    assert Child.objects.filter(uasc=True).count() == summary["uasc"]["created"]
    assert summary["audit_events"] == summary["children"]["created"] + 1


@needs_corpus
@pytest.mark.django_db
def test_shared_corpus_xml_imports_every_row_or_rejects_it(world):
    summary = run("--xml", str(CORPUS / "fake_903.xml"), user=world.data)

    for section in ("children", "episodes", "uasc", "sdq"):
        assert accounted_for(summary[section]), section
    assert summary["children"]["rows"] == 253
    assert summary["episodes"]["rows"] == 459
    child = Child.objects.get(social_care_reference="907440")
    assert child.date_of_birth == dt.date(2010, 7, 28)
    assert child.gender == "F"
    first = child.care_episodes.order_by("start_date").first()
    assert (first.start_date, first.legal_status, first.placement_type) == (dt.date(2017, 1, 6), "J3", "R5")
    assert child.sdq_scores.get().total_score == 21


@needs_corpus
@pytest.mark.django_db
def test_reimporting_the_same_files_changes_nothing_and_writes_no_audit_event(world):
    run(*corpus_files(), user=world.data)
    events = AuditEvent.objects.count()

    again = run(*corpus_files(), user=world.data)

    assert again["children"]["unchanged"] == again["children"]["rows"] - again["children"]["rejected"]
    assert again["episodes"]["unchanged"] == again["episodes"]["rows"] - again["episodes"]["rejected"]
    assert again["sdq"]["unchanged"] == again["sdq"]["rows"] - again["sdq"]["rejected"]
    assert again["uasc"]["unchanged"] == again["uasc"]["rows"] - again["uasc"]["rejected"]
    assert all(again[s]["created"] == again[s]["updated"] == 0 for s in ("children", "episodes", "uasc", "sdq"))
    assert again["audit_events"] == 0
    assert AuditEvent.objects.count() == events


@needs_corpus
@pytest.mark.django_db
def test_reimporting_the_xml_changes_nothing(world):
    run("--xml", str(CORPUS / "fake_903.xml"), user=world.data)
    again = run("--xml", str(CORPUS / "fake_903.xml"), user=world.data)
    assert again["children"]["unchanged"] == 253
    assert again["audit_events"] == 0


CORPUS_FILES = sorted(p.name for p in CORPUS.glob("*")) if CORPUS.exists() else []


@needs_corpus
@pytest.mark.django_db
@pytest.mark.parametrize("name", [n for n in CORPUS_FILES if n not in {"header.csv", "LICENSE"}])
def test_another_file_given_as_the_header_is_refused_naming_the_missing_columns(world, name):
    with pytest.raises(CommandError) as refused:
        run("--header", str(CORPUS / name), "--episodes", str(CORPUS / "episodes.csv"), user=world.data)
    assert refused.value.returncode == 2
    assert "missing the column(s)" in str(refused.value)
    assert "ETHNIC" in str(refused.value)
    assert Child.objects.count() == 2  # the world's two children: nothing written


@needs_corpus
@pytest.mark.django_db
@pytest.mark.parametrize("name", [n for n in CORPUS_FILES if n not in {"episodes.csv", "LICENSE"}])
def test_another_file_given_as_the_episodes_is_refused_and_nothing_is_written(world, name):
    with pytest.raises(CommandError) as refused:
        run("--header", str(CORPUS / "header.csv"), "--episodes", str(CORPUS / name), user=world.data)
    assert refused.value.returncode == 2
    assert "DECOM" in str(refused.value)
    assert Child.objects.count() == 2
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.IMPORT).exists()


# The small fixture set: every rule, with the row it catches.
@pytest.mark.django_db
def test_fixture_files_import_the_good_rows_and_reject_each_bad_one_with_its_reason(world, tmp_path):
    rejects_file = tmp_path / "rejects.csv"
    out = io.StringIO()
    call_command(
        "import_903",
        "--user",
        world.data.username,
        *fixture_files("header", "episodes", "uasc", "oc2"),
        "--rejects",
        str(rejects_file),
        "--collection-year-end",
        "2026-03-31",
        stdout=out,
    )

    with rejects_file.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    found = {(r["file"], int(r["row"]), r["column"]): r["rule"] for r in rows}
    assert list(rows[0]) == ["file", "row", "column", "value", "rule"]
    expected = {
        ("header.csv", 7, "CHILD"): "The child id is missing",
        ("header.csv", 8, "SEX"): "SEX must be",
        ("header.csv", 9, "DOB"): "Not a real date",
        ("header.csv", 10, "DOB"): "in the future",
        ("header.csv", 11, "ETHNIC"): "not in the SSDA903 code list",
        ("header.csv", 12, "CHILD"): "more than once in the file (first on row 2)",
        ("episodes.csv", 6, "DECOM"): "already has an episode starting on this date (row 2)",
        ("episodes.csv", 7, "DEC"): "ends (DEC) before it starts",
        ("episodes.csv", 8, "CHILD"): "not in the header file and not already on the roll",
        ("episodes.csv", 9, "CHILD"): "header row (row 8) was rejected",
        ("episodes.csv", 10, "LS"): "LS 'XX' is not in the SSDA903 code list",
        ("episodes.csv", 11, "DECOM"): "before the child's date of birth",
        ("uasc.csv", 3, "CHILD"): "not in the header file",
        ("oc2.csv", 4, "SDQ_SCORE"): "from 0 to 40",
        ("oc2.csv", 5, "SDQ_SCORE"): "Neither SDQ_SCORE nor SDQ_REASON",
    }
    assert set(found) == set(expected)
    for key, rule in expected.items():
        assert rule in found[key], key

    assert set(Child.objects.values_list("social_care_reference", flat=True)) >= {
        "T001",
        "T002",
        "T003",
        "T004",
        "T009",
    }
    report = out.getvalue()
    assert "Rejected rows (15)" in report
    assert "header.csv row 9, DOB '31/02/2014'" in report


@pytest.mark.django_db
def test_a_new_child_gets_placeholder_names_and_the_903_fields(world):
    run(*fixture_files("header", "episodes", "uasc", "oc2"), "--collection-year-end", "2026-03-31", user=world.data)

    t002 = Child.objects.get(social_care_reference="T002")
    assert (t002.first_name, t002.last_name) == ("Unknown", "Child T002")
    assert (t002.gender, t002.date_of_birth, t002.ethnicity) == ("M", dt.date(2012, 9, 1), "BAFR")
    assert (t002.upn, t002.upn_needs_correction) == ("P835000012345", False)
    assert (t002.uasc, t002.uasc_ceased_on) == (True, dt.date(2030, 9, 1))
    assert t002.cohort == "cla"
    episode = t002.care_episodes.get()
    assert (episode.end_date, episode.reason_ended, episode.placement_urn) == (dt.date(2023, 6, 1), "E4A", "SC123456")
    sdq = SdqScore.objects.get(child__social_care_reference="T001")
    assert (sdq.total_score, sdq.recorded_on, sdq.respondent, sdq.source) == (
        12,
        dt.date(2026, 3, 31),
        "carer",
        "SSDA903 OC2",
    )
    assert SdqScore.objects.get(child=t002).reason_not_recorded == "SDQ1"
    t009 = Child.objects.get(social_care_reference="T009")
    assert (t009.gender, t009.ethnicity, t009.upn) == ("F", "WBRI", "A801123456780")
    assert Child.objects.get(social_care_reference="T004").upn == "UN2"
    assert CareEpisode.objects.get(child__social_care_reference="T003").placement_type == "Z11"
    # Everything the 903 does not hold keeps its default, as a child added through the service would.
    assert (t002.sen_status, t002.neet, t002.english_additional_language, t002.closed_on) == ("N", False, None, None)
    assert (t002.carer_name, t002.allocated_lead, t002.created_by) == ("", None, world.data)


@pytest.mark.django_db
def test_period_of_care_dates_follow_the_imported_episodes(world):
    run(*fixture_files("header", "episodes"), user=world.data)

    t001 = Child.objects.get(social_care_reference="T001")
    assert t001.period_of_care_start == dt.date(2024, 1, 8)  # the P episode continues the same period
    assert t001.date_first_entered_care == dt.date(2024, 1, 8)
    t004 = Child.objects.get(social_care_reference="T004")
    assert t004.period_of_care_start == dt.date(2024, 2, 1)


@pytest.mark.django_db
def test_an_invalid_upn_is_imported_and_flagged_for_correction(world):
    run(*fixture_files("header", "episodes"), user=world.data)

    t003 = Child.objects.get(social_care_reference="T003")
    assert t003.upn == "A801123456781"
    assert t003.upn_needs_correction is True
    assert Child.objects.get(social_care_reference="T004").upn_needs_correction is False  # UN2: unknown, valid


@pytest.mark.django_db
def test_a_changed_date_of_birth_updates_the_child_and_audits_before_and_after(world, tmp_path):
    run(*fixture_files("header", "episodes"), user=world.data)
    changed = tmp_path / "header.csv"
    changed.write_text(
        (DATA / "header.csv").read_text(encoding="utf-8-sig").replace("T002,M,2012-09-01", "T002,M,2012-09-02")
    )

    summary = run("--header", str(changed), *fixture_files("episodes"), user=world.data)

    assert summary["children"]["updated"] == 1
    t002 = Child.objects.get(social_care_reference="T002")
    assert t002.date_of_birth == dt.date(2012, 9, 2)
    event = AuditEvent.objects.get(child_id=t002.pk, action=AuditEvent.Action.UPDATE)
    assert event.changes == {"date_of_birth": ["2012-09-01", "2012-09-02"]}
    assert event.actor == world.data
    assert AuditEvent.objects.filter(action=AuditEvent.Action.IMPORT).count() == 2


@pytest.mark.django_db
def test_names_carers_and_allocations_people_typed_survive_a_reimport(world):
    run(*fixture_files("header", "episodes"), user=world.data)
    Child.objects.filter(social_care_reference="T001").update(
        first_name="Amara", last_name="Testperson", carer_name="A Fostercarer", allocated_lead=world.lead
    )

    summary = run(*fixture_files("header", "episodes"), user=world.data)

    t001 = Child.objects.get(social_care_reference="T001")
    assert (t001.first_name, t001.last_name, t001.carer_name) == ("Amara", "Testperson", "A Fostercarer")
    assert t001.allocated_lead == world.lead
    assert summary["children"]["updated"] == 0


@pytest.mark.django_db
def test_an_existing_child_is_matched_by_social_care_reference_and_keeps_its_record(world):
    child = ChildFactory(social_care_reference="T001", first_name="Zara", gender="U", date_of_birth=dt.date(2014, 3, 1))
    CareEpisodeFactory(child=child, start_date=dt.date(2020, 1, 1), legal_status="C1")

    summary = run(*fixture_files("header", "episodes"), user=world.data)

    child.refresh_from_db()
    assert summary["children"]["updated"] == 1
    assert (child.first_name, child.gender, child.date_of_birth) == ("Zara", "F", dt.date(2014, 3, 14))
    # The episode on the roll but not in the file is left alone, and counted.
    assert child.care_episodes.filter(start_date=dt.date(2020, 1, 1)).exists()
    assert child.care_episodes.count() == 3
    assert summary["episodes"]["in_database_not_in_file"] == 1
    event = AuditEvent.objects.get(child_id=child.pk, action=AuditEvent.Action.UPDATE)
    assert event.changes["gender"] == ["U", "F"]
    assert "2024-01-08 to 2024-03-01: LS C2, placement U1" in event.changes["care_episodes_added"][1]


@pytest.mark.django_db
def test_a_changed_episode_is_updated_and_its_fields_audited(world, tmp_path):
    run(*fixture_files("header", "episodes"), user=world.data)
    episodes = tmp_path / "episodes.csv"
    before, after = "T001,01/03/2024,P,C2,N1,U4,PR1,,,", "T001,01/03/2024,P,C2,N1,U4,PR1,01/04/2024,E8,"
    episodes.write_text((DATA / "episodes.csv").read_text().replace(before, after))

    summary = run(*fixture_files("header"), "--episodes", str(episodes), user=world.data)

    assert (summary["episodes"]["updated"], summary["episodes"]["created"]) == (1, 0)
    episode = CareEpisode.objects.get(child__social_care_reference="T001", start_date=dt.date(2024, 3, 1))
    assert (episode.end_date, episode.reason_ended) == (dt.date(2024, 4, 1), "E8")
    event = AuditEvent.objects.get(child_id=episode.child_id, action=AuditEvent.Action.UPDATE)
    assert event.changes["care_episode 2024-03-01"] == [
        "end_date: (blank), reason_ended: (blank)",
        "end_date: 2024-04-01, reason_ended: E8",
    ]


@pytest.mark.django_db
def test_awkward_characters_are_stored_exactly(world, tmp_path):
    child = ChildFactory(social_care_reference="Q1", first_name="Tab\tand", last_name="Back\\slash", gender="U")
    header = tmp_path / "header.csv"
    header.write_text('CHILD,SEX,DOB,ETHNIC,UPN\nQ1,F,14/03/2014,WBRI,"A\\1\t2"\n')
    episodes = tmp_path / "episodes.csv"
    episodes.write_text(
        "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN\n"
        "Q1,01/01/2024,S,C2,N1,U1,PR1,,,,ZZ1\\1AA,,\n"
    )

    run("--header", str(header), "--episodes", str(episodes), user=world.data)

    child.refresh_from_db()
    assert (child.upn, child.upn_needs_correction) == ("A\\1\t2", True)
    assert child.care_episodes.get().home_postcode == "ZZ1\\1AA"
    event = AuditEvent.objects.get(child_id=child.pk, action=AuditEvent.Action.UPDATE)
    assert event.object_repr == "Tab\tand Back\\slash"
    assert event.changes["upn"] == ["", "A\\1\t2"]


@pytest.mark.django_db
def test_a_windows_1252_file_and_binary_junk_are_read_without_a_crash(world, tmp_path):
    header = tmp_path / "header.csv"
    header.write_bytes("CHILD,SEX,DOB,ETHNIC,UPN,NOTE\nW1,F,14/03/2014,WBRI,UN1,caf\xe9\n".encode("cp1252"))
    junk = tmp_path / "episodes.csv"
    junk.write_bytes(
        b"CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN\n"
        b"W1,\x00\xff\xfe,S,C2\n"
    )

    summary = run("--header", str(header), "--episodes", str(junk), user=world.data)

    assert summary["children"]["created"] == 1
    assert summary["episodes"]["rejected"] == 1


@pytest.mark.django_db
def test_each_created_child_has_one_audit_event_with_its_903_values(world):
    summary = run(*fixture_files("header", "episodes"), user=world.data)

    events = AuditEvent.objects.filter(action=AuditEvent.Action.CREATE, object_type="children.child")
    assert events.count() == summary["children"]["created"] == 5
    t001 = Child.objects.get(social_care_reference="T001")
    event = events.get(child_id=t001.pk)
    assert event.actor == world.data
    assert event.changes["date_of_birth"] == [None, "2014-03-14"]
    assert event.changes["care_episodes_added"][1].count(" to ") == 2
    run_event = AuditEvent.objects.get(action=AuditEvent.Action.IMPORT)
    assert run_event.context["children"]["created"] == 5
    assert run_event.context["files"] == {"header": "header.csv", "episodes": "episodes.csv"}


@pytest.mark.django_db
def test_overlapping_episodes_are_imported_with_a_warning_to_check_the_dates(world, tmp_path):
    episodes = tmp_path / "episodes.csv"
    episodes.write_text(
        "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN\n"
        "T001,01/01/2024,S,C2,N1,U1,PR1,,,,,,\n"
        "T001,01/03/2024,P,C2,N1,U4,PR1,,,,,,\n"
    )
    out = io.StringIO()
    call_command(
        "import_903", "--user", world.data.username, *fixture_files("header"), "--episodes", str(episodes), stdout=out
    )

    assert CareEpisode.objects.filter(child__social_care_reference="T001").count() == 2
    assert (
        "episodes.csv row 3, DECOM '01/03/2024': Imported, but the child's previous episode (row 2) is still open"
        in (out.getvalue())
    )


@pytest.mark.django_db
def test_dry_run_reports_what_would_happen_and_writes_nothing(world):
    summary = run(*fixture_files("header", "episodes", "uasc", "oc2"), "--dry-run", user=world.data)

    assert summary["dry_run"] is True
    assert summary["children"]["created"] == 5
    assert summary["children"]["rejected"] == 6
    assert not Child.objects.filter(social_care_reference__startswith="T0").exists()
    assert not AuditEvent.objects.exists()


@pytest.mark.django_db
def test_json_prints_one_json_object_and_nothing_else(world):
    out = io.StringIO()
    call_command(
        "import_903", "--user", world.data.username, *fixture_files("header", "episodes"), "--json", stdout=out
    )
    summary = json.loads(out.getvalue())
    assert set(summary) >= {"children", "episodes", "uasc", "sdq", "rejected_rows", "audit_events"}
    assert summary["episodes"]["rejected"] == 6


@pytest.mark.django_db
def test_missing_columns_exit_with_code_2_naming_them_and_nothing_is_written(world, tmp_path, capsys, monkeypatch):
    header = tmp_path / "header.csv"
    header.write_text("CHILD,DOB,UPN\n1,01/01/2014,UN1\n")
    # manage.py closes every connection on the way out; the test's own must survive to check the database.
    monkeypatch.setattr("django.core.management.base.connections.close_all", lambda: None)

    with pytest.raises(SystemExit) as exited:
        execute_from_command_line(
            [
                "manage.py",
                "import_903",
                "--user",
                world.data.username,
                "--header",
                str(header),
                *fixture_files("episodes"),
            ]
        )

    assert exited.value.code == 2
    assert "missing the column(s) SEX, ETHNIC" in capsys.readouterr().err
    assert not Child.objects.filter(social_care_reference="1").exists()


@pytest.mark.django_db
def test_a_missing_file_exits_with_code_2(world, tmp_path):
    with pytest.raises(CommandError) as refused:
        run("--header", str(tmp_path / "nope.csv"), *fixture_files("episodes"), user=world.data)
    assert refused.value.returncode == 2
    assert "does not exist" in str(refused.value)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("option", "message"),
    [
        (["--collection-year-end", "2026-04-01"], "must be a 31 March"),
        (["--collection-year-end", "31/03/2026"], "YYYY-MM-DD"),
        (["--rejects", "/no/such/folder/rejects.csv"], "folder for --rejects does not exist"),
        (["--xml", str(DATA / "header.csv")], "either --xml, or the CSV files"),
    ],
)
def test_an_unusable_option_exits_with_code_2_before_anything_is_read(world, option, message):
    with pytest.raises(CommandError, match=message) as refused:
        run(*fixture_files("header", "episodes"), *option, user=world.data)
    assert refused.value.returncode == 2
    assert not Child.objects.filter(social_care_reference="T001").exists()


@pytest.mark.django_db
def test_someone_without_permission_cannot_import(world):
    with pytest.raises(CommandError) as refused:
        run(*fixture_files("header", "episodes"), user=world.dt_a)
    assert refused.value.returncode == 2
    assert "permission" in str(refused.value)
    assert not Child.objects.filter(social_care_reference="T001").exists()


@pytest.mark.django_db
def test_the_import_must_say_who_it_acts_as(world):
    with pytest.raises(CommandError, match="--user USERNAME, or --system"):
        call_command("import_903", *fixture_files("header", "episodes"))


@pytest.mark.django_db
def test_a_system_import_records_the_system_as_the_actor(db):
    run(*fixture_files("header", "episodes"))
    event = AuditEvent.objects.get(action=AuditEvent.Action.IMPORT)
    assert (event.actor, event.actor_label) == (None, "system")


@pytest.mark.django_db
def test_a_failure_part_way_leaves_earlier_batches_whole(world, monkeypatch):
    original = ssda903._Importer.apply
    calls = {"n": 0}

    def fail_on_second_batch(self, batch):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("database went away")
        return original(self, batch)

    monkeypatch.setattr(ssda903._Importer, "apply", fail_on_second_batch)
    with pytest.raises(RuntimeError):
        ssda903.ssda903_import(
            actor=world.data, header=DATA / "header.csv", episodes=DATA / "episodes.csv", batch_size=2
        )

    # Batch 1 (T001, T002) is complete with all its episodes and events; batch 2 (T003, T004) wrote nothing.
    imported = set(
        Child.objects.filter(social_care_reference__startswith="T").values_list("social_care_reference", flat=True)
    )
    assert imported == {"T001", "T002"}
    assert CareEpisode.objects.filter(child__social_care_reference="T001").count() == 2
    assert AuditEvent.objects.filter(action=AuditEvent.Action.CREATE).count() == 2


@pytest.mark.django_db
def test_an_xml_file_with_entity_declarations_is_refused(world, tmp_path):
    attack = tmp_path / "attack.xml"
    attack.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE EXPSSDA903 [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">'
        '<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
        "<EXPSSDA903><CHILD><HEADER><CHILDID>&b;</CHILDID><UPN>&xxe;</UPN></HEADER></CHILD></EXPSSDA903>"
    )
    with pytest.raises(CommandError) as refused:
        run("--xml", str(attack), user=world.data)
    assert refused.value.returncode == 2
    assert "DTD" in str(refused.value)
    assert Child.objects.count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("<EXPSSDA903><CHILD><HEADER>", "not well-formed"),
        ("<OTHER><CHILD/></OTHER>", "root element is <OTHER>"),
        ("", "not well-formed"),
    ],
)
def test_an_unusable_xml_file_is_refused_with_code_2(world, tmp_path, content, message):
    path = tmp_path / "bad.xml"
    path.write_text(content)
    with pytest.raises(CommandError) as refused:
        run("--xml", str(path), user=world.data)
    assert refused.value.returncode == 2
    assert message in str(refused.value)


@pytest.mark.django_db
def test_xml_rows_are_judged_by_the_same_rules(world, tmp_path):
    path = tmp_path / "small.xml"
    path.write_text(
        "<EXPSSDA903>"
        "<CHILD><HEADER><CHILDID>X1</CHILDID><UPN>UN1</UPN><SEX>F</SEX><DOB>01/02/2015</DOB><ETHNIC>WBRI</ETHNIC>"
        "<UASC>1</UASC><DUC>01/02/2033</DUC><OC2><SDQ_SCORE>50</SDQ_SCORE></OC2></HEADER>"
        "<EPISODE><DECOM>01/01/2024</DECOM><RNE>S</RNE><LS>C2</LS><CIN>N1</CIN><PL>U1</PL><DEC/></EPISODE>"
        "<EPISODE><DECOM>01/01/2023</DECOM><RNE>S</RNE><LS>C2</LS><CIN>N1</CIN><PL>U1</PL>"
        "<DEC>01/12/2022</DEC></EPISODE></CHILD>"
        "<CHILD><HEADER><CHILDID>X2</CHILDID><SEX>Q</SEX><DOB>01/02/2015</DOB><ETHNIC>WBRI</ETHNIC></HEADER>"
        "</CHILD></EXPSSDA903>"
    )
    result = ssda903.ssda903_import(actor=world.data, xml=path)

    assert [(r.row, r.column) for r in result.rejects] == [
        (1, "EPISODE/DEC"),
        (1, "HEADER/OC2/SDQ_SCORE"),
        (2, "HEADER/SEX"),
    ]
    child = Child.objects.get(social_care_reference="X1")
    assert (child.uasc, child.uasc_ceased_on) == (True, dt.date(2033, 2, 1))
    assert child.care_episodes.count() == 1


# The row parsers: any text at all gives a value or a reject, never an exception.
@given(st.text(max_size=30))
def test_parse_date_returns_a_date_or_a_reason_for_any_text(text):
    try:
        value = ssda903_rows.parse_date(text)
    except FieldProblem as problem:
        assert problem.rule
    else:
        assert value is None or isinstance(value, dt.date)


@given(st.dates(min_value=dt.date(1900, 1, 1)))
def test_parse_date_reads_both_accepted_formats(day):
    assert ssda903_rows.parse_date(day.strftime("%d/%m/%Y")) == day
    assert ssda903_rows.parse_date(day.isoformat()) == day


cells = st.one_of(
    st.text(max_size=16),
    st.sampled_from(
        [
            "",
            "01/02/2020",
            "2020-02-01",
            "31/02/2020",
            "C2",
            "U1",
            "S",
            "N1",
            "PR1",
            "X1",
            "SDQ1",
            "12",
            "A801123456780",
            "ZZ1 1AA",
            "1",
            "2",
            "M",
            "WBRI",
            "99/99/9999",
            "41",
        ]
    ),
)
rows_of = st.lists(cells, min_size=0, max_size=15)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(rows_of)
def test_every_row_parser_returns_a_row_or_a_reject_for_any_values(values):
    for parse in (ssda903_rows.parse_header_row, ssda903_rows.parse_episode_row):
        result = parse(values, file="f.csv", row=2, today=TODAY)
        assert isinstance(result, Reject) or (isinstance(result, tuple) and result[0] == 2)
        if isinstance(result, Reject):
            assert result.rule and result.row == 2
    for parse in (ssda903_rows.parse_uasc_row, ssda903_rows.parse_sdq_row):
        result = parse(values, file="f.csv", row=2)
        assert isinstance(result, (Reject, tuple))


@settings(max_examples=100, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(rows_of, max_size=8))
def test_a_block_of_rows_is_judged_exactly_as_each_row_alone(block):
    numbers = list(range(2, 2 + len(block)))
    columns = ssda903_rows.episode_columns(TODAY)
    good, rejects = ssda903_rows.parse_rows(columns, block, numbers, file="f.csv", row_rule=ssda903_rows.episode_rule)
    one_by_one = [
        ssda903_rows.parse_episode_row(row, file="f.csv", row=n, today=TODAY)
        for n, row in zip(numbers, block, strict=True)
    ]
    assert good == [r for r in one_by_one if not isinstance(r, Reject)]
    assert rejects == [r for r in one_by_one if isinstance(r, Reject)]


@given(st.lists(st.text(max_size=12), max_size=5))
def test_the_postcode_and_urn_fast_paths_agree_with_their_cell_parsers(texts):
    for bulk, parse in (
        (ssda903_rows._postcodes, ssda903_rows.parse_postcode),
        (ssda903_rows._urns, ssda903_rows.parse_urn),
    ):
        fast = bulk(texts)
        if fast is not None:
            assert fast == [parse(text) for text in texts]


upn_like = st.one_of(
    st.text(max_size=15),
    st.from_regex(r"[A-Z0-9][0-9]{11}[A-Z0-9]", fullmatch=True),
    st.builds(
        lambda body: stdnum_upn.calc_check_digit(body) + body,
        st.from_regex(r"[0-9]{11}[ABCDEFGHJKLMNPQRTUVWXYZ0-9]", fullmatch=True),
    ),
)


@settings(max_examples=300)
@given(upn_like)
def test_the_upn_check_agrees_with_the_roll_rule(text):
    upn = ssda903_rows.parse_upn(text)
    assert ssda903_rows.upn_needs_correction(upn) == bool(upn_problem(upn))


# On PostgreSQL the command plans the next batch while a second connection writes the last one.
on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the pipelined writer runs only on PostgreSQL, outside a transaction"
)


@pytest.mark.postgres
@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_on_postgresql_batches_written_alongside_planning_give_the_same_result(world):
    summary = run(*fixture_files("header", "episodes", "uasc", "oc2"), "--batch-size", "2", user=world.data)

    assert (summary["children"]["created"], summary["episodes"]["created"]) == (5, 5)
    assert summary["audit_events"] == 6
    assert Child.objects.filter(social_care_reference__startswith="T").count() == 5
    assert AuditEvent.objects.filter(action=AuditEvent.Action.IMPORT).count() == 1
    again = run(*fixture_files("header", "episodes", "uasc", "oc2"), "--batch-size", "2", user=world.data)
    assert again["children"]["unchanged"] == 5
    assert again["audit_events"] == 0


@pytest.mark.postgres
@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_on_postgresql_a_failure_in_the_writer_stops_the_run_and_keeps_earlier_batches(world, monkeypatch):
    original = ssda903._Importer.apply
    calls = {"n": 0}

    def fail_on_second_batch(self, batch):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("database went away")
        return original(self, batch)

    monkeypatch.setattr(ssda903._Importer, "apply", fail_on_second_batch)
    with pytest.raises(RuntimeError, match="database went away"):
        run(*fixture_files("header", "episodes"), "--batch-size", "2", user=world.data)

    imported = Child.objects.filter(social_care_reference__startswith="T").values_list(
        "social_care_reference", flat=True
    )
    assert set(imported) == {"T001", "T002"}
    assert CareEpisode.objects.filter(child__social_care_reference__startswith="T").count() == 3
