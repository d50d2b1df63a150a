"""E-mail delivery of notifications: sent once, retried with backoff, given up with the error kept, digests."""

from __future__ import annotations

import datetime as dt
import threading
import time
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection, connections
from django.utils import timezone

from virtualschool.core.models import Notification
from virtualschool.core.notifications import notify
from virtualschool.escalations import delivery, services
from virtualschool.escalations.models import Digest, NotificationPreference
from virtualschool.escalations.selectors import policy_get

from .conftest import MONDAY, at

on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")


def _notes(user: Any, count: int, kind: str = "escalation", prefix: str = "event") -> list[Notification]:
    made = [
        notify(user, kind=kind, key=f"{prefix}:{n}", subject=f"Subject {prefix} {n}", body="Body") for n in range(count)
    ]
    return [n for n in made if n is not None]


class Recorder:
    """A mail 'server' that records what it was given, optionally failing or slow."""

    def __init__(self, fail: int = 0, delay: float = 0.0) -> None:
        self.sent: list[str] = []
        self.fail = fail
        self.delay = delay
        self.lock = threading.Lock()

    def __call__(self, message: Any) -> None:
        if self.delay:
            time.sleep(self.delay)
        with self.lock:
            if self.fail:
                self.fail -= 1
                raise ConnectionRefusedError("mail server unavailable")
            self.sent.append(message.subject)


@pytest.mark.django_db
def test_each_notification_is_emailed_once_through_djangos_mail_backend(world):
    _notes(world.lead, 3)
    outcome = delivery.deliver_pending()

    assert outcome.sent == 3
    assert sorted(m.subject for m in mail.outbox) == ["Subject event 0", "Subject event 1", "Subject event 2"]
    assert mail.outbox[0].to == [world.lead.email]
    assert Notification.objects.filter(emailed_at__isnull=True).count() == 0
    assert Notification.objects.exclude(email_claim_token="").count() == 0
    assert delivery.deliver_pending().sent == 0  # run again: nothing twice
    assert len(mail.outbox) == 3


@pytest.mark.django_db
def test_rows_not_wanted_by_email_or_for_people_without_an_address_are_left(world, make_user):
    notify(world.lead, kind="alert", key="quiet", subject="In the service only", email=False)
    nobody = make_user(email="")
    notify(nobody, kind="alert", key="x", subject="No address")
    assert delivery.deliver_pending().sent == 0


@pytest.mark.django_db
def test_a_failure_is_retried_with_doubling_backoff_then_given_up_with_the_error_kept(world):
    policy = policy_get()
    policy.email_max_attempts, policy.email_backoff_minutes = 3, 5
    policy.save()
    (note,) = _notes(world.lead, 1)
    server = Recorder(fail=10)
    with at(MONDAY) as traveller:
        start = timezone.now()
        assert delivery.deliver_pending(send=server).failed == 1
        note.refresh_from_db()
        assert note.email_attempts == 1 and "mail server unavailable" in note.email_error
        assert note.email_next_attempt_at == start + dt.timedelta(minutes=5)
        assert delivery.deliver_pending(send=server).failed == 0  # not yet time
        traveller.shift(dt.timedelta(minutes=5))
        assert delivery.deliver_pending(send=server).failed == 1
        note.refresh_from_db()
        assert note.email_next_attempt_at == timezone.now() + dt.timedelta(minutes=10)
        traveller.shift(dt.timedelta(minutes=10))
        delivery.deliver_pending(send=server)
        note.refresh_from_db()
        assert note.email_attempts == 3 and note.email_failed_at is not None and note.emailed_at is None
        assert "ConnectionRefusedError" in note.email_error
        traveller.shift(dt.timedelta(days=1))
        assert delivery.deliver_pending(send=server).failed == 0  # given up: never tried again
    assert server.sent == []


@pytest.mark.django_db
def test_a_failure_then_success_sends_once(world):
    _notes(world.lead, 2)
    server = Recorder(fail=1)
    with at(MONDAY) as traveller:
        delivery.deliver_pending(send=server)
        traveller.shift(dt.timedelta(hours=1))
        delivery.deliver_pending(send=server)
    assert sorted(server.sent) == ["Subject event 0", "Subject event 1"]


@pytest.mark.django_db
def test_a_worker_that_crashes_mid_batch_loses_nothing_and_sends_nothing_twice(world):
    notes = _notes(world.lead, 4)
    policy = policy_get()
    lease = dt.timedelta(minutes=policy.email_lease_minutes)
    server = Recorder()
    with at(MONDAY) as traveller:
        # Worker A claims the batch, sends the first e-mail and stamps it, then dies.
        now = timezone.now()
        ids = delivery.claim(
            delivery.pending(now).filter(delivery.delivery_q("immediate")),
            now=now,
            lease=lease,
            limit=50,
            token="a" * 32,
        )
        assert ids == [n.pk for n in notes]
        first = Notification.objects.get(pk=ids[0])
        server(delivery.message_for(first))
        assert delivery.release_sent(first.pk, "a" * 32)
        # Worker B starts at once: the claim still holds, so it sends nothing.
        assert delivery.deliver_pending(send=server).sent == 0
        # After the lease, B takes over the three A never sent.
        traveller.shift(lease + dt.timedelta(seconds=1))
        assert delivery.deliver_pending(send=server).sent == 3
        # A "wakes up" and tries to stamp a row it had claimed: the claim is no longer its own.
        assert not delivery.release_sent(ids[1], "a" * 32)
    assert sorted(server.sent) == sorted(n.subject for n in notes)


@pytest.mark.postgres
@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_two_workers_running_at_once_on_postgresql_never_send_the_same_notification(world):
    policy = policy_get()
    policy.email_batch_size = 7
    policy.save()
    notes = _notes(world.lead, 60) + _notes(world.head, 60, prefix="head")
    server = Recorder(delay=0.002)
    errors: list[BaseException] = []
    start = threading.Barrier(3)

    def worker() -> None:
        try:
            start.wait()
            for _ in range(3):  # each worker runs the task several times, as a restarted worker would
                delivery.deliver_pending(send=server)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors
    assert len(server.sent) == len(notes)
    assert sorted(server.sent) == sorted(n.subject for n in notes)
    assert Notification.objects.filter(emailed_at__isnull=True).count() == 0


@pytest.mark.postgres
@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_two_digest_workers_at_once_on_postgresql_send_one_digest_each_person(world):
    NotificationPreference.objects.create(user=world.lead, due_soon="digest", overdue="digest", other="digest")
    with at(MONDAY, hour=9):
        _notes(world.lead, 20)
    server = Recorder(delay=0.01)
    start = threading.Barrier(2)

    def worker() -> None:
        try:
            start.wait()
            delivery.send_digests(MONDAY, send=server)
        finally:
            connections.close_all()

    with at(MONDAY, hour=18):
        threads = [threading.Thread(target=worker) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    assert len(server.sent) == 1
    assert Notification.objects.filter(emailed_at__isnull=True).count() == 0


@pytest.mark.django_db
def test_people_who_choose_the_digest_get_one_email_a_day_listing_what_waited(world):
    NotificationPreference.objects.create(user=world.lead, due_soon="digest", overdue="immediate", other="digest")
    with at(MONDAY, hour=9):
        _notes(world.lead, 3)
        notify(world.lead, kind="overdue", key="late", subject="Something overdue")
        _notes(world.head, 1, prefix="head")
        delivery.deliver_pending()
        assert sorted(m.subject for m in mail.outbox) == ["Something overdue", "Subject head 0"]
    mail.outbox.clear()
    with at(MONDAY, hour=18):
        assert delivery.send_digests() == {"sent": 1, "failed": 0, "empty": 0, "skipped": 0}
        assert delivery.send_digests() == {"sent": 0, "failed": 0, "empty": 0, "skipped": 0}
    assert len(mail.outbox) == 1
    digest = mail.outbox[0]
    assert digest.to == [world.lead.email] and "(3)" in digest.subject and "2 December 2026" not in digest.subject
    assert "Subject event 0" in digest.body and "Subject event 2" in digest.body
    assert Digest.objects.get().sent_at is not None
    # Something new the same evening waits for the next day's digest.
    with at(MONDAY, hour=19):
        notify(world.lead, kind="escalation", key="later", subject="Later that evening")
        assert delivery.send_digests()["sent"] == 0
    with at(MONDAY + dt.timedelta(days=1), hour=18):
        assert delivery.send_digests()["sent"] == 1
    assert "Later that evening" in mail.outbox[-1].body


@pytest.mark.django_db
def test_a_failed_digest_is_retried_and_then_sent_once(world):
    NotificationPreference.objects.create(user=world.lead, due_soon="digest", overdue="digest", other="digest")
    with at(MONDAY, hour=9):
        _notes(world.lead, 2)
    server = Recorder(fail=1)
    with at(MONDAY, hour=18) as traveller:
        assert delivery.send_digests(send=server)["failed"] == 1
        digest = Digest.objects.get()
        assert digest.attempts == 1 and "unavailable" in digest.error
        assert delivery.send_digests(send=server)["skipped"] == 1  # not yet time to retry
        traveller.shift(dt.timedelta(minutes=6))
        assert delivery.send_digests(send=server)["sent"] == 1
    assert len(server.sent) == 1


@pytest.mark.django_db
def test_the_commands_run_the_work_here_or_queue_it_for_the_worker(world, capsys):
    _notes(world.lead, 2)
    call_command("send_notifications", "--now")
    assert "2 sent" in capsys.readouterr().out
    _notes(world.lead, 1, prefix="more")
    call_command("send_notifications")  # the test settings run tasks at once (immediate backend)
    assert "Queued" in capsys.readouterr().out
    assert len(mail.outbox) == 3
    call_command("send_digests", "--now", "--day", "2026-11-02")
    assert "Digests: 0 sent" in capsys.readouterr().out
    with pytest.raises(Exception, match="2026-11-22"):
        call_command("send_digests", "--day", "22/11/2026")


@pytest.mark.django_db
def test_preferences_are_saved_per_person_and_audited(world):
    services.preference_update(actor=world.sw_a, due_soon="immediate", overdue="digest", other="none")
    pref = NotificationPreference.objects.get(user=world.sw_a)
    assert (pref.due_soon, pref.overdue, pref.other) == ("immediate", "digest", "none")
    notify(world.sw_a, kind="decision", key="d", subject="Decision")
    assert delivery.deliver_pending().sent == 0  # "none": in the service only


@pytest.mark.django_db
def test_a_batch_that_outlasts_its_lease_leaves_the_rest_to_the_worker_that_took_them(world):
    first, second = _notes(world.lead, 2)
    sent: list[str] = []

    def slow_server(message: Any) -> None:
        # While the first e-mail is sent, the lease runs out and another worker claims the second.
        Notification.objects.filter(pk=second.pk).update(
            email_claim_token="other-worker", email_claimed_until=timezone.now() + dt.timedelta(minutes=10)
        )
        sent.append(message.subject)

    outcome = delivery.deliver_pending(send=slow_server, max_batches=1)
    assert sent == [first.subject]
    assert (outcome.sent, outcome.lost_claims) == (1, 1)
    second.refresh_from_db()
    assert second.emailed_at is None and second.email_claim_token == "other-worker"
