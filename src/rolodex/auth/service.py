"""Workspaces and API keys: creating, listing, revoking, and authenticating requests."""

from __future__ import annotations

import hashlib
import hmac
import math
import secrets
import time
import uuid
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, NoReturn

from rolodex.auth import repository
from rolodex.auth.ratelimit import FailureThrottle
from rolodex.auth.schemas import ApiKey, Principal
from rolodex.auth.scopes import ALL_SCOPES, Scope, parse_scopes
from rolodex.kit import clock, decode
from rolodex.kit.db import Conn, Database
from rolodex.kit.errors import Conflict, Forbidden, NotFound, Unauthenticated, ValidationError
from rolodex.kit.ids import parse_uuid, uuid7

KEY_PREFIX = "rdx_"
DEFAULT_WORKSPACE = "Default"


def digest(secret: str) -> str:
    """Keys are 256 random bits, so a plain SHA-256 is a safe, fast lookup digest."""
    return hashlib.sha256(secret.encode()).hexdigest()


def new_secret() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


class WorkspaceSuspended(Forbidden):
    """A key of a suspended workspace: refused everywhere until it is resumed."""

    code = "WORKSPACE_SUSPENDED"
    graphql_code = "WORKSPACE_SUSPENDED"


class WorkspaceDeleted(Forbidden):
    """A key of a workspace being deleted: refused from the moment deletion starts."""

    code = "WORKSPACE_DELETED"
    graphql_code = "WORKSPACE_DELETED"


# -- workspaces ---------------------------------------------------------------
def check_workspace_name(name: str) -> str:
    name = name.strip()
    if not name or len(name) > 200:
        raise ValidationError("A workspace name is 1 to 200 characters.", field="name")
    return name


async def create_workspace(conn: Conn, name: str, ws_id: uuid.UUID | None = None) -> uuid.UUID:
    """A new, empty workspace: one row; metadata comes from the built-in objects."""
    name = check_workspace_name(name)
    if await repository.find_workspace(conn, name) is not None:
        raise Conflict(f"A workspace named {name!r} already exists.", field="name")
    ws_id = ws_id or uuid7()
    await repository.insert_workspace(conn, ws_id, name)
    return ws_id


async def ensure_default_workspace(conn: Conn) -> tuple[uuid.UUID, bool]:
    """The first workspace, created on first start; and whether it was just made."""
    row = await repository.first_workspace(conn)
    if row is not None:
        first = row["id"]
        return (first if isinstance(first, uuid.UUID) else uuid.UUID(first)), False
    return await create_workspace(conn, DEFAULT_WORKSPACE), True


async def resolve_workspace(conn: Conn, ident: str | None) -> uuid.UUID:
    """A workspace by id or name; the first (default) workspace when none is named."""
    if ident is None:
        ws_id, _ = await ensure_default_workspace(conn)
        return ws_id
    row = await repository.find_workspace(conn, ident)
    if row is None:
        raise NotFound(f"No workspace {ident!r}.", field="workspace")
    return decode.uid(row["id"])


# -- keys ---------------------------------------------------------------------
async def create_key(
    conn: Conn,
    workspace_id: uuid.UUID,
    name: str,
    scopes: Iterable[Scope] | None = None,
    expires_at: datetime | None = None,
) -> tuple[ApiKey, str]:
    """A new key and its secret. The secret is returned here once and never stored."""
    name = name.strip()
    if not name or len(name) > 200:
        raise ValidationError("A key name is 1 to 200 characters.", field="name")
    granted = frozenset(scopes) if scopes is not None else ALL_SCOPES
    if not granted:
        raise ValidationError("A key needs at least one scope.", field="scopes")
    now = clock.now()
    if expires_at is not None and expires_at <= now:
        raise ValidationError("expiresAt must be in the future.", field="expiresAt")
    secret = new_secret()
    key = ApiKey(
        id=uuid7(),
        workspace_id=workspace_id,
        name=name,
        prefix=secret[:12],
        scopes=granted,
        created_at=now,
        expires_at=expires_at,
        revoked_at=None,
        last_used_at=None,
    )
    await repository.insert_key(
        conn,
        {
            "workspace_id": workspace_id,
            "id": key.id,
            "name": name,
            "prefix": key.prefix,
            "digest": digest(secret),
            "scopes": sorted(s.value for s in granted),
            "created_at": now,
            "expires_at": expires_at,
            "revoked_at": None,
            "last_used_at": None,
        },
    )
    return key, secret


async def list_keys(conn: Conn, workspace_id: uuid.UUID) -> list[ApiKey]:
    return await repository.list_keys(conn, workspace_id)


async def revoke_key(conn: Conn, workspace_id: uuid.UUID, key_id: uuid.UUID) -> ApiKey:
    key = await repository.get_key(conn, workspace_id, key_id)
    if key is None:
        raise NotFound(f"No API key {key_id} in this workspace.", field="id")
    if key.revoked_at is None:
        await repository.revoke_key(conn, workspace_id, key_id, clock.now())
        key = await repository.get_key(conn, workspace_id, key_id)
        assert key is not None
    return key


class KeyService:
    """The API keys of one workspace, for a session; bodies are JSON as sent."""

    def __init__(self, conn: Conn, workspace_id: uuid.UUID) -> None:
        self.conn = conn
        self.ws = workspace_id

    async def list(self) -> list[ApiKey]:
        return await list_keys(self.conn, self.ws)

    async def create(self, body: Any, *, held: frozenset[Scope]) -> tuple[ApiKey, str]:
        """A key from ``{name, scopes?, expiresAt?}`` and its secret; never more than ``held``."""
        if not isinstance(body, dict):
            raise ValidationError("The body must be a JSON object {name, scopes?, expiresAt?}.")
        unknown = set(body) - {"name", "scopes", "expiresAt"}
        if unknown:
            raise ValidationError(f"Unknown field '{sorted(unknown)[0]}'", field=sorted(unknown)[0])
        name = body.get("name")
        if not isinstance(name, str):
            raise ValidationError("name is required and must be a string", field="name")
        scopes_raw = body.get("scopes")
        if scopes_raw is not None and (
            not isinstance(scopes_raw, list) or not all(isinstance(s, str) for s in scopes_raw)
        ):
            raise ValidationError("scopes must be a list of strings", field="scopes")
        scopes = parse_scopes(scopes_raw) if scopes_raw is not None else None
        # A key cannot mint a key with more power than it has.
        if scopes is None:
            scopes = held
        elif not scopes <= held:
            raise ValidationError("A key cannot grant scopes it does not hold", field="scopes")
        expires = body.get("expiresAt")
        expires_at = clock.parse_datetime(expires, field="expiresAt") if expires else None
        return await create_key(self.conn, self.ws, name, scopes, expires_at)

    async def revoke(self, key_id: Any) -> ApiKey:
        return await revoke_key(self.conn, self.ws, parse_uuid(key_id))


class Authenticator:
    """Resolves bearer keys to principals, with a cache short enough for revocation.

    A key's row is re-read at most ``ttl`` seconds after it was last read, so
    a revoked key stops working within that time in every process. Digests
    that matched no key are remembered apart (``negative_ttl`` seconds, at most
    ``MAX_UNKNOWN``), so repeated invalid keys cost no database lookup and a
    flood of them cannot push valid keys out of the cache. Failures are
    charged to the client's address (``failures``): once it has none left,
    the address gets 429s and no lookups. Uses are remembered and written to
    ``last_used_at`` in batches by ``flush``.

    A key of a suspended workspace gets a 403 ``WORKSPACE_SUSPENDED`` (one of
    a workspace being deleted, ``WORKSPACE_DELETED``): the lookup joins the
    workspace's status, so the check costs nothing more, and it takes effect
    within ``ttl`` in every process (at once in the one that changed it, see
    ``forget_workspace``).
    """

    MAX_CACHED = 10_000
    MAX_UNKNOWN = 10_000

    def __init__(
        self,
        db: Database,
        ttl: float = 1.0,
        failures: FailureThrottle | None = None,
        negative_ttl: float = 10.0,
    ) -> None:
        self.db = db
        self.ttl = ttl
        self.negative_ttl = max(ttl, negative_ttl)
        self.failures = failures or FailureThrottle(0, 0)
        # digest -> (when read, principal, expiry as a time.time() value, workspace status)
        self._cache: dict[str, tuple[float, Principal, float, str]] = {}
        # digest -> when it was found to match no key; oldest first
        self._unknown: dict[str, float] = {}
        self._uses: dict[tuple[uuid.UUID, uuid.UUID], float] = {}

    async def authenticate(
        self, authorization: str | None, scope: Mapping[str, Any] | None = None
    ) -> Principal:
        """The caller of a request from its Authorization header and ASGI ``scope``."""
        secret = _bearer(authorization)
        d = digest(secret)
        now = time.monotonic()
        hit = self._cache.get(d)
        if hit is None or now - hit[0] >= self.ttl:
            hit = await self._lookup(d, now, scope)
        principal = hit[1]
        at = time.time()
        if principal.key.revoked_at is not None:
            self._fail(scope, "The API key has been revoked.")
        if hit[2] <= at:
            self._fail(scope, "The API key has expired.")
        if hit[3] != "active":
            if hit[3] == "suspended":
                raise WorkspaceSuspended(
                    "This API key's workspace is suspended; an operator can resume it."
                )
            raise WorkspaceDeleted("This API key's workspace has been deleted.")
        self._uses[(principal.workspace_id, principal.key.id)] = at
        return principal

    async def _lookup(
        self, d: str, now: float, scope: Mapping[str, Any] | None
    ) -> tuple[float, Principal, float, str]:
        """Read the key with digest ``d``, unless it is known not to exist or the
        address is out of failures; either way such a request costs no lookup."""
        seen = self._unknown.get(d)
        if seen is not None and now - seen < self.negative_ttl:
            self._fail(scope, "The API key is not valid.")
        self.failures.admit(self.failures.address(scope))
        async with self.db.connect() as conn:
            found = await repository.key_by_digest(conn, d)
        if found is None or not hmac.compare_digest(found[1], d):
            self._cache.pop(d, None)
            self._unknown.pop(d, None)
            if len(self._unknown) >= self.MAX_UNKNOWN:
                del self._unknown[next(iter(self._unknown))]  # the oldest
            self._unknown[d] = now
            self._fail(scope, "The API key is not valid.")
        key = found[0]
        expires = key.expires_at.timestamp() if key.expires_at is not None else math.inf
        if len(self._cache) >= self.MAX_CACHED:
            self._cache.clear()
        principal = Principal(key.workspace_id, key, key.actor)
        hit = self._cache[d] = (now, principal, expires, found[2])
        return hit

    def forget_workspace(self, workspace_id: uuid.UUID) -> None:
        """Drop a workspace's cached keys, so a status change applies at once here."""
        for d, hit in list(self._cache.items()):
            if hit[1].workspace_id == workspace_id:
                self._cache.pop(d, None)

    def _fail(self, scope: Mapping[str, Any] | None, message: str) -> NoReturn:
        """A 401, charged to the client's address; a 429 once it is out of failures."""
        self.failures.failed(self.failures.address(scope))
        raise Unauthenticated(message)

    async def flush(self) -> None:
        """Write the remembered ``last_used_at`` values; called every few seconds."""
        if not self._uses:
            return
        uses, self._uses = self._uses, {}
        try:
            async with self.db.transaction() as conn:
                await repository.touch_keys(
                    conn, [(ws, k, clock.from_timestamp(t)) for (ws, k), t in uses.items()]
                )
        except BaseException:
            # Kept for the next flush; a use since then is the later one.
            for key, t in uses.items():
                self._uses[key] = max(t, self._uses.get(key, t))
            raise


def _bearer(authorization: str | None) -> str:
    if not authorization:
        raise Unauthenticated(
            "Missing API key: send the header 'Authorization: Bearer YOUR_API_KEY'."
        )
    scheme, _, token = authorization.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise Unauthenticated("The Authorization header must be 'Bearer YOUR_API_KEY'.")
    if len(token) > 200:
        raise Unauthenticated("The API key is not valid.")
    return token
