"""Writes about people: accounts, their role and schools, bulk onboarding and API tokens.

Every service takes `actor`, checks the actor's permission and records an audit event in the same transaction.
`actor=None` means the system itself, and only the management commands' --system flag passes it.
Accounts are never deleted (audit rows point at them): they are deactivated.
"""

from __future__ import annotations

import csv
import io
import re
import uuid
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.template import loader
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from virtualschool.core import audit
from virtualschool.core.importing import ImportFileError, ImportReport, read_text
from virtualschool.core.models import AuditEvent
from virtualschool.core.permissions import require_unless_system

from .models import ApiToken, Role, User, hash_token
from .tasks import send_account_email

AUDITED_USER_FIELDS = ("username", "email", "full_name", "role", "team", "phone", "is_active", "is_staff")
EDITABLE_USER_FIELDS = frozenset({"email", "full_name", "role", "team", "phone"})
ROLES_WITH_SCHOOLS = frozenset({Role.DESIGNATED_TEACHER})


def _user_snapshot(user: User) -> dict[str, Any]:
    # Never the password hash: only the fields a person would recognise.
    return audit.snapshot(user, AUDITED_USER_FIELDS)


def _record_user(actor: User | None, user: User, before: dict[str, Any] | None, **context: Any) -> None:
    after = _user_snapshot(user)
    if before is None:
        changes = {k: [None, v] for k, v in after.items() if v not in (None, "")}
        action = AuditEvent.Action.CREATE
    else:
        changes = audit.diff(before, after)
        action = AuditEvent.Action.UPDATE
        if not changes:
            return
    audit.record(
        actor=actor,
        action=action,
        object_type="accounts.user",
        object_id=user.pk,
        object_repr=user.username,
        changes=changes,
        context=context,
    )


def normalise_email(email: str) -> str:
    """Trimmed, with the domain in lower case (the part before @ is left as the person wrote it)."""
    email = email.strip()
    local, at, domain = email.rpartition("@")
    return f"{local}@{domain.lower()}" if at else email


def _check_user(user: User) -> None:
    """Stop with errors that say what to fix, before the database's constraints would."""
    errors: dict[str, list[str]] = {}
    if not user.email:
        errors.setdefault("email", []).append("Enter an e-mail address: invitations and password resets go there.")
    elif User.objects.filter(email__iexact=user.email).exclude(pk=user.pk).exists():
        errors.setdefault("email", []).append(f"{user.email} is already the e-mail address of another account.")
    if User.objects.filter(username__iexact=user.username).exclude(pk=user.pk).exists():
        errors.setdefault("username", []).append(f"The username {user.username} is already taken.")
    if not user.full_name.strip():
        errors.setdefault("full_name", []).append("Enter the person's full name.")
    try:
        # Uniqueness is checked above, case-insensitively and with messages that name the clash.
        user.full_clean(exclude=["password"], validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            errors.setdefault(name, []).extend(messages)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def user_create(
    *,
    actor: User | None,
    username: str,
    email: str,
    full_name: str,
    role: str,
    team: str = "",
    phone: str = "",
) -> User:
    """Open an account. It has no password until the person sets one from their invitation link."""
    require_unless_system(actor, "accounts.add_user")
    user = User(
        username=username.strip(),
        email=normalise_email(email),
        full_name=full_name.strip(),
        role=role,
        team=team.strip(),
        phone=phone.strip(),
        # Only administrators (and superusers) use the Django admin.
        is_staff=role == Role.ADMINISTRATOR,
    )
    user.set_unusable_password()
    _check_user(user)
    user.save()
    _record_user(actor, user, None)
    return user


@transaction.atomic
def user_update(*, actor: User | None, user: User, **values: Any) -> User:
    """Change a person's e-mail, name, role, team or phone."""
    require_unless_system(actor, "accounts.change_user", user)
    unknown = set(values) - EDITABLE_USER_FIELDS
    if unknown:
        raise ValidationError(dict.fromkeys(sorted(unknown), "This field cannot be changed here."))
    user = User.objects.select_for_update().get(pk=user.pk)
    before = _user_snapshot(user)
    for name, value in values.items():
        if name == "email":
            value = normalise_email(value)
        elif isinstance(value, str):
            value = value.strip()
        setattr(user, name, value)
    user.is_staff = user.is_superuser or user.role == Role.ADMINISTRATOR
    _check_user(user)
    user.save()
    _record_user(actor, user, before)
    return user


@transaction.atomic
def user_password_set(*, user: User, raw_password: str, how: str) -> User:
    """A person sets their own password (after a reset link, or signed in); the audit says only that it changed."""
    user.set_password(raw_password)
    user.save(update_fields=["password"])
    audit.record(
        actor=user,
        action=AuditEvent.Action.UPDATE,
        object_type="accounts.user",
        object_id=user.pk,
        object_repr=user.username,
        changes={"password": ["(set)", "(changed)"]},  # never the password or its hash
        context={"how": how},
    )
    return user


@transaction.atomic
def user_deactivate(*, actor: User | None, user: User) -> User:
    """Close an account: the person cannot sign in and their API tokens stop working. Nothing is deleted."""
    require_unless_system(actor, "accounts.change_user", user)
    if actor is not None and actor.pk == user.pk:
        raise ValidationError("You cannot deactivate your own account. Ask another administrator.")
    user = User.objects.select_for_update().get(pk=user.pk)
    before = _user_snapshot(user)
    user.is_active = False
    user.save(update_fields=["is_active"])
    _record_user(actor, user, before)
    for token in ApiToken.objects.filter(user=user, revoked_at__isnull=True):
        _revoke(actor, token, reason="account deactivated")
    return user


@transaction.atomic
def user_reactivate(*, actor: User | None, user: User) -> User:
    """Reopen a closed account (its old API tokens stay revoked)."""
    require_unless_system(actor, "accounts.change_user", user)
    user = User.objects.select_for_update().get(pk=user.pk)
    before = _user_snapshot(user)
    user.is_active = True
    user.save(update_fields=["is_active"])
    _record_user(actor, user, before)
    return user


# --- invitations ---------------------------------------------------------------------------------------------


def user_invite(*, actor: User | None, user: User, base_url: str) -> None:
    """E-mail a person a link to set their own password (queued once the surrounding transaction commits)."""
    require_unless_system(actor, "accounts.add_user")
    parts = urlsplit(base_url)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise ValidationError(f"{base_url!r} is not the service's address: give one like https://vs.example.gov.uk")
    if not user.is_active:
        raise ValidationError(f"{user.username} is deactivated: reactivate the account before inviting them.")
    user_pk = user.pk

    def _send() -> None:
        fresh = User.objects.get(pk=user_pk)
        context = {
            "user": fresh,
            "uid": urlsafe_base64_encode(force_bytes(fresh.pk)),
            "token": default_token_generator.make_token(fresh),
            "protocol": parts.scheme,
            "domain": parts.netloc,
            "service_name": settings.SERVICE_NAME,
            "council_name": settings.COUNCIL_NAME,
            "valid_hours": settings.PASSWORD_RESET_TIMEOUT // 3600,
        }
        subject = "".join(loader.render_to_string("accounts/email/invitation_subject.txt", context).splitlines())
        body = loader.render_to_string("accounts/email/invitation.txt", context)
        send_account_email.enqueue(subject=subject, body=body, to=fresh.email)

    # The link's token depends on the saved account, so it is made only once the account is committed.
    transaction.on_commit(_send)


# --- bulk onboarding -----------------------------------------------------------------------------------------


class SchoolLinks(Protocol):
    """What onboarding needs from the school register. The schools app provides it, so that this app imports
    nothing above it (virtualschool.schools.importers.staff.SchoolStaffLinks)."""

    def unknown_urns(self, urns: Collection[int]) -> set[int]: ...

    def urns_of(self, user: User) -> set[int]: ...

    def set_urns(self, *, actor: User | None, user: User, urns: Collection[int]) -> None: ...


USER_COLUMNS = ("username", "email", "full_name", "role", "schools", "team")
REQUIRED_USER_COLUMNS = ("username", "email", "full_name", "role")
_HEADER_ALIASES = {
    "username": "username",
    "user": "username",
    "login": "username",
    "email": "email",
    "emailaddress": "email",
    "fullname": "full_name",
    "name": "full_name",
    "role": "role",
    "schools": "schools",
    "school": "schools",
    "schoolurns": "schools",
    "schoolurn": "schools",
    "urns": "schools",
    "urn": "schools",
    "team": "team",
    "locality": "team",
}
_URN_SEPARATORS = re.compile(r"[;,\s]+")
_username_validator = UnicodeUsernameValidator()


def _role_key(text: str) -> str:
    return re.sub(r"[^a-z0-9+]+", " ", text.lower()).strip()


_ROLE_NAMES: dict[str, str] = {}
for _role in Role:
    _ROLE_NAMES[_role_key(_role.value)] = _role.value
    _ROLE_NAMES[_role_key(_role.label)] = _role.value
    _ROLE_NAMES[_role_key(_role.name)] = _role.value


def parse_role(text: str) -> str | None:
    """A Role code from its code or label in any case ('vsh', 'Virtual School Head', 'designated teacher')."""
    return _ROLE_NAMES.get(_role_key(text))


def _read_rows(path: str | Path, label: str) -> Iterable[tuple[int, dict[str, str]]]:
    text, _encoding = read_text(path)
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if not header:
        raise ImportFileError(f"{label} is empty: it needs a header row naming {', '.join(REQUIRED_USER_COLUMNS)}.")
    positions: dict[str, int] = {}
    for index, name in enumerate(header):
        column = _HEADER_ALIASES.get(re.sub(r"[^a-z]", "", name.lower()))
        if column and column not in positions:
            positions[column] = index
    missing = [c for c in REQUIRED_USER_COLUMNS if c not in positions]
    if missing:
        raise ImportFileError(
            f"{label} has no {' or '.join(missing)} column. The header row must name "
            f"{', '.join(USER_COLUMNS)} (schools and team may be left out)."
        )

    def rows() -> Iterable[tuple[int, dict[str, str]]]:
        try:
            for row_no, cells in enumerate(reader, start=2):
                if not any(c.strip() for c in cells):
                    continue
                yield row_no, {c: (cells[i].strip() if i < len(cells) else "") for c, i in positions.items()}
        except csv.Error as exc:
            raise ImportFileError(f"{label} is not a readable CSV file near row {reader.line_num}: {exc}.") from exc

    return rows()


@dataclass
class _Row:
    row_no: int
    username: str
    email: str
    full_name: str
    role: str
    team: str
    urns: set[int]


def _validate_row(row_no: int, values: dict[str, str], report: ImportReport) -> _Row | None:
    before = len(report.rejects)
    username, email, full_name = values["username"], values["email"], values["full_name"]
    if not username:
        report.reject(row_no, "username", "", "username is required")
    elif len(username) > 150:
        report.reject(row_no, "username", username, "username must be at most 150 characters")
    else:
        try:
            _username_validator(username)
        except ValidationError:
            report.reject(row_no, "username", username, "username may contain only letters, digits and @ . + - _")
    if not email:
        report.reject(row_no, "email", "", "e-mail address is required")
    else:
        try:
            validate_email(email)
        except ValidationError:
            report.reject(row_no, "email", email, "not a valid e-mail address, like name@example.gov.uk")
    if not full_name:
        report.reject(row_no, "full_name", "", "full name is required")
    elif len(full_name) > 200:
        report.reject(row_no, "full_name", full_name, "full name must be at most 200 characters")
    role = parse_role(values["role"])
    if role is None:
        choices = "; ".join(f"{r.label} ({r.value})" for r in Role)
        report.reject(row_no, "role", values["role"], f"unknown role: use one of {choices}")
    team = values.get("team", "")
    if len(team) > 200:
        report.reject(row_no, "team", team, "team must be at most 200 characters")
    raw_schools = values.get("schools", "")
    urns: set[int] = set()
    for token in _URN_SEPARATORS.split(raw_schools):
        if not token:
            continue
        if token.isdigit() and token.isascii() and 0 < int(token) <= 2_147_483_647:
            urns.add(int(token))
        else:
            report.reject(row_no, "schools", token, "a school URN is a whole number, like 100000")
    if role in ROLES_WITH_SCHOOLS and not urns and not raw_schools:
        report.reject(row_no, "schools", "", "a designated teacher needs the URN of at least one school")
    elif role is not None and role not in ROLES_WITH_SCHOOLS and raw_schools:
        report.reject(
            row_no,
            "schools",
            raw_schools,
            f"a {Role(role).label} has no school: leave schools empty (only designated teachers have schools)",
        )
    if len(report.rejects) > before or role is None:
        return None
    return _Row(row_no, username, normalise_email(email), full_name, role, team, urns)


def _write_row(*, actor: User | None, row: _Row, existing: User | None, schools: SchoolLinks) -> tuple[str, User]:
    """Create or update one person and their schools; 'created', 'updated' or 'unchanged'."""
    if existing is None:
        user = user_create(
            actor=actor,
            username=row.username,
            email=row.email,
            full_name=row.full_name,
            role=row.role,
            team=row.team,
        )
        if row.urns:
            schools.set_urns(actor=actor, user=user, urns=row.urns)
        return "created", user
    wanted = {"full_name": row.full_name, "role": row.role, "team": row.team}
    changed = {k: v for k, v in wanted.items() if getattr(existing, k) != v}
    schools_changed = schools.urns_of(existing) != row.urns
    if not changed and not schools_changed:
        return "unchanged", existing
    user = user_update(actor=actor, user=existing, **changed) if changed else existing
    if schools_changed:
        schools.set_urns(actor=actor, user=user, urns=row.urns)
    return "updated", user


def users_import(
    *,
    actor: User | None,
    path: str | Path,
    schools: SchoolLinks,
    dry_run: bool = False,
    send_invites: bool = False,
    base_url: str = "",
    file_label: str | None = None,
) -> ImportReport:
    """Open and update accounts from a CSV (username, email, full_name, role, schools, team), row by row."""
    require_unless_system(actor, "accounts.add_user")
    require_unless_system(actor, "accounts.change_user")
    label = file_label or Path(path).name
    report = ImportReport(file=label, dry_run=dry_run)
    rows = _read_rows(path, label)
    if send_invites and not dry_run:
        address = urlsplit(base_url)
        if address.scheme not in {"http", "https"} or not address.netloc:
            raise ImportFileError(
                "To send invitations give the address people open the service at, like "
                "--base-url https://virtualschool.example.gov.uk (or set SERVICE_BASE_URL)."
            )

    valid: list[_Row] = []
    first_username: dict[str, int] = {}
    first_email: dict[str, int] = {}
    for row_no, values in rows:
        row = _validate_row(row_no, values, report)
        username_key, email_key = values["username"].lower(), values["email"].strip().lower()
        duplicate = False
        if username_key and username_key in first_username:
            report.reject(
                row_no,
                "username",
                values["username"],
                f"duplicate username in file (first on row {first_username[username_key]})",
            )
            duplicate = True
        if email_key and email_key in first_email:
            report.reject(
                row_no, "email", values["email"], f"duplicate e-mail in file (first on row {first_email[email_key]})"
            )
            duplicate = True
        first_username.setdefault(username_key, row_no)
        first_email.setdefault(email_key, row_no)
        if row is not None and not duplicate:
            valid.append(row)

    unknown = schools.unknown_urns({urn for row in valid for urn in row.urns})
    context = {"import_run": str(uuid.uuid4()), "file": label}
    invited = 0
    with transaction.atomic():
        for row in valid:
            missing = sorted(row.urns & unknown)
            if missing:
                report.reject(
                    row.row_no,
                    "schools",
                    " ".join(map(str, missing)),
                    "no school with this URN in the register: import the GIAS extract first or check the URN",
                )
                continue
            by_username = User.objects.filter(username__iexact=row.username).first()
            by_email = User.objects.filter(email__iexact=row.email).first()
            if by_username is not None and by_username.email.lower() != row.email.lower():
                report.reject(
                    row.row_no,
                    "username",
                    row.username,
                    "username is taken by an existing user with a different e-mail address",
                )
                continue
            if by_username is None and by_email is not None:
                report.reject(
                    row.row_no, "email", row.email, f"e-mail address already belongs to the user {by_email.username}"
                )
                continue
            try:
                # Each row is all or nothing: the person and their schools together.
                with transaction.atomic():
                    outcome, user = _write_row(actor=actor, row=row, existing=by_username, schools=schools)
            except ValidationError as exc:
                problems = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
                for column, messages in problems.items():
                    report.reject(row.row_no, column, str(getattr(row, column, "")), " ".join(messages))
                continue
            except (IntegrityError, PermissionDenied) as exc:
                report.reject(row.row_no, "", row.username, str(exc))
                continue
            setattr(report, outcome, getattr(report, outcome) + 1)
            # New people, and anyone invited before who has not yet set a password, get a (fresh) link.
            if send_invites and not dry_run and user.is_active and not user.has_usable_password():
                user_invite(actor=actor, user=user, base_url=base_url)
                invited += 1
        report.extra = {"invited": invited}
        report.rejects.sort(key=lambda r: r.row)
        if dry_run:
            transaction.set_rollback(True)
        else:
            audit.record(
                actor=actor,
                action=AuditEvent.Action.IMPORT,
                object_type="accounts.user",
                object_repr=f"User import of {label}"[:255],
                context={**context, **report.summary()},
            )
    return report


# --- API tokens ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class IssuedToken:
    """A new token. `raw` is shown once and never stored (only its SHA-256 hash is)."""

    token: ApiToken
    raw: str


@transaction.atomic
def api_token_issue(*, actor: User | None, user: User, name: str = "") -> IssuedToken:
    """Make a bearer token with which an integration acts with `user`'s rights."""
    require_unless_system(actor, "accounts.add_apitoken")
    user = User.objects.get(pk=user.pk)
    if not user.is_active:
        raise ValidationError(f"{user.username} is deactivated: an integration cannot act as a closed account.")
    name = name.strip()
    if len(name) > 200:
        raise ValidationError({"name": "Give the integration a name of at most 200 characters."})
    raw = ApiToken.generate_raw()
    token = ApiToken.objects.create(user=user, name=name, key_prefix=raw[:12], key_hash=hash_token(raw))
    audit.record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        object_type="accounts.apitoken",
        object_id=token.pk,
        object_repr=str(token),
        changes={"user": [None, user.username], "name": [None, name], "key_prefix": [None, token.key_prefix]},
    )
    return IssuedToken(token=token, raw=raw)


def _revoke(actor: User | None, token: ApiToken, *, reason: str = "") -> ApiToken:
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit.record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        object_type="accounts.apitoken",
        object_id=token.pk,
        object_repr=str(token),
        changes={"revoked_at": [None, token.revoked_at.isoformat()]},
        context={"reason": reason} if reason else {},
    )
    return token


@transaction.atomic
def api_token_revoke(*, actor: User | None, token: ApiToken) -> ApiToken:
    """Stop a token working, at once and for good."""
    require_unless_system(actor, "accounts.add_apitoken")
    token = ApiToken.objects.select_for_update().select_related("user").get(pk=token.pk)
    if token.revoked_at is not None:
        raise ValidationError(f"The token {token.key_prefix}… was already revoked on {token.revoked_at:%d %B %Y}.")
    return _revoke(actor, token)
