"""python manage.py revoke_api_token PREFIX_OR_USERNAME [--user ADMIN | --system]"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from virtualschool.accounts.selectors import api_tokens_matching
from virtualschool.accounts.services import api_token_revoke

from ._options import add_actor_arguments, resolve_actor


class Command(BaseCommand):
    help = (
        "Revoke a token by the start of its prefix (as issue_api_token printed it, e.g. vsm_AbC12345), or every "
        "working token of a username."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("key", metavar="PREFIX_OR_USERNAME")
        add_actor_arguments(parser, "accounts.add_apitoken")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = resolve_actor(options)
        key = options["key"].strip().rstrip("…")
        tokens = list(api_tokens_matching(key))
        if not tokens:
            raise CommandError(f"No working token has the prefix or username {key!r}.", returncode=2)
        by_user = {t.user.username for t in tokens}
        if any(t.user.username != key for t in tokens) and len(tokens) > 1:
            listed = ", ".join(f"{t.key_prefix}… ({t.user.username})" for t in tokens)
            raise CommandError(f"{key!r} matches more than one token: {listed}. Give more of the prefix.", returncode=2)
        try:
            for token in tokens:
                api_token_revoke(actor=actor, token=token)
                self.stdout.write(f"Revoked {token.key_prefix}… ({token.name or 'no name'}) of {token.user.username}")
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        except PermissionDenied as exc:
            raise CommandError(f"{options['user']}: {exc}") from exc
        if len(by_user) == 1 and len(tokens) > 1:
            self.stdout.write(f"{len(tokens)} tokens revoked.")
