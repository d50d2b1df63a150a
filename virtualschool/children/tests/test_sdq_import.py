"""import_903 beside questionnaires recorded here: a carer's SDQ recorded in full is never overwritten by OC2."""

from __future__ import annotations

import csv
import datetime as dt

import pytest

from virtualschool.children.models import Child, SdqScore
from virtualschool.children.services import sdq_record
from virtualschool.children.tests.test_import_903 import fixture_files, run

pytestmark = pytest.mark.django_db
YEAR_END = dt.date(2026, 3, 31)


def carer_questionnaire(world, total: int) -> SdqScore:
    """T001's carer questionnaire dated the collection year's end, replacing the imported total."""
    SdqScore.objects.filter(child__social_care_reference="T001").delete()
    child = Child.objects.get(social_care_reference="T001")
    scales = {"emotional": min(total, 10), "conduct": total - min(total, 10), "hyperactivity": 0, "peer": 0,
              "prosocial": 9}  # fmt: skip
    return sdq_record(actor=world.lead, child=child, respondent="carer", completed_on=YEAR_END, scales=scales)


def test_an_oc2_total_that_agrees_with_the_questionnaire_leaves_it_alone(world):
    files = [*fixture_files("header", "episodes", "oc2"), "--collection-year-end", "2026-03-31"]
    run(*files, user=world.data)
    kept = carer_questionnaire(world, 12)  # the return says 12 for T001

    summary = run(*files, user=world.data)

    kept.refresh_from_db()
    assert (kept.source, kept.total_score, kept.emotional_score) == ("", 12, 10)
    assert summary["sdq"]["created"] == summary["sdq"]["updated"] == 0
    assert summary["sdq"]["rejected"] == 2  # the two bad rows of the fixture, as before


def test_an_oc2_total_that_disagrees_is_rejected_and_the_questionnaire_kept(world, tmp_path):
    files = [*fixture_files("header", "episodes", "oc2"), "--collection-year-end", "2026-03-31"]
    run(*files, user=world.data)
    kept = carer_questionnaire(world, 15)

    summary = run(*files, "--rejects", str(tmp_path / "rejects.csv"), user=world.data)

    kept.refresh_from_db()
    assert (kept.source, kept.total_score) == ("", 15)
    with open(tmp_path / "rejects.csv", newline="", encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    rejects = [r for r in rows if r["file"] == "oc2.csv" and r["value"] == "12"]
    assert len(rejects) == 1
    assert rejects[0]["column"] == "SDQ_SCORE"
    assert "recorded in full for 31/03/2026 has a total of 15" in rejects[0]["rule"]
    assert summary["sdq"]["rejected"] == 3
