"""What a signed-in member is: a principal like an API key's, with a role."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from enum import StrEnum

from rolodex.auth.schemas import Actor
from rolodex.auth.scopes import ALL_SCOPES, Scope
from rolodex.kit.errors import ValidationError


class Role(StrEnum):
    """Owners and admins manage keys, webhooks, members and the schema; members,
    records alone."""

    OWNER = "owner"
    ADMIN = "admin"
    MEMBER = "member"

    @property
    def manages(self) -> bool:
        return self is not Role.MEMBER


def parse_role(value: object) -> Role:
    try:
        return Role(str(value))
    except ValueError:
        raise ValidationError("role is owner, admin or member", field="role") from None


# A member reads the schema (to show records) and reads and writes records.
MEMBER_SCOPES: frozenset[Scope] = frozenset({Scope.RECORD_WRITE, Scope.METADATA_READ})


def scopes_of(role: Role) -> frozenset[Scope]:
    return ALL_SCOPES if role.manages else MEMBER_SCOPES


@dataclass(frozen=True, slots=True)
class MemberPrincipal:
    """A member signed in to the console: opens workspace sessions as a key's
    principal does (``session/principal.py``); changes are recorded as the member."""

    workspace_id: uuid.UUID
    member_id: uuid.UUID
    name: str
    email: str
    role: Role

    @property
    def actor(self) -> Actor:
        return Actor("member", str(self.member_id), self.name)

    @property
    def scopes(self) -> frozenset[Scope]:
        return scopes_of(self.role)

    @property
    def manages(self) -> bool:
        return self.role.manages
