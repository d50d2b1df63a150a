"""python manage.py issue_api_token USERNAME [--name "integration name"] [--user ADMIN | --system]"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from virtualschool.accounts.selectors import user_by_username
from virtualschool.accounts.services import api_token_issue

from ._options import add_actor_arguments, resolve_actor


class Command(BaseCommand):
    help = (
        "Print a new bearer token for an integration that acts with USERNAME's rights. The token is shown once: "
        "only its hash is kept. Revoke it with revoke_api_token."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", help="the account the integration acts as")
        parser.add_argument("--name", default="", help="what the token is for, e.g. 'Case management sync'")
        add_actor_arguments(parser, "accounts.add_apitoken")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = resolve_actor(options)
        user = user_by_username(options["username"])
        if user is None:
            raise CommandError(f"There is no user called {options['username']!r}.", returncode=2)
        try:
            issued = api_token_issue(actor=actor, user=user, name=options["name"])
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        except PermissionDenied as exc:
            raise CommandError(f"{options['user']}: {exc}") from exc
        # The token alone on standard output, so `TOKEN=$(manage.py issue_api_token …)` works; the rest to stderr.
        self.stdout.write(issued.raw)
        self.stderr.write(
            f"Token {issued.token.key_prefix}… acts as {user.username} ({user.get_role_display()}). "
            "Store it now: it cannot be shown again."
        )
