"""Scopes: what an API key may do, as ``resource:read`` / ``resource:read-write``."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from rolodex.kit.errors import Forbidden, ValidationError


class Scope(StrEnum):
    RECORD_READ = "record:read"
    RECORD_WRITE = "record:read-write"
    METADATA_READ = "metadata:read"
    METADATA_WRITE = "metadata:read-write"
    WEBHOOK_READ = "webhook:read"
    WEBHOOK_WRITE = "webhook:read-write"
    KEY_READ = "key:read"
    KEY_WRITE = "key:read-write"
    # Creates, suspends and deletes workspaces (/rest/workspaces): held by
    # "operator keys" only, never granted by ``all`` (see ALL_SCOPES).
    WORKSPACE_ADMIN = "workspace:admin"

    @property
    def resource(self) -> str:
        return self.value.split(":", 1)[0]

    @property
    def writes(self) -> bool:
        return self.value.endswith(":read-write") or self is Scope.WORKSPACE_ADMIN


# Everything within one workspace: what ``all`` and ``*`` grant, and a new
# key's default. The operator scope reaches across workspaces, so it is only
# ever granted by name.
ALL_SCOPES: frozenset[Scope] = frozenset(Scope) - {Scope.WORKSPACE_ADMIN}
OPERATOR_SCOPES: frozenset[Scope] = frozenset({Scope.WORKSPACE_ADMIN})

# Plural spellings are accepted on input; the singular, as in the seed's
# ``webhook:read``, is canonical.
_ALIASES = {
    "records": "record",
    "webhooks": "webhook",
    "keys": "key",
    "api-key": "key",
    "api_key": "key",
}


def parse_scope(text: str) -> set[Scope]:
    """One scope as a user writes it; ``all`` or ``*`` grants everything within a workspace."""
    value = text.strip()
    if value in ("all", "*"):
        return set(ALL_SCOPES)
    resource, _, access = value.partition(":")
    resource = _ALIASES.get(resource, resource)
    if access == "write":
        access = "read-write"
    try:
        return {Scope(f"{resource}:{access}")}
    except ValueError:
        allowed = ", ".join(s.value for s in Scope)
        raise ValidationError(
            f"Unknown scope {text!r}; use one of: {allowed}, or 'all'", field="scopes"
        ) from None


def parse_scopes(values: Iterable[str]) -> frozenset[Scope]:
    out: set[Scope] = set()
    for v in values:
        out |= parse_scope(v)
    return frozenset(out)


def allows(granted: frozenset[Scope], required: Scope) -> bool:
    """Whether ``granted`` covers ``required``; read-write implies read."""
    if required in granted:
        return True
    return not required.writes and Scope(f"{required.resource}:read-write") in granted


def require(granted: frozenset[Scope], required: Scope) -> None:
    """The one place scopes are checked: every route declares what it needs."""
    if not allows(granted, required):
        raise Forbidden(
            f"This API key lacks the '{required.value}' scope.", required_scope=required.value
        )
