"""Applications and the panel: the golden thread, the conflict rule, the quorum and decisions published next day."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from virtualschool.core.models import Notification
from virtualschool.pupilpremium import services
from virtualschool.pupilpremium.models import Application, Decision, FundedTarget, LedgerEntry, Outcome, Vote
from virtualschool.pupilpremium.selectors import (
    applications_visible_to,
    balance,
    connected_reasons,
    decision_is_visible,
    visible_status,
)

from .conftest import TODAY, submit, target

pytestmark = pytest.mark.django_db


def on_panel(pp, world, app):
    services.panel_take_waiting(actor=world.head, panel=pp.panel)
    app.refresh_from_db()
    assert app.panel == pp.panel
    return app


def test_an_application_without_a_target_is_refused_with_that_reason(pp, world):
    with pytest.raises(ValidationError) as caught:
        submit(world.lead, pp.year, world.child_a, targets=[])
    assert "at least one SMART target" in caught.value.message_dict["targets"][0]
    assert "golden thread" in caught.value.message_dict["targets"][0]
    assert not Application.objects.exists()


def test_a_group_application_needs_a_target_for_every_child(pp, world):
    with pytest.raises(ValidationError, match="Add a target for Ben"):
        submit(
            world.lead, pp.year, world.child_a, children=[world.child_a, world.child_b], targets=[target(world.child_a)]
        )
    from virtualschool.peps.models import Pep
    from virtualschool.peps.models import Target as PepTarget

    pep = Pep.objects.create(child=world.child_b, academic_year=2025, term="spring")
    smart = PepTarget.objects.create(
        pep=pep, description="Spell 20 Year 4 words", measure="Weekly spelling test", baseline="8 of 20",
        target_value="18 of 20", deadline=dt.date(2026, 3, 20), owner="Class teacher",
    )  # fmt: skip
    with pytest.raises(ValidationError, match="not one of that child's PEP targets"):
        submit(world.lead, pp.year, world.child_a, children=[world.child_a, world.child_b],
               targets=[target(world.child_a), target(world.child_a, pep_target_id=smart.pk)])  # fmt: skip
    app = submit(
        world.lead,
        pp.year,
        world.child_a,
        children=[world.child_a, world.child_b],
        targets=[target(world.child_a), {"child": world.child_b, "pep_target_id": smart.pk}],
    )
    assert app.targets.count() == 2
    funded = FundedTarget.objects.get(child=world.child_b)
    assert funded.pep_target_id == smart.pk
    assert (funded.text, funded.deadline, funded.owner) == (
        "Spell 20 Year 4 words",
        dt.date(2026, 3, 20),
        "Class teacher",
    )
    assert funded.measure == "Weekly spelling test (from 8 of 20 to 18 of 20)"


def test_an_incomplete_target_says_what_to_fix(pp, world):
    with pytest.raises(ValidationError) as caught:
        submit(world.lead, pp.year, world.child_a, targets=[target(world.child_a, measure="", deadline=None)])
    messages = caught.value.message_dict["targets"]
    assert "Target 1: enter its measure." in messages
    assert "Target 1: enter the date it is to be met by." in messages
    assert not Application.objects.exists()


def test_only_someone_who_works_with_the_child_applies(pp, world):
    submit(world.dt_a, pp.year, world.child_a)
    with pytest.raises(PermissionDenied):
        submit(world.dt_b, pp.year, world.child_a)
    for user in (world.panel, world.sw_a, world.admin):
        with pytest.raises(PermissionDenied):
            submit(user, pp.year, world.child_a)


def test_bands_model_asks_for_a_band(pp, world):
    services.grant_year_update(actor=world.head, grant_year=pp.year, allocation_model="bands")
    services.band_set(actor=world.head, grant_year=pp.year, label="Band A", amount_pence=50_000)
    pp.year.refresh_from_db()
    with pytest.raises(ValidationError, match="fixed bands"):
        submit(world.lead, pp.year, world.child_a, amount=60_000)
    assert submit(world.lead, pp.year, world.child_a, amount=50_000).amount_pence == 50_000


def test_connected_members_cannot_vote(pp, world):
    # The child's lead and their school's designated teacher sit on this panel; a third member declares a conflict.
    panel = services.panel_create(
        actor=world.head,
        grant_year=pp.year,
        meets_on=TODAY + dt.timedelta(days=7),
        members=[world.lead, world.panel, pp.members[1]],
    )
    app = submit(world.dt_a, pp.year, world.child_a, submitted_on=TODAY + dt.timedelta(days=1))
    services.panel_take_waiting(actor=world.head, panel=panel)
    assert "is Ava Testchild's Virtual School Lead" in connected_reasons(world.lead, app)[0]
    with pytest.raises(PermissionDenied, match="Virtual School Lead"):
        services.vote_cast(actor=world.lead, application=app, outcome=Outcome.APPROVE)
    services.conflict_declare(actor=world.panel, child=world.child_a, reason="Foster carer is my neighbour")
    with pytest.raises(PermissionDenied, match="declared a conflict"):
        services.vote_cast(actor=world.panel, application=app, outcome=Outcome.APPROVE)
    assert not Vote.objects.exists()


def test_the_designated_teacher_of_the_childs_school_is_connected(pp, world):
    app = submit(world.lead, pp.year, world.child_a)
    assert connected_reasons(world.dt_a, app) == ["is the designated teacher at Ava Testchild's school"]
    assert connected_reasons(world.dt_b, app) == []


def test_a_decision_needs_two_agreeing_unconnected_members(pp, world):
    app = on_panel(pp, world, submit(world.lead, pp.year, world.child_a, amount=60_000))
    first, second, third = pp.members
    _, decision = services.vote_cast(actor=first, application=app, outcome=Outcome.APPROVE)
    assert decision is None
    _, decision = services.vote_cast(
        actor=second, application=app, outcome=Outcome.APPROVE_AMOUNT, amount_pence=40_000, reason="Eight sessions"
    )
    assert decision is None  # approve £600 and approve £400 do not agree
    _, decision = services.vote_cast(
        actor=third, application=app, outcome=Outcome.APPROVE_AMOUNT, amount_pence=40_000, reason="Enough for now"
    )
    assert decision is not None
    assert decision.outcome == Outcome.APPROVE_AMOUNT and decision.amount_pence == 40_000
    assert set(decision.decided_by.all()) == {second, third}
    assert "Eight sessions" in decision.reasons and "Enough for now" in decision.reasons
    app.refresh_from_db()
    assert (app.status, app.approved_amount_pence) == (Application.Status.APPROVED, 40_000)
    assert balance(pp.year).committed == 40_000
    assert LedgerEntry.objects.get(application=app).child == world.child_a


def test_decline_and_defer_need_reasons_and_a_deferred_application_comes_back(pp, world):
    app = on_panel(pp, world, submit(world.lead, pp.year, world.child_a))
    with pytest.raises(ValidationError, match="reasons"):
        services.vote_cast(actor=pp.members[0], application=app, outcome=Outcome.DECLINE)
    services.vote_cast(actor=pp.members[0], application=app, outcome=Outcome.DEFER, reason="Which provider quote?")
    _, decision = services.vote_cast(actor=pp.members[1], application=app, outcome=Outcome.DEFER, reason="Costs?")
    assert decision.outcome == Outcome.DEFER
    app.refresh_from_db()
    assert app.status == Application.Status.DEFERRED
    with pytest.raises(ValidationError, match="not waiting"):
        services.vote_cast(actor=pp.members[2], application=app, outcome=Outcome.APPROVE)
    services.application_answer(actor=world.lead, application=app, answer="Quote attached: £600 for ten sessions")
    app.refresh_from_db()
    assert (app.status, app.panel) == (Application.Status.SUBMITTED, None)
    assert services.panel_take_waiting(actor=world.head, panel=pp.panel) == []  # not back to the same panel
    later = services.panel_create(
        actor=world.head, grant_year=pp.year, meets_on=TODAY + dt.timedelta(days=7), members=pp.members
    )
    assert services.panel_take_waiting(actor=world.head, panel=later) == [app]


def test_a_member_votes_once(pp, world):
    app = on_panel(pp, world, submit(world.lead, pp.year, world.child_a))
    services.vote_cast(actor=pp.members[0], application=app, outcome=Outcome.DECLINE, reason="No quote")
    with pytest.raises(ValidationError, match="already voted"):
        services.vote_cast(actor=pp.members[0], application=app, outcome=Outcome.APPROVE)


def test_only_the_panels_members_vote(pp, world):
    app = on_panel(pp, world, submit(world.lead, pp.year, world.child_a))
    with pytest.raises(PermissionDenied):
        services.vote_cast(actor=world.head, application=app, outcome=Outcome.APPROVE)


def test_an_approval_beyond_the_remaining_budget_is_refused_with_its_vote(pp, world):
    app = on_panel(pp, world, submit(world.lead, pp.year, world.child_a, amount=526_001))
    services.vote_cast(actor=pp.members[0], application=app, outcome=Outcome.APPROVE)
    with pytest.raises(ValidationError, match="below zero"):
        services.vote_cast(actor=pp.members[1], application=app, outcome=Outcome.APPROVE)
    assert Vote.objects.count() == 1
    assert not Decision.objects.exists()
    assert balance(pp.year).remaining == 526_000


def test_a_decision_is_published_to_the_lead_and_designated_teacher_the_next_day(pp, world):
    app = on_panel(pp, world, submit(world.lead, pp.year, world.child_a))
    decided_at = timezone.make_aware(dt.datetime(2025, 11, 20, 11, 0))
    services.vote_cast(actor=pp.members[0], application=app, outcome=Outcome.APPROVE, now=decided_at)
    _, decision = services.vote_cast(actor=pp.members[1], application=app, outcome=Outcome.APPROVE, now=decided_at)
    assert decision.visible_on == dt.date(2025, 11, 21)
    app.refresh_from_db()

    assert services.decisions_publish(today=dt.date(2025, 11, 20)) == 0
    assert not decision_is_visible(world.lead, decision, dt.date(2025, 11, 20))
    assert visible_status(world.lead, app, dt.date(2025, 11, 20)) == "Waiting for the panel"
    assert decision_is_visible(pp.members[2], decision, dt.date(2025, 11, 20))  # the panel sees it at once
    assert decision_is_visible(world.head, decision, dt.date(2025, 11, 20))

    assert services.decisions_publish(today=dt.date(2025, 11, 21)) == 1
    told = set(Notification.objects.filter(kind="decision").values_list("recipient__username", flat=True))
    assert told == {"lead", "dt_a"}
    assert services.decisions_publish(today=dt.date(2025, 11, 22)) == 0  # once only
    assert Notification.objects.filter(kind="decision").count() == 2
    assert decision_is_visible(world.dt_a, decision, dt.date(2025, 11, 21))
    assert visible_status(world.lead, app, dt.date(2025, 11, 21)) == "Approved"


def test_panel_members_see_only_the_applications_on_their_panels(pp, world):
    app = submit(world.lead, pp.year, world.child_a)
    other = submit(world.lead, pp.year, world.child_b, submitted_on=TODAY + dt.timedelta(days=3))
    assert not applications_visible_to(world.panel).exists()
    services.panel_take_waiting(actor=world.head, panel=pp.panel)
    assert list(applications_visible_to(world.panel)) == [app]
    assert set(applications_visible_to(world.head)) == {app, other}
    assert list(applications_visible_to(world.dt_a)) == [app]
    assert list(applications_visible_to(world.dt_b)) == [other]
    assert not applications_visible_to(world.sw_a).exists()


def test_targets_are_reviewed_by_those_who_work_with_the_child(pp, world):
    app = submit(world.lead, pp.year, world.child_a)
    funded = app.targets.get()
    with pytest.raises(PermissionDenied):
        services.target_review(actor=world.dt_b, target=funded, outcome="achieved")
    services.target_review(actor=world.dt_a, target=funded, outcome="partly", note="Accuracy 90%")
    funded.refresh_from_db()
    assert (funded.outcome, funded.reviewed_by) == ("partly", world.dt_a)


def test_a_payment_cannot_exceed_the_commitment(pp, world):
    app = on_panel(pp, world, submit(world.lead, pp.year, world.child_a, amount=60_000))
    services.vote_cast(actor=pp.members[0], application=app, outcome=Outcome.APPROVE)
    services.vote_cast(actor=pp.members[1], application=app, outcome=Outcome.APPROVE)
    services.application_pay(actor=world.head, application=app, amount_pence=50_000, invoice="INV-1")
    with pytest.raises(ValidationError, match=r"Only £100\.00 is committed"):
        services.application_pay(actor=world.head, application=app, amount_pence=20_000)
    services.application_release(actor=world.head, application=app, amount_pence=10_000, reason="Two sessions missed")
    now = balance(pp.year)
    assert (now.committed, now.spent, now.remaining) == (0, 50_000, 526_000 - 50_000)


def test_the_daily_command_shares_decisions(pp, world):
    import io

    from django.core.management import call_command

    app = on_panel(pp, world, submit(world.lead, pp.year, world.child_a))
    decided_at = timezone.make_aware(dt.datetime(2025, 11, 20, 11, 0))
    services.vote_cast(actor=pp.members[0], application=app, outcome=Outcome.DECLINE, reason="No quote", now=decided_at)
    services.vote_cast(actor=pp.members[1], application=app, outcome=Outcome.DECLINE, reason="No link", now=decided_at)
    out = io.StringIO()
    call_command("publish_pp_decisions", today="2025-11-21", stdout=out)
    assert out.getvalue().startswith("1 decision shared")
    assert Notification.objects.filter(kind="decision", recipient=world.lead).exists()


def test_the_policy_keeps_the_quorum_within_the_panel(world):
    from virtualschool.pupilpremium.selectors import pp_policy_get

    with pytest.raises(ValidationError, match="more members"):
        services.pp_policy_update(actor=world.head, decision_quorum=4)
    with pytest.raises(PermissionDenied):
        services.pp_policy_update(actor=world.lead, decision_quorum=2)
    assert pp_policy_get().decision_quorum == 2


def test_a_pep_target_reviewed_at_the_next_pep_is_the_funded_targets_review(pp, world):
    from virtualschool.core.models import AuditEvent
    from virtualschool.peps import services as pep_services
    from virtualschool.peps.tests.conftest import smart_target

    first = pep_services.pep_create(actor=world.lead, child=world.child_a, academic_year=2025, term="summer")
    smart = pep_services.target_save(actor=world.dt_a, pep=first, data=smart_target())
    submit(world.lead, pp.year, world.child_a, targets=[{"child": world.child_a, "pep_target_id": smart.pk}])
    funded = FundedTarget.objects.get(pep_target_id=smart.pk)
    assert funded.outcome == ""
    second = pep_services.pep_create(actor=world.lead, child=world.child_a, academic_year=2026, term="autumn")
    pep_services.target_review(
        actor=world.dt_a, target=smart, reviewing_pep=second, outcome="partly", note="Absent in October"
    )
    funded.refresh_from_db()
    assert (funded.outcome, funded.review_note, funded.reviewed_by) == ("partly", "Absent in October", world.dt_a)
    event = AuditEvent.objects.filter(object_type="pupilpremium.fundedtarget", object_id=str(funded.pk)).first()
    assert event is not None and event.context == {"reviewed_at": "PEP"} and event.actor == world.dt_a


def test_the_panels_weekly_and_next_day_duties_are_measured_from_applications_and_decisions(pp, world):
    from virtualschool.duties import engine
    from virtualschool.duties.models import DutyInstance, State
    from virtualschool.duties.tests.conftest import reseed

    reseed()
    app = on_panel(pp, world, submit(world.lead, pp.year, world.child_a, amount=60_000))
    first, second, _third = pp.members
    services.vote_cast(actor=first, application=app, outcome=Outcome.APPROVE)
    _, decision = services.vote_cast(actor=second, application=app, outcome=Outcome.APPROVE)
    assert decision is not None
    decided = timezone.localdate(decision.decided_at)
    engine.refresh([world.child_a.pk], today=decided)
    considered = DutyInstance.objects.get(child=world.child_a, rule__slug="ppplus-application-considered")
    assert (considered.started_on, considered.met_on) == (app.submitted_on, decided)
    shared = DutyInstance.objects.get(child=world.child_a, rule__slug="ppplus-decision-available")
    assert shared.started_on == decided and shared.met_on is None and shared.state != State.MET_ON_TIME
    assert not DutyInstance.objects.filter(child=world.child_b, rule__slug__startswith="ppplus").exists()


def test_paying_a_group_application_pays_each_childs_share_so_the_budget_by_child_stays_exact(pp, world):
    from virtualschool.pupilpremium.selectors import breakdown

    app = on_panel(
        pp, world,
        submit(world.lead, pp.year, world.child_a, amount=60_001, children=[world.child_a, world.child_b],
               targets=[target(world.child_a), target(world.child_b)]),
    )  # fmt: skip
    first, second, _third = pp.members
    services.vote_cast(actor=first, application=app, outcome=Outcome.APPROVE)
    services.vote_cast(actor=second, application=app, outcome=Outcome.APPROVE)
    by_child = {row.key: row for row in breakdown(pp.year, "child")}
    assert (by_child[world.child_a.pk].committed, by_child[world.child_b.pk].committed) == (30_001, 30_000)
    services.application_pay(actor=world.head, application=app, amount_pence=40_000, invoice="INV-1")
    by_child = {row.key: row for row in breakdown(pp.year, "child")}
    assert (by_child[world.child_a.pk].committed, by_child[world.child_a.pk].spent) == (0, 30_001)
    assert (by_child[world.child_b.pk].committed, by_child[world.child_b.pk].spent) == (20_001, 9_999)
    assert None not in by_child
    services.application_release(actor=world.head, application=app, amount_pence=20_001, reason="Ended early")
    by_child = {row.key: row for row in breakdown(pp.year, "child")}
    assert by_child[world.child_b.pk].committed == 0
