"""E-mail delivery of core.Notification rows, and each person's daily digest (ADR "escalation ladders and delivery").

The guarantee: one notification is e-mailed at most once however many workers run, and a worker that crashes
mid-batch leaves nothing lost.

1. Claim (one short transaction): pick pending rows with ``select_for_update(skip_locked=True)`` (on
   PostgreSQL two workers never pick the same row), then stamp them with this worker's token and a lease in an
   UPDATE that re-checks they are still unclaimed (so even where row locks do nothing, as on SQLite, only one
   worker's UPDATE matches a row). A row whose lease has run out (its worker crashed) may be claimed again.
2. Send each claimed row, outside any transaction.
3. Release (one transaction per row): only while the row still carries our token, stamp ``emailed_at`` and clear
   the claim; on failure count the attempt, keep the error, and set when to try again (backoff doubling), or
   give up after the policy's last attempt (``email_failed_at``).

The one window left is a crash between the mail server accepting a message and step 3's commit: that message
is sent again after the lease. Stamping each row as soon as it is sent keeps the window to one message.

People who choose the digest for a kind of notification get those rows in one e-mail a day instead
(``send_digests``): a ``Digest`` row per person and day is claimed the same way and its notifications stamped
in the transaction that records it sent.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.db import IntegrityError, connection, transaction
from django.db.models import Q, QuerySet
from django.template.loader import render_to_string
from django.utils import timezone

from virtualschool.core.models import Notification

from .models import Delivery, Digest, EscalationPolicy, NotificationPreference
from .selectors import policy_get

log = logging.getLogger(__name__)

# Which preference governs which kind of notification.
KIND_GROUP = {
    Notification.Kind.DUE_SOON: "due_soon",
    Notification.Kind.OVERDUE: "overdue",
}
GROUPS = ("due_soon", "overdue", "other")
DEFAULTS = {name: getattr(NotificationPreference._meta.get_field(name), "default", None) for name in GROUPS}


def _kinds_of(group: str) -> list[str]:
    if group == "other":
        return [k for k in Notification.Kind.values if k not in KIND_GROUP]
    return [k for k, g in KIND_GROUP.items() if g == group]


def delivery_q(mode: str) -> Q:
    """Notifications whose recipient's preference for their kind is `mode` (immediate, digest or none)."""
    result = Q(pk__in=[])
    for group in GROUPS:
        pref = f"recipient__notification_preference__{group}"
        chosen = Q(**{pref: mode})
        if DEFAULTS[group] == mode:
            chosen |= Q(recipient__notification_preference__isnull=True)
        result |= Q(kind__in=_kinds_of(group)) & chosen
    return result


def pending(now: dt.datetime) -> QuerySet[Notification]:
    """Rows still to e-mail that no live claim holds and whose retry time has come."""
    return Notification.objects.filter(
        Q(email_claimed_until__isnull=True) | Q(email_claimed_until__lt=now),
        Q(email_next_attempt_at__isnull=True) | Q(email_next_attempt_at__lte=now),
        email_wanted=True,
        emailed_at__isnull=True,
        email_failed_at__isnull=True,
        recipient__is_active=True,
    ).exclude(recipient__email="")


def _skip_locked(qs: QuerySet[Any]) -> QuerySet[Any]:
    if connection.features.has_select_for_update_skip_locked:
        return qs.select_for_update(skip_locked=True, of=("self",))
    return qs


def claim(ids_query: QuerySet[Any], *, now: dt.datetime, lease: dt.timedelta, limit: int, token: str) -> list[int]:
    """Claim up to `limit` rows of `ids_query` for `token`; the ids this worker now holds."""
    with transaction.atomic():
        candidates = list(_skip_locked(ids_query.order_by("created_at", "id")).values_list("pk", flat=True)[:limit])
        if not candidates:
            return []
        # Re-check in the UPDATE itself: only rows still unclaimed (or with a lapsed lease) are taken.
        Notification.objects.filter(
            Q(email_claimed_until__isnull=True) | Q(email_claimed_until__lt=now),
            pk__in=candidates,
            emailed_at__isnull=True,
        ).update(email_claim_token=token, email_claimed_until=now + lease)
    return list(
        Notification.objects.filter(pk__in=candidates, email_claim_token=token, emailed_at__isnull=True)
        .order_by("created_at", "id")
        .values_list("pk", flat=True)
    )


def _absolute(url: str) -> str:
    base = getattr(settings, "SERVICE_BASE_URL", "") or ""
    return f"{base.rstrip('/')}{url}" if url and base else url


def message_for(note: Notification) -> EmailMessage:
    body = render_to_string("escalations/email/notification.txt", {"note": note, "link": _absolute(note.url)})
    return EmailMessage(
        subject=note.subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[note.recipient.email]
    )


def _retry_at(policy: EscalationPolicy, attempts: int, now: dt.datetime) -> dt.datetime:
    return now + dt.timedelta(minutes=policy.email_backoff_minutes * 2 ** max(attempts - 1, 0))


def release_sent(pk: int, token: str) -> bool:
    """Stamp a sent row and drop the claim, only if we still hold it. False: another worker took it over."""
    with transaction.atomic():
        changed = Notification.objects.filter(pk=pk, email_claim_token=token, emailed_at__isnull=True).update(
            emailed_at=timezone.now(), email_claim_token="", email_claimed_until=None, email_error=""
        )
    return bool(changed)


def release_failed(pk: int, token: str, error: str, policy: EscalationPolicy) -> None:
    now = timezone.now()
    with transaction.atomic():
        note = Notification.objects.select_for_update().filter(pk=pk, email_claim_token=token).first()
        if note is None:
            return
        attempts = note.email_attempts + 1
        gave_up = attempts >= policy.email_max_attempts
        Notification.objects.filter(pk=pk).update(
            email_attempts=attempts,
            email_error=error[:500],
            email_claim_token="",
            email_claimed_until=None,
            email_next_attempt_at=None if gave_up else _retry_at(policy, attempts, now),
            email_failed_at=now if gave_up else None,
        )


@dataclass
class Outcome:
    sent: int = 0
    failed: int = 0
    lost_claims: int = 0
    batches: int = 0


Sender = Callable[[EmailMessage], Any]


def _default_send(message: EmailMessage) -> Any:
    return message.send(fail_silently=False)


def deliver_pending(*, send: Sender | None = None, max_batches: int | None = None) -> Outcome:
    """Send every notification due to be e-mailed now, batch by batch, as one worker."""
    send = send or _default_send
    policy = policy_get()
    lease = dt.timedelta(minutes=policy.email_lease_minutes)
    token = uuid.uuid4().hex
    outcome = Outcome()
    while max_batches is None or outcome.batches < max_batches:
        now = timezone.now()
        ids = claim(
            pending(now).filter(delivery_q(Delivery.IMMEDIATE)),
            now=now,
            lease=lease,
            limit=policy.email_batch_size,
            token=token,
        )
        if not ids:
            break
        outcome.batches += 1
        for note in Notification.objects.filter(pk__in=ids).select_related("recipient").order_by("created_at", "id"):
            if not _renew_claim(note.pk, token, lease):
                # The batch outlasted its lease and another worker may hold this one now: never send it twice.
                outcome.lost_claims += 1
                log.warning("Notification %s was left unsent: its claim lapsed before its turn", note.pk)
                continue
            try:
                send(message_for(note))
            except Exception as exc:
                log.warning("E-mail of notification %s failed: %s", note.pk, exc)
                release_failed(note.pk, token, f"{type(exc).__name__}: {exc}", policy)
                outcome.failed += 1
                continue
            if release_sent(note.pk, token):
                outcome.sent += 1
            else:
                outcome.lost_claims += 1
                log.error("Notification %s was sent after its claim lapsed: raise the lease", note.pk)
    return outcome


def _renew_claim(pk: int, token: str, lease: dt.timedelta) -> bool:
    """Extend this worker's claim on one notification just before sending it; False if the claim has lapsed."""
    now = timezone.now()
    return bool(
        Notification.objects.filter(pk=pk, email_claim_token=token, email_claimed_until__gt=now).update(
            email_claimed_until=now + lease
        )
    )


# ---------------------------------------------------------------------------------------------------------
# Daily digests
# ---------------------------------------------------------------------------------------------------------


def digest_candidates(day: dt.date) -> QuerySet[Any]:
    """People with notifications waiting for their digest up to the end of `day`."""
    end = timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))
    waiting = pending(timezone.now()).filter(delivery_q(Delivery.DIGEST), created_at__lt=end)
    return get_user_model().objects.filter(pk__in=waiting.values("recipient_id"))


def _claim_digest(user: Any, day: dt.date, token: str, lease: dt.timedelta) -> Digest | None:
    now = timezone.now()
    end = timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))
    with transaction.atomic():
        try:
            with transaction.atomic():
                Digest.objects.get_or_create(user=user, day=day)
        except IntegrityError:  # another worker made it this instant
            pass
        digest = _skip_locked(Digest.objects.filter(user=user, day=day)).first()
        if digest is None or digest.sent_at is not None or digest.failed_at is not None:
            return None
        if digest.claimed_until is not None and digest.claimed_until >= now:
            return None
        if digest.next_attempt_at is not None and digest.next_attempt_at > now:
            return None
        taken = Digest.objects.filter(
            Q(claimed_until__isnull=True) | Q(claimed_until__lt=now), pk=digest.pk, sent_at__isnull=True
        ).update(claim_token=token, claimed_until=now + lease)
        if not taken:
            return None
        # The notifications it covers: those waiting now, plus those it already claimed on an earlier attempt.
        waiting = pending(now).filter(delivery_q(Delivery.DIGEST), recipient=user, created_at__lt=end)
        ids = list(waiting.values_list("pk", flat=True))
        earlier = [pk for pk in digest.notification_ids if pk not in ids]
        ids += list(Notification.objects.filter(pk__in=earlier, emailed_at__isnull=True).values_list("pk", flat=True))
        Notification.objects.filter(pk__in=ids, emailed_at__isnull=True).update(
            email_claim_token=token, email_claimed_until=now + lease
        )
        Digest.objects.filter(pk=digest.pk).update(notification_ids=sorted(ids))
    digest.refresh_from_db()
    return digest


def digest_message(user: Any, day: dt.date, notes: list[Notification]) -> EmailMessage:
    subject = f"Your Virtual School notifications for {day.day} {day:%B %Y} ({len(notes)})"
    body = render_to_string(
        "escalations/email/digest.txt",
        {"user": user, "day": day, "items": [(n, _absolute(n.url)) for n in notes]},
    )
    return EmailMessage(subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[user.email])


def send_digest(user: Any, day: dt.date, *, send: Sender | None = None) -> str:
    """Send `user`'s digest for `day` once: 'sent', 'failed', 'empty' or 'skipped' (sent or held elsewhere)."""
    send = send or _default_send
    policy = policy_get()
    token = uuid.uuid4().hex
    digest = _claim_digest(user, day, token, dt.timedelta(minutes=policy.email_lease_minutes))
    if digest is None:
        return "skipped"
    notes = list(
        Notification.objects.filter(
            pk__in=digest.notification_ids, email_claim_token=token, emailed_at__isnull=True
        ).order_by("created_at", "id")
    )
    if not notes:
        with transaction.atomic():
            Digest.objects.filter(pk=digest.pk, claim_token=token).update(claim_token="", claimed_until=None)
        return "empty"
    try:
        send(digest_message(user, day, notes))
    except Exception as exc:
        now = timezone.now()
        attempts = digest.attempts + 1
        gave_up = attempts >= policy.email_max_attempts
        with transaction.atomic():
            Digest.objects.filter(pk=digest.pk, claim_token=token).update(
                attempts=attempts,
                error=f"{type(exc).__name__}: {exc}"[:500],
                claim_token="",
                claimed_until=None,
                next_attempt_at=None if gave_up else _retry_at(policy, attempts, now),
                failed_at=now if gave_up else None,
            )
            Notification.objects.filter(pk__in=[n.pk for n in notes], email_claim_token=token).update(
                email_claim_token="", email_claimed_until=None, email_error=f"Digest: {type(exc).__name__}"[:500]
            )
        return "failed"
    now = timezone.now()
    with transaction.atomic():
        if Digest.objects.filter(pk=digest.pk, claim_token=token).update(
            sent_at=now, claim_token="", claimed_until=None, error=""
        ):
            Notification.objects.filter(pk__in=[n.pk for n in notes], email_claim_token=token).update(
                emailed_at=now, email_claim_token="", email_claimed_until=None
            )
    return "sent"


def send_digests(day: dt.date | None = None, *, send: Sender | None = None) -> dict[str, int]:
    """Every waiting person's digest for `day` (today by default)."""
    day = day or timezone.localdate()
    counts: dict[str, int] = {"sent": 0, "failed": 0, "empty": 0, "skipped": 0}
    for user in digest_candidates(day).order_by("pk"):
        counts[send_digest(user, day, send=send)] += 1
    return counts
