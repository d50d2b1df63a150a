"""People who use the service, their role, and the API tokens integrations act with."""

from __future__ import annotations

import hashlib
import secrets

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models.functions import Lower


class Role(models.TextChoices):
    VIRTUAL_SCHOOL_HEAD = "vsh", "Virtual School Head"
    VIRTUAL_SCHOOL_LEAD = "lead", "Virtual School Lead"
    DATA_SPECIALIST = "data", "Data specialist"
    SEND_SPECIALIST = "send", "SEND specialist"
    SERVICE_MANAGER = "manager", "Service manager"
    DESIGNATED_TEACHER = "dt", "Designated teacher"
    SOCIAL_WORKER = "sw", "Social worker"
    REVIEWING_OFFICER = "iro", "Reviewing officer"
    PANEL_MEMBER = "panel", "PP+ panel member"
    ADMINISTRATOR = "admin", "Administrator"


# Roles whose work is the whole roll; everyone else sees only the children they work with.
WHOLE_ROLL_ROLES = frozenset(
    {Role.VIRTUAL_SCHOOL_HEAD, Role.VIRTUAL_SCHOOL_LEAD, Role.DATA_SPECIALIST, Role.SERVICE_MANAGER}
)
# Roles that maintain the roll, placements and school register.
ROLL_EDITOR_ROLES = frozenset({Role.VIRTUAL_SCHOOL_HEAD, Role.VIRTUAL_SCHOOL_LEAD, Role.DATA_SPECIALIST})


class User(AbstractUser):
    """A member of staff or partner professional. Access follows `role`."""

    full_name = models.CharField(max_length=200)
    role = models.CharField(max_length=10, choices=Role.choices)
    team = models.CharField(max_length=200, blank=True, help_text="Team or locality, for social care staff")
    phone = models.CharField(max_length=40, blank=True)

    REQUIRED_FIELDS = ["email", "full_name", "role"]

    class Meta:
        ordering = ["full_name"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_unique_case_insensitive"),
        ]

    def __str__(self) -> str:
        return self.full_name or self.username

    def get_full_name(self) -> str:
        return self.full_name or self.username

    def get_short_name(self) -> str:
        return (self.full_name or self.username).split(" ")[0]

    @property
    def sees_whole_roll(self) -> bool:
        return self.is_active and self.role in WHOLE_ROLL_ROLES


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A bearer token for an integration; it acts with its user's rights. Only the hash is stored."""

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="api_tokens")
    name = models.CharField(max_length=200, blank=True)
    key_prefix = models.CharField(max_length=12, help_text="The first characters, to recognise a token")
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.key_prefix}… for {self.user.username}"

    @staticmethod
    def generate_raw() -> str:
        return "vsm_" + secrets.token_urlsafe(32)
