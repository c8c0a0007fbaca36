"""``WorkspaceSession``: one principal's unit of work in its workspace.

A session is opened from a principal and an intent. To write, it holds a
transaction; to read, a pooled connection that refuses writes. It loads the
workspace's registry through the process's bounded cache, records changes as
the principal's actor, and builds each service the first time it is asked for,
so a request pays only for the services it uses.

Services that change what other parts of the process hold register effects
with ``after_commit``; the session runs them once the transaction has
committed, and drops them when it rolls back. Interfaces never call those
effects themselves.
"""

from __future__ import annotations

import enum
import logging
import uuid
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from types import TracebackType
from typing import TYPE_CHECKING, Any

from rolodex.auth.schemas import SYSTEM, Actor
from rolodex.auth.service import KeyService, resolve_workspace
from rolodex.consent.service import ConsentService
from rolodex.events.timeline import Timeline
from rolodex.kit.db import Conn, Database, PgConn
from rolodex.kit.effects import Effect
from rolodex.members.service import MemberService
from rolodex.metadata.objects import ObjectService
from rolodex.metadata.registry import Registry, RegistryCache
from rolodex.metadata.service import FieldService
from rolodex.records.aggregates import AggregateService
from rolodex.records.service import RecordService
from rolodex.search.service import Search
from rolodex.session.principal import LocalPrincipal, Principal
from rolodex.session.readonly import ReadOnlyConn, ReadOnlySession
from rolodex.session.shared import SerialConn
from rolodex.webhooks.service import WebhookService, WebhookSignals

if TYPE_CHECKING:
    from rolodex.auth.scopes import Scope

log = logging.getLogger("rolodex.session")

# How a command names a workspace: (connection, name or id or None) -> its id.
Resolver = Callable[[Conn, str | None], Awaitable[uuid.UUID]]


class Intent(enum.Enum):
    """What a session is opened for: reading (a connection) or writing (a transaction)."""

    READ = "read"
    WRITE = "write"


READ, WRITE = Intent.READ, Intent.WRITE


class Sessions:
    """Opens workspace sessions on one database: one per process (``AppState.sessions``),
    or one per command line run."""

    __slots__ = ("db", "registries", "webhook_signals")

    def __init__(
        self,
        db: Database,
        registries: RegistryCache,
        webhook_signals: WebhookSignals | None = None,
    ) -> None:
        self.db = db
        self.registries = registries
        # The in-process dispatcher, once started; None when there is none.
        self.webhook_signals = webhook_signals

    def open(
        self,
        principal: Principal,
        intent: Intent = READ,
        *,
        registry: Registry | None = None,
        lone: bool = False,
    ) -> WorkspaceSession:
        """A session for ``principal`` in its own workspace; use it with ``async with``.

        ``registry`` pins the registry already read for this request (a
        GraphQL document is checked and run against one); by default it is read
        through the cache. ``lone``: the boundary makes one service call and
        nothing after it, so a write that is its only statement may commit by
        itself (``kit.db.PgConn.lone``): a single create is one round trip.
        """
        return WorkspaceSession(self, principal, intent, registry, lone=lone)

    async def local(
        self,
        workspace: str | None,
        actor: Actor = SYSTEM,
        *,
        resolve: Resolver = resolve_workspace,
    ) -> LocalPrincipal:
        """The operator's principal in a workspace named by id or name (the first one,
        made if need be, when ``workspace`` is None): the command line's way in.
        ``resolve`` may accept more ways to name one (the CLI's unique id prefixes)."""
        async with self.db.transaction() as conn:
            ws = await resolve(conn, workspace)
        return LocalPrincipal(ws, actor)


class WorkspaceSession:
    """The connection, registry, actor and services of one unit of work."""

    __slots__ = (
        "_aggregates",
        "_consents",
        "_effects",
        "_fields",
        "_keys",
        "_members",
        "_objects",
        "_opener",
        "_records",
        "_search",
        "_sessions",
        "_timeline",
        "_webhooks",
        "actor",
        "conn",
        "intent",
        "lone",
        "principal",
        "registry",
        "workspace_id",
    )

    def __init__(
        self,
        sessions: Sessions,
        principal: Principal,
        intent: Intent,
        registry: Registry | None = None,
        *,
        lone: bool = False,
    ) -> None:
        self._sessions = sessions
        self.principal = principal
        self.intent = intent
        self.lone = lone
        # The principal's workspace, and no other: a session cannot be pointed elsewhere.
        self.workspace_id: uuid.UUID = principal.workspace_id
        self.actor: Actor = principal.actor
        self.registry: Registry = registry  # type: ignore[assignment]  # read on entry when None
        self.conn: Conn = None  # type: ignore[assignment]  # set on entry
        self._opener: AbstractAsyncContextManager[Conn] | None = None
        self._effects: list[Effect] | None = None  # made by the first after_commit
        self._records: RecordService | None = None
        self._fields: FieldService | None = None
        self._objects: ObjectService | None = None
        self._webhooks: WebhookService | None = None
        self._consents: ConsentService | None = None
        self._keys: KeyService | None = None
        self._members: MemberService | None = None
        self._timeline: Timeline | None = None
        self._aggregates: AggregateService | None = None
        self._search: Search | None = None

    @property
    def writes(self) -> bool:
        return self.intent is WRITE

    @property
    def scopes(self) -> frozenset[Scope]:
        return self.principal.scopes

    # -- the unit of work ------------------------------------------------------
    async def __aenter__(self) -> WorkspaceSession:
        if self._opener is not None:
            raise RuntimeError("A workspace session is entered once.")
        db = self._sessions.db
        opener = db.transaction(deferred=True) if self.intent is WRITE else db.connect()
        conn = await opener.__aenter__()
        self._opener = opener
        if self.lone and isinstance(conn, PgConn):
            conn.lone = True
        try:
            if self.registry is None:
                # Read ahead of BEGIN: the registry needs no transaction, and a
                # lone write must be its transaction's first statement.
                with conn.before_begin():
                    self.registry = await self._sessions.registries.get(conn, self.workspace_id)
        except BaseException as exc:
            await opener.__aexit__(type(exc), exc, exc.__traceback__)
            raise
        self.conn = conn if self.intent is WRITE else ReadOnlyConn(conn)
        return self

    async def __aexit__(
        self,
        typ: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self._opener is not None
        effects, self._effects = self._effects, None
        # Committed (or rolled back) here; a failing commit raises, and no effect runs.
        # The openers never swallow an exception, so neither does the session.
        await self._opener.__aexit__(typ, exc, tb)
        if typ is None and effects:
            for effect in effects:
                try:
                    effect()
                except Exception:  # the change is committed; an effect's failure is its own
                    log.exception("An after-commit effect failed")

    def share(self) -> None:
        """Let concurrent tasks (sibling GraphQL fields) use this session, one statement
        at a time: asyncpg refuses a second statement while one runs."""
        built = (
            self._records,
            self._fields,
            self._objects,
            self._webhooks,
            self._consents,
            self._aggregates,
        )
        if any(svc is not None for svc in built):
            raise RuntimeError("Share a session before its services are built.")
        if not isinstance(self.conn, SerialConn):
            self.conn = SerialConn(self.conn)

    def after_commit(self, effect: Effect) -> None:
        """Run ``effect`` once this session's transaction commits (never on a rollback).

        The same effect registered twice runs once.
        """
        if self.intent is not WRITE:
            raise ReadOnlySession("This session was opened to read; it commits nothing.")
        if self._effects is None:
            self._effects = [effect]
        elif effect not in self._effects:
            self._effects.append(effect)

    # -- services, built on first use ------------------------------------------
    @property
    def records(self) -> RecordService:
        svc = self._records
        if svc is None:
            svc = self._records = RecordService(
                self.conn, self.registry, self.workspace_id, self.actor
            )
        return svc

    @property
    def fields(self) -> FieldService:
        if self._fields is None:
            self._fields = FieldService(
                self.conn, self.registry, self.workspace_id, self.actor, **self._metadata_effects()
            )
        return self._fields

    @property
    def objects(self) -> ObjectService:
        if self._objects is None:
            self._objects = ObjectService(
                self.conn, self.registry, self.workspace_id, self.actor, **self._metadata_effects()
            )
        return self._objects

    @property
    def webhooks(self) -> WebhookService:
        if self._webhooks is None:
            writes = self.intent is WRITE
            self._webhooks = WebhookService(
                self.conn,
                self.registry,
                self.workspace_id,
                after_commit=self.after_commit if writes else None,
                signals=self._sessions.webhook_signals,
            )
        return self._webhooks

    @property
    def consents(self) -> ConsentService:
        if self._consents is None:
            self._consents = ConsentService(
                self.conn, self.registry, self.workspace_id, self.actor, records=self.records
            )
        return self._consents

    @property
    def keys(self) -> KeyService:
        if self._keys is None:
            self._keys = KeyService(self.conn, self.workspace_id)
        return self._keys

    @property
    def members(self) -> MemberService:
        if self._members is None:
            self._members = MemberService(
                self.conn, self.registry, self.workspace_id, records=self.records
            )
        return self._members

    @property
    def timeline(self) -> Timeline:
        if self._timeline is None:
            self._timeline = Timeline(self.conn, self.registry, self.workspace_id)
        return self._timeline

    @property
    def aggregates(self) -> AggregateService:
        """Grouped counts, sums, averages, minima and maxima (records/aggregates.py)."""
        if self._aggregates is None:
            self._aggregates = AggregateService(self.conn, self.registry, self.workspace_id)
        return self._aggregates

    @property
    def search(self) -> Search:
        """Ranked search across the workspace's objects (search/)."""
        if self._search is None:
            self._search = Search(self.conn, self.registry, self.workspace_id)
        return self._search

    def _metadata_effects(self) -> dict[str, Any]:
        if self.intent is not WRITE:
            return {}
        return {"after_commit": self.after_commit, "registries": self._sessions.registries}


__all__ = ["READ", "WRITE", "Intent", "ReadOnlySession", "Sessions", "WorkspaceSession"]
