"""Background work for accounts: e-mail goes through the task queue, never from the request."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django.tasks import task


@task
def send_account_email(*, subject: str, body: str, to: str) -> None:
    """Send one plain-text account e-mail (a password reset link). A failure raises, so the task shows as failed."""
    EmailMessage(subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[to]).send()
