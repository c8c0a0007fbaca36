"""Shapes of the workspaces feature: a workspace as operators see it, and request bodies."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from rolodex.auth.scopes import Scope, parse_scopes
from rolodex.kit import clock
from rolodex.kit.errors import ValidationError
from rolodex.kit.ids import parse_uuid

STATUSES = ("active", "suspended", "deleting")
SETTABLE = ("active", "suspended")  # "deleting" is reached through DELETE only
DEFAULT_KEY_NAME = "default"


@dataclass(frozen=True, slots=True)
class Workspace:
    id: uuid.UUID
    name: str
    status: str
    created_at: datetime

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "name": self.name,
            "status": self.status,
            "createdAt": clock.iso(self.created_at),
        }


@dataclass(frozen=True, slots=True)
class KeyRequest:
    """The first key to mint with a workspace, or through ``/keys``."""

    name: str
    scopes: frozenset[Scope] | None
    expires_at: datetime | None


def _object(body: Any, fields: set[str], shape: str) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise ValidationError(f"The body must be a JSON object {shape}.")
    unknown = sorted(set(body) - fields)
    if unknown:
        raise ValidationError(f"Unknown field '{unknown[0]}'", field=unknown[0])
    return body


def _string(body: dict[str, Any], name: str, *, required: bool) -> str | None:
    value = body.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, str):
        raise ValidationError(f"{name} is required and must be a string", field=name)
    return value


def key_request(body: Any, *, field: str | None = None) -> KeyRequest:
    """``{name?, scopes?, expiresAt?}``; the default name is ``default``, scopes ``all``."""
    body = _object(body, {"name", "scopes", "expiresAt"}, "{name?, scopes?, expiresAt?}")
    name = _string(body, "name", required=False) or DEFAULT_KEY_NAME
    raw = body.get("scopes")
    if raw is not None and (not isinstance(raw, list) or not all(isinstance(s, str) for s in raw)):
        raise ValidationError("scopes must be a list of strings", field=field or "scopes")
    expires = body.get("expiresAt")
    if expires is not None and not isinstance(expires, str):
        raise ValidationError("expiresAt must be an ISO 8601 date-time", field="expiresAt")
    return KeyRequest(
        name=name,
        scopes=parse_scopes(raw) if raw is not None else None,
        expires_at=clock.parse_datetime(expires, field="expiresAt") if expires else None,
    )


@dataclass(frozen=True, slots=True)
class CreateRequest:
    name: str
    id: uuid.UUID | None
    key: KeyRequest | None  # None: no key wanted


def create_request(body: Any) -> CreateRequest:
    """``{name, id?, createKey?}``: ``createKey`` is a key request, ``true`` (the
    default: a key named ``default`` with every workspace scope) or ``false``."""
    body = _object(body, {"name", "id", "createKey"}, "{name, id?, createKey?}")
    name = _string(body, "name", required=True)
    assert name is not None
    ws_id = parse_uuid(body["id"]) if body.get("id") is not None else None
    raw = body.get("createKey", True)
    key: KeyRequest | None
    if raw is True:
        key = KeyRequest(DEFAULT_KEY_NAME, None, None)
    elif raw is False or raw is None:
        key = None
    elif isinstance(raw, dict):
        key = key_request(raw, field="createKey")
    else:
        raise ValidationError(
            "createKey is true, false or {name?, scopes?, expiresAt?}", field="createKey"
        )
    return CreateRequest(name, ws_id, key)


@dataclass(frozen=True, slots=True)
class UpdateRequest:
    name: str | None
    status: str | None


def update_request(body: Any) -> UpdateRequest:
    """``{name?, status?}`` with ``status`` ``active`` or ``suspended``."""
    body = _object(body, {"name", "status"}, "{name?, status?}")
    name = _string(body, "name", required=False)
    status = body.get("status")
    if status is not None and status not in SETTABLE:
        raise ValidationError("status is 'active' or 'suspended'", field="status")
    if name is None and status is None:
        raise ValidationError("Send name, status or both.")
    return UpdateRequest(name, status)
