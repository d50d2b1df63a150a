"""Two people editing the same PEP never silently overwrite each other."""

from __future__ import annotations

import pytest

from virtualschool.peps import services
from virtualschool.peps.models import PepSection, Target

from .conftest import section, smart_target


def test_stale_section_save_is_refused_with_what_changed(world):
    pep = services.pep_create(actor=world.lead, child=world.child_a, academic_year=2026, term="autumn")
    opened = section(pep, "child_voice")
    services.section_save(actor=world.sw_a, section=opened, answers={"views_on_school": "It is OK"}, expected_version=1)
    with pytest.raises(services.StaleEdit) as exc:
        services.section_save(
            actor=world.dt_a,
            section=opened,
            answers={"views_on_school": "I love school", "what_helps": ""},
            expected_version=1,
        )
    stale = exc.value
    assert stale.current_version == 2
    assert stale.changed_by == str(world.sw_a)
    changed = {c.field: c for c in stale.changes}
    assert changed["views_on_school"].theirs == "It is OK"
    assert changed["views_on_school"].yours == "I love school"
    assert "what_helps" not in changed
    assert PepSection.objects.get(pk=opened.pk).answers["views_on_school"] == "It is OK"
    # saving again from the version now shown keeps the second person's words
    services.section_save(
        actor=world.dt_a, section=opened, answers={"views_on_school": "I love school"}, expected_version=2
    )
    assert PepSection.objects.get(pk=opened.pk).answers["views_on_school"] == "I love school"


def test_stale_target_and_meeting(world):
    pep = services.pep_create(actor=world.lead, child=world.child_a, academic_year=2026, term="autumn")
    target = services.target_save(actor=world.dt_a, pep=pep, data=smart_target())
    services.target_save(
        actor=world.lead, pep=pep, target=target, expected_version=1, data=smart_target(owner="Mr Singh")
    )
    with pytest.raises(services.StaleEdit) as exc:
        services.target_save(
            actor=world.dt_a, pep=pep, target=target, expected_version=1, data=smart_target(owner="Ms Lee")
        )
    assert [c.field for c in exc.value.changes] == ["owner"]
    assert Target.objects.get(pk=target.pk).owner == "Mr Singh"
    pep.refresh_from_db()
    import datetime as dt

    services.meeting_arrange(
        actor=world.lead,
        pep=pep,
        expected_version=pep.version,
        meeting_date=dt.date(2026, 12, 9),
        meeting_time=dt.time(14, 0),
        venue="School",
        mode="in_person",
    )
    with pytest.raises(services.StaleEdit):
        services.meeting_arrange(
            actor=world.dt_a,
            pep=pep,
            expected_version=pep.version,
            meeting_date=dt.date(2026, 12, 10),
            meeting_time=dt.time(9, 0),
            venue="School",
            mode="virtual",
        )
