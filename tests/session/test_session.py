"""The workspace session: effects after commit only, read sessions that cannot write,
and a principal that sees its own workspace and no other."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import pytest

from rolodex.auth import service as auth
from rolodex.auth.schemas import Actor
from rolodex.kit.db import Database
from rolodex.kit.errors import NotFound
from rolodex.metadata.registry import RegistryCache
from rolodex.session import READ, WRITE, LocalPrincipal, ReadOnlySession, Sessions

T = TypeVar("T")
ACTOR = Actor("system", None, "session tests")


class Boom(Exception):
    pass


def _run(db_url: str, work: Callable[[Sessions], Awaitable[T]], cache: float = 0.0) -> T:
    async def main() -> T:
        db = Database(db_url, pool_size=2)
        await db.open()
        try:
            return await work(Sessions(db, RegistryCache(cache)))
        finally:
            await db.close()

    return asyncio.run(main())


async def _workspace(sessions: Sessions, name: str | None = None) -> LocalPrincipal:
    async with sessions.db.transaction() as conn:
        ws = await auth.create_workspace(conn, name or f"ws-{uuid.uuid4().hex[:8]}")
    return LocalPrincipal(ws, ACTOR)


async def _people(sessions: Sessions, principal: LocalPrincipal) -> list[str]:
    async with sessions.open(principal) as s:
        page = await s.records.page(s.registry.object("person"), _query())
    return [r["firstName"] for r in page.records]


def _query() -> Any:
    from rolodex.records.query import ListQuery

    return ListQuery(limit=50)


def _person(first: str) -> dict[str, Any]:
    return {"firstName": first, "lastName": "Test"}


class Signals:
    """Records the dispatcher signals it is sent, in order."""

    def __init__(self) -> None:
        self.sent: list[str] = []

    def forget_webhooks(self) -> None:
        self.sent.append("forget")

    def wake(self) -> None:
        self.sent.append("wake")


def test_effects_run_after_commit_and_never_on_rollback(db_url: str) -> None:
    async def work(sessions: Sessions) -> None:
        principal = await _workspace(sessions)
        ran: list[str] = []

        async with sessions.open(principal, WRITE) as s:
            await s.records.create(s.registry.object("person"), _person("Kept"))
            s.after_commit(lambda: ran.append("committed"))
            assert ran == []  # not before the commit
        assert ran == ["committed"]

        with pytest.raises(Boom):
            async with sessions.open(principal, WRITE) as s:
                await s.records.create(s.registry.object("person"), _person("Gone"))
                s.after_commit(lambda: ran.append("rolled back"))
                raise Boom
        assert ran == ["committed"]
        assert await _people(sessions, principal) == ["Kept"]

    _run(db_url, work)


def test_the_same_effect_registered_twice_runs_once(db_url: str) -> None:
    async def work(sessions: Sessions) -> None:
        principal = await _workspace(sessions)
        ran: list[str] = []

        def effect() -> None:
            ran.append("x")

        async with sessions.open(principal, WRITE) as s:
            s.after_commit(effect)
            s.after_commit(effect)
        assert ran == ["x"]

    _run(db_url, work)


def test_metadata_changes_invalidate_the_cached_registry_after_commit_only(db_url: str) -> None:
    async def work(sessions: Sessions) -> None:
        principal = await _workspace(sessions)
        async with sessions.open(principal) as s:
            before = s.registry
        body = {"objectName": "person", "name": "tier", "type": "TEXT"}

        with pytest.raises(Boom):
            async with sessions.open(principal, WRITE) as s:
                await s.fields.create(body)
                raise Boom
        async with sessions.open(principal) as s:
            assert s.registry is before  # rolled back: the cached registry still holds

        async with sessions.open(principal, WRITE) as s:
            await s.fields.create(body)
            async with sessions.open(principal) as inside:
                assert inside.registry is before  # not yet committed
        async with sessions.open(principal) as s:
            assert s.registry is not before
            assert "tier" in s.registry.object("person").fields

    # A long check interval: only the session's effect can refresh the registry.
    _run(db_url, work, cache=3600.0)


def test_webhook_signals_are_sent_by_the_service_after_commit_only(db_url: str) -> None:
    async def work(sessions: Sessions) -> None:
        signals = Signals()
        sessions.webhook_signals = signals
        principal = await _workspace(sessions)

        async with sessions.open(principal) as s:
            await s.webhooks.page(10, 0)
        assert signals.sent == []  # reading signals nothing

        with pytest.raises(Boom):
            async with sessions.open(principal, WRITE) as s:
                await s.webhooks.page(10, 0)
                raise Boom
        assert signals.sent == []

        async with sessions.open(principal, WRITE) as s:
            await s.webhooks.page(10, 0)
            assert signals.sent == []
        assert signals.sent == ["forget", "wake"]

    _run(db_url, work)


def test_a_read_session_cannot_write(db_url: str) -> None:
    async def work(sessions: Sessions) -> None:
        principal = await _workspace(sessions)
        async with sessions.open(principal, READ) as s:
            person = s.registry.object("person")
            with pytest.raises(ReadOnlySession):
                await s.records.create(person, _person("Never"))
            with pytest.raises(ReadOnlySession):
                s.after_commit(lambda: None)
        async with sessions.open(principal, READ) as s:
            with pytest.raises(ReadOnlySession):
                await s.fields.create({"objectName": "person", "name": "nope", "type": "TEXT"})
        assert await _people(sessions, principal) == []
        async with sessions.open(principal) as s:
            assert "nope" not in s.registry.object("person").fields

    _run(db_url, work)


def test_a_principal_of_another_workspace_never_sees_this_one(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ROLODEX_WEBHOOK_ALLOW_PRIVATE", "1")

    async def work(sessions: Sessions) -> None:
        ours, theirs = await _workspace(sessions), await _workspace(sessions)
        async with sessions.open(ours, WRITE) as s:
            mine = await s.records.create(s.registry.object("person"), _person("Ours"))
            hook = await s.webhooks.create({"targetUrl": "http://127.0.0.1:9/hook"})
        async with sessions.open(theirs, WRITE) as s:
            assert s.workspace_id == theirs.workspace_id != ours.workspace_id
            person = s.registry.object("person")
            assert (await s.records.page(person, _query())).records == []
            with pytest.raises(NotFound):
                await s.records.get(person, mine["id"])
            with pytest.raises(NotFound):
                await s.records.update(person, mine["id"], _person("Taken"))
            with pytest.raises(NotFound):
                await s.webhooks.get(hook.id)
            assert (await s.webhooks.page(10, 0))[1] == 0
            with pytest.raises(NotFound):
                await s.timeline.page("person", mine["id"], limit=10, after=None)
        assert await _people(sessions, ours) == ["Ours"]

    _run(db_url, work)


def test_services_are_built_once_and_only_when_asked_for(db_url: str) -> None:
    async def work(sessions: Sessions) -> None:
        principal = await _workspace(sessions)
        async with sessions.open(principal) as s:
            assert s._records is None and s._webhooks is None
            assert s.records is s.records
            assert s._webhooks is None
            assert s.actor == ACTOR

    _run(db_url, work)


def test_a_lone_create_is_one_statement_that_commits_by_itself(db_url: str) -> None:
    from rolodex.kit.db import StatementAfterLast
    from rolodex.kit.errors import Conflict

    async def work(sessions: Sessions) -> None:
        principal = await _workspace(sessions)
        person = {**_person("Alone"), "emails": {"primaryEmail": "alone@example.com"}}
        async with sessions.open(principal, WRITE, lone=True) as s:
            await s.records.create(s.registry.object("person"), person)
            if not sessions.db.sqlite:
                # Committed already, with no BEGIN: the record is there for others.
                assert not s.conn.raw.is_in_transaction()
                assert await _people(sessions, principal) == ["Alone"]
                # The boundary promised one call: a second write is refused loudly.
                with pytest.raises(StatementAfterLast):
                    await s.records.create(s.registry.object("person"), _person("Second"))
        assert await _people(sessions, principal) == ["Alone"]
        # A clash is found by its insert and named by a read after it: a 409, as ever.
        with pytest.raises(Conflict):
            async with sessions.open(principal, WRITE, lone=True) as s:
                await s.records.create(s.registry.object("person"), {**person, "firstName": "B"})
        assert await _people(sessions, principal) == ["Alone"]

    _run(db_url, work)
