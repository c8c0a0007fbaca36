"""Members' sign-in: passwords (argon2), console sessions and one-time links.

``MemberAuth`` works for no principal (it makes one, as the key
``Authenticator`` does): it signs members in and reads their session
cookies. ``MemberService`` is one workspace's members for a workspace
session: invitations, roles, passwords and signing out everywhere.

Every token (a session's, a link's) is ``<workspace id>.<256 random bits>``;
only the SHA-256 digest of the whole token is stored, under the workspace,
so a stolen database holds no usable token, and a lookup names its workspace.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import secrets
import uuid
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from rolodex.auth.ratelimit import FailureThrottle
from rolodex.kit import clock, decode
from rolodex.kit.db import Conn, Database, Row
from rolodex.kit.errors import NotFound, Unauthenticated, ValidationError
from rolodex.kit.ids import parse_uuid
from rolodex.members import repository
from rolodex.members.schemas import MemberPrincipal, Role, parse_role
from rolodex.metadata.registry import Registry
from rolodex.records.query import Cond, ListQuery
from rolodex.records.service import RecordService

SESSION_HOURS = 12
LINK_HOURS = 24
MIN_PASSWORD = 12
MAX_PASSWORD = 1024

_hasher = PasswordHasher()
# Verified against when no member has the email, so a miss costs what a hit does.
_DUMMY = _hasher.hash(secrets.token_urlsafe(16))


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token(ws: uuid.UUID) -> str:
    return f"{ws}.{secrets.token_urlsafe(32)}"


def token_workspace(token: str) -> uuid.UUID | None:
    """The workspace a token names, or None for a malformed one."""
    head, dot, rest = token.partition(".")
    if not dot or not rest or len(token) > 200:
        return None
    try:
        return uuid.UUID(head)
    except ValueError:
        return None


def csrf_token(session_token: str) -> str:
    """The form token of a session: derived from its secret, so nothing more is stored."""
    return hmac.new(session_token.encode(), b"console-csrf", hashlib.sha256).hexdigest()


def check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise ValidationError(
            f"A password is at least {MIN_PASSWORD} characters.", field="password"
        )
    if len(password) > MAX_PASSWORD:
        raise ValidationError("A password is at most 1024 characters.", field="password")
    return password


def _principal(row: Row) -> MemberPrincipal:
    return MemberPrincipal(
        workspace_id=decode.uid(row["workspace_id"]),
        member_id=decode.uid(row["member_id"]),
        name=row["name"] or row["email"],
        email=row["email"],
        role=Role(row["role"]),
    )


async def start_session(conn: Conn, principal: MemberPrincipal) -> str:
    """A new session for ``principal``: its cookie token (never stored)."""
    ws = principal.workspace_id
    now = clock.now()
    await repository.delete_expired_sessions(conn, ws, now)
    token = new_token(ws)
    expires = now + timedelta(hours=SESSION_HOURS)
    await repository.insert_session(conn, ws, digest(token), principal.member_id, now, expires)
    return token


async def new_link(conn: Conn, ws: uuid.UUID, member_id: uuid.UUID, hours: float) -> str:
    token = new_token(ws)
    now = clock.now()
    await repository.insert_link(
        conn, ws, digest(token), member_id, now, now + timedelta(hours=hours)
    )
    return token


class MemberAuth:
    """Signs members in and finds the member of a session cookie, for no principal."""

    def __init__(self, db: Database, failures: FailureThrottle) -> None:
        self.db = db
        self.failures = failures

    async def sign_in(
        self, email: str, password: str, scope: Mapping[str, Any] | None, old: str | None
    ) -> tuple[MemberPrincipal, str]:
        """A new session for the member with ``email`` and ``password``; the session
        ``old`` (the cookie the browser came with, if any) ends, so a session id
        planted before sign-in is never the signed-in one."""
        address = self.failures.address(scope)
        self.failures.admit(address)
        email = email.strip().lower()
        async with self.db.connect() as conn:
            rows = await repository.credentials_by_email(conn, email) if email else []
        # argon2 takes tens of milliseconds on purpose: off the event loop, and
        # outside any transaction.
        found = await asyncio.to_thread(_match, rows, password)
        if found is None:
            self.failures.failed(address)
            raise Unauthenticated("The email or password is not right.")
        principal = _principal(found)
        async with self.db.transaction() as conn:
            await self._end(conn, old)
            return principal, await start_session(conn, principal)

    async def redeem_link(
        self, token: str, scope: Mapping[str, Any] | None, old: str | None
    ) -> tuple[MemberPrincipal, str]:
        """Sign in with a one-time link: it is used up here, whatever follows."""
        address = self.failures.address(scope)
        self.failures.admit(address)
        ws = token_workspace(token)
        async with self.db.transaction() as conn:
            link = await repository.use_link(conn, ws, digest(token), clock.now()) if ws else None
            row = None
            if link is not None and ws is not None:
                row = await repository.credential(conn, ws, decode.uid(link["member_id"]))
            if row is None:
                self.failures.failed(address)
                raise Unauthenticated("This sign-in link is not valid: it is used or expired.")
            await self._end(conn, old)
            principal = _principal(row)
            return principal, await start_session(conn, principal)

    async def principal(self, token: str | None) -> MemberPrincipal | None:
        """The member of a session cookie, or None when it is missing, unknown or expired."""
        ws = token_workspace(token) if token else None
        if ws is None or token is None:
            return None
        async with self.db.connect() as conn:
            row = await repository.session(conn, ws, digest(token))
            if row is None:
                return None
            expires = decode.ts(row["expires_at"])
            if expires is None or expires <= clock.now():
                return None
            cred = await repository.credential(conn, ws, decode.uid(row["member_id"]))
        return None if cred is None else _principal(cred)

    async def sign_out(self, token: str | None) -> None:
        async with self.db.transaction() as conn:
            await self._end(conn, token)

    @staticmethod
    async def _end(conn: Conn, token: str | None) -> None:
        ws = token_workspace(token) if token else None
        if ws is not None and token is not None:
            await repository.delete_session(conn, ws, digest(token))


def _match(rows: list[Row], password: str) -> Row | None:
    """The first credential whose password this is; an unknown email costs the same."""
    hashed = [r for r in rows if r["password_hash"]]
    if not hashed:
        _verify(_DUMMY, password)
        return None
    for row in hashed:
        if _verify(row["password_hash"], password):
            return row
    return None


def _verify(hashed: str, password: str) -> bool:
    try:
        return _hasher.verify(hashed, password)
    except (VerificationError, InvalidHashError):
        return False


class MemberService:
    """One workspace's members, for a workspace session."""

    def __init__(
        self, conn: Conn, registry: Registry, workspace_id: uuid.UUID, records: RecordService
    ) -> None:
        self.conn = conn
        self.registry = registry
        self.ws = workspace_id
        self.records = records

    async def list(self) -> list[dict[str, Any]]:
        rows = await repository.list_credentials(self.conn, self.ws)
        return [
            {
                "id": str(decode.uid(r["member_id"])),
                "name": r["name"],
                "email": r["email"],
                "role": r["role"],
                "hasPassword": bool(r["password_hash"]),
            }
            for r in rows
        ]

    async def has_any(self) -> bool:
        return await repository.count_credentials(self.conn, self.ws) > 0

    async def invite(
        self, email: Any, role: Any, *, name: str | None = None, hours: float = LINK_HOURS
    ) -> tuple[dict[str, Any], str]:
        """A member with ``email`` and ``role`` (its ``member`` record made through the
        record service if there is none) and a one-time sign-in link token for it."""
        if not isinstance(email, str) or not email.strip():
            raise ValidationError("email is required", field="email")
        email = email.strip().lower()
        chosen = parse_role(role)
        obj = self.registry.object("member")
        found = await self.records.page(
            obj, ListQuery(filter=Cond("email", "eq", email), limit=1, with_total=False)
        )
        if found.records:
            member = found.records[0]
        else:
            member = await self.records.create(
                obj, {"name": name or email.split("@", 1)[0], "email": email}
            )
        member_id = parse_uuid(member["id"])
        now = clock.now()
        existing = await repository.credential_by_email(self.conn, self.ws, email)
        if existing is None:
            await repository.insert_credential(
                self.conn,
                {
                    "workspace_id": self.ws,
                    "member_id": member_id,
                    "email": email,
                    "role": chosen.value,
                    "password_hash": None,
                    "created_at": now,
                    "updated_at": now,
                },
            )
        else:
            member_id = decode.uid(existing["member_id"])
            await repository.update_credential(
                self.conn, self.ws, member_id, {"role": chosen.value, "updated_at": now}
            )
        token = await new_link(self.conn, self.ws, member_id, hours)
        return {"id": str(member_id), "email": email, "role": chosen.value}, token

    async def set_role(self, member_id: Any, role: Any) -> None:
        chosen = parse_role(role)
        mid = parse_uuid(member_id)
        changed = await repository.update_credential(
            self.conn, self.ws, mid, {"role": chosen.value, "updated_at": clock.now()}
        )
        if not changed:
            raise NotFound(f"No member {mid} in this workspace.", field="id")

    async def set_password(self, member_id: uuid.UUID, password: str) -> None:
        """Set a member's password; its other sessions end."""
        hashed = await asyncio.to_thread(_hasher.hash, check_password(password))
        await repository.update_credential(
            self.conn, self.ws, member_id, {"password_hash": hashed, "updated_at": clock.now()}
        )

    async def sign_out_everywhere(self, member_id: uuid.UUID) -> int:
        return await repository.delete_sessions(self.conn, self.ws, member_id)

    async def link(self, member_id: Any, hours: float = LINK_HOURS) -> str:
        mid = parse_uuid(member_id)
        if await repository.credential(self.conn, self.ws, mid) is None:
            raise NotFound(f"No member {mid} in this workspace.", field="id")
        return await new_link(self.conn, self.ws, mid, hours)
