"""Database access: a small async layer over asyncpg (PostgreSQL) and aiosqlite (SQLite).

SQLAlchemy Core builds every statement and owns the schema (through Alembic).
Statements are compiled once per shape and run straight on the driver:
building and executing ``select()`` through SQLAlchemy's async engine costs
about 3x a prepared asyncpg call (3,400 vs 9,700 calls/s, see
docs/performance.md), and the query layer, not PostgreSQL, would then dominate
a GET by id. asyncpg caches the prepared statement per connection.

Values cross this boundary as Python objects (UUID, datetime, dict/list for
JSON); the SQLite side stores them as text, with instants in the fixed-width
``clock.iso`` form so that text order is time order.
"""

from __future__ import annotations

import asyncio
import sqlite3
import uuid
from collections.abc import AsyncIterator, Callable, Hashable, Iterator, Mapping, Sequence
from contextlib import asynccontextmanager, contextmanager, suppress
from datetime import date, datetime
from typing import Any

import orjson
from sqlalchemy.dialects.postgresql.asyncpg import dialect as pg_dialect
from sqlalchemy.dialects.sqlite.pysqlite import dialect as sqlite_dialect
from sqlalchemy.sql import ClauseElement

from rolodex.config import Settings
from rolodex.kit import clock
from rolodex.kit.dberrors import translate
from rolodex.kit.errors import Unavailable
from rolodex.kit.lru import LRU
from rolodex.kit.pgpool import PgPool
from rolodex.kit.statements import Row, Sql, StatementAfterLast, writes

# Re-exported: the rest of the code imports these four from here, with the connections.


def sqlite_path(url: str) -> str:
    rest = url.split(":///", 1)[1] if ":///" in url else ""
    return rest or ":memory:"


def normalise_url(url: str) -> str:
    """Accept ``postgres://`` and SQLAlchemy-style driver suffixes as plain URLs."""
    for prefix in ("postgresql+asyncpg://", "postgresql+psycopg://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql://" + url[len(prefix) :]
    if url.startswith("sqlite+aiosqlite://"):
        return "sqlite://" + url[len("sqlite+aiosqlite://") :]
    return url


class Database:
    """A pool of connections to one database, and the statement cache for it."""

    def __init__(
        self, url: str, *, pool_size: int = 10, statement_cache: int | None = None
    ) -> None:
        self.url = normalise_url(url)
        if self.url.startswith("postgresql://"):
            self.kind = "postgresql"
            self.dialect: Any = pg_dialect(paramstyle="numeric_dollar")
        elif self.url.startswith("sqlite:"):
            self.kind = "sqlite"
            self.dialect = sqlite_dialect(paramstyle="qmark")
        else:
            raise ValueError(f"Unsupported database URL {url!r}: use sqlite:/// or postgresql://")
        self.sqlite = self.kind == "sqlite"
        self.pool_size = pool_size
        # Keys name statement shapes (an object's table, a filter's fields and
        # operators), so custom fields make them per workspace: bounded, least
        # recently used first out (ROLODEX_STATEMENT_CACHE).
        self._cache: LRU[Hashable, Sql] = LRU(
            statement_cache if statement_cache is not None else Settings().statement_cache
        )
        self._pg_pool: PgPool | None = None
        self._sqlite_pool: asyncio.Queue[Any] | None = None
        self._sqlite_all: list[Any] = []
        self._write_lock = asyncio.Lock()

    # -- statements -------------------------------------------------------
    def compile(self, clause: ClauseElement) -> Sql:
        compiled = clause.compile(dialect=self.dialect)
        names = tuple(getattr(compiled, "positiontup", None) or ())
        # Literal values built into a statement (JSON paths, say) still need the
        # dialect's bind processing; parameters passed at run time are ours.
        processors = getattr(compiled, "_bind_processors", {})
        defaults = {
            k: (processors[k](v) if k in processors and v is not None else v)
            for k, v in compiled.params.items()
        }
        return Sql(compiled.string, names, defaults)

    def sql(self, key: Hashable, build: Callable[[], ClauseElement]) -> Sql:
        """The compiled statement for ``key``, building it on first use."""
        stmt = self._cache.get(key)
        if stmt is None:
            stmt = self.compile(build())
            self._cache.put(key, stmt)
        return stmt

    # -- lifecycle --------------------------------------------------------
    async def open(self) -> None:
        if self.sqlite:
            import aiosqlite

            self._sqlite_pool = asyncio.Queue()
            for _ in range(max(2, min(self.pool_size, 4))):
                conn = await aiosqlite.connect(sqlite_path(self.url), isolation_level=None)
                conn.row_factory = sqlite3.Row
                for pragma in (
                    "journal_mode=WAL",
                    "synchronous=NORMAL",
                    "busy_timeout=10000",
                    "foreign_keys=OFF",
                    # LIKE is case-sensitive on PostgreSQL; make SQLite agree.
                    "case_sensitive_like=ON",
                ):
                    await conn.execute(f"PRAGMA {pragma}")
                # SQLite's lower() folds ASCII only; PostgreSQL's folds every letter.
                await conn.create_function("lower", 1, _lower, deterministic=True)
                self._sqlite_all.append(conn)
                self._sqlite_pool.put_nowait(conn)
        else:
            import asyncpg

            async def init(conn: Any) -> None:
                for typ in ("jsonb", "json"):
                    await conn.set_type_codec(
                        typ,
                        encoder=lambda v: orjson.dumps(v).decode(),
                        decoder=orjson.loads,
                        schema="pg_catalog",
                    )

            pool = PgPool(self.url, self.pool_size, init)
            try:
                await pool.open()
            except (OSError, asyncpg.PostgresError) as exc:
                raise Unavailable(f"Cannot connect to PostgreSQL: {exc}") from exc
            self._pg_pool = pool

    async def close(self) -> None:
        if self._pg_pool is not None:
            await self._pg_pool.close()
            self._pg_pool = None
        for conn in self._sqlite_all:
            await conn.close()
        self._sqlite_all.clear()
        self._sqlite_pool = None

    # -- connections ------------------------------------------------------
    @asynccontextmanager
    async def connect(self) -> AsyncIterator[Conn]:
        """A connection for reads; each statement sees the latest commit."""
        if self.sqlite:
            assert self._sqlite_pool is not None, "Database.open() was not called"
            raw = await self._sqlite_pool.get()
            try:
                yield SqliteConn(raw, self)
            finally:
                self._sqlite_pool.put_nowait(raw)
        else:
            pool = self._pg_pool
            assert pool is not None, "Database.open() was not called"
            raw = await pool.acquire()
            try:
                yield PgConn(raw, self)
            except BaseException as exc:
                await pool.release(raw, exc)
                raise
            await pool.release(raw)

    @asynccontextmanager
    async def transaction(self, *, deferred: bool = False) -> AsyncIterator[Conn]:
        """A connection inside one transaction: committed on exit, rolled back on error.

        ``deferred`` (PostgreSQL; what sessions use): BEGIN is sent with the
        first statement, so a unit of work that runs none costs no round trip,
        and a boundary may let its one write commit by itself (``PgConn.lone``).
        Code that drives ``conn.raw`` itself must not ask for it.
        """
        if self.sqlite:
            # SQLite has one writer; taking the write lock up front (BEGIN
            # IMMEDIATE) avoids the deadlock of two readers upgrading at once.
            # A cancelled await leaves its statement queued on the connection's
            # thread (a BEGIN still begins, a COMMIT may fail), so the ROLLBACK
            # queued after it is what keeps a connection from going back to the
            # pool inside a transaction, holding the write lock for good.
            async with self._write_lock, self.connect() as conn:
                assert isinstance(conn, SqliteConn)
                try:
                    await conn.raw.execute("BEGIN IMMEDIATE")
                    yield conn
                    await conn.raw.execute("COMMIT")
                except BaseException:
                    await _sqlite_rollback(conn.raw)
                    raise
        elif not deferred:
            async with self.connect() as conn:
                assert isinstance(conn, PgConn)
                async with conn.raw.transaction():
                    yield conn
        else:
            async with self.connect() as conn:
                assert isinstance(conn, PgConn)
                conn._deferred = conn.raw.transaction()
                try:
                    yield conn
                except BaseException:
                    await conn._end(commit=False)
                    raise
                await conn._end(commit=True)


async def _sqlite_rollback(raw: Any) -> None:
    """Roll back whatever ``raw`` has begun, if anything (its BEGIN may have failed)."""
    with suppress(sqlite3.OperationalError):  # "no transaction is active"
        await raw.execute("ROLLBACK")


class Conn:
    """One connection; every method takes a compiled ``Sql`` and named parameters.

    ``last=True`` says the statement is its unit of work's last write: where
    the boundary allowed it and no statement ran before it (``PgConn.lone``),
    it commits by itself, without BEGIN and COMMIT. Elsewhere it means nothing.
    """

    sqlite: bool

    def __init__(self, raw: Any, db: Database) -> None:
        self.raw = raw
        self.db = db

    @contextmanager
    def before_begin(self) -> Iterator[None]:
        """Statements in this block run ahead of a deferred transaction's BEGIN,
        each on its own (reads that need no transaction: the session's registry)."""
        yield

    async def fetch(
        self, sql: Sql, params: Mapping[str, Any] | None = None, *, last: bool = False
    ) -> list[Row]:
        raise NotImplementedError

    async def fetchrow(
        self, sql: Sql, params: Mapping[str, Any] | None = None, *, last: bool = False
    ) -> Row | None:
        rows = await self.fetch(sql, params, last=last)
        return rows[0] if rows else None

    async def fetchval(
        self, sql: Sql, params: Mapping[str, Any] | None = None, *, last: bool = False
    ) -> Any:
        row = await self.fetchrow(sql, params, last=last)
        return None if row is None else row[0]  # type: ignore[index]

    async def execute(
        self, sql: Sql, params: Mapping[str, Any] | None = None, *, last: bool = False
    ) -> int:
        raise NotImplementedError

    async def executemany(self, sql: Sql, rows: Sequence[Mapping[str, Any]]) -> None:
        raise NotImplementedError


class PgConn(Conn):
    """A PostgreSQL connection, perhaps in a deferred transaction
    (``Database.transaction(deferred=True)``)."""

    sqlite = False
    # A transaction not begun yet: BEGIN goes ahead of the first statement.
    _deferred: Any = None
    _begun: Any = None
    # Set by the boundary: the unit of work's ``last`` write may commit alone,
    # if it is also its first statement. One statement and no BEGIN or
    # COMMIT: three round trips become one, about 0.3 ms of client and 0.1 ms
    # of server CPU less per create (docs/performance.md, "One round trip").
    lone = False
    _ended = False  # a lone write committed: reads may follow, writes may not

    async def _ready(self, sql: Sql, last: bool) -> None:
        if self._ended:
            if writes(sql):
                raise StatementAfterLast("A write followed the unit of work's last statement.")
            return
        tx, self._deferred = self._deferred, None
        if last and self.lone:
            self._ended = True
            return
        await tx.start()
        self._begun = tx

    @contextmanager
    def before_begin(self) -> Iterator[None]:
        tx, self._deferred = self._deferred, None
        try:
            yield
        finally:
            self._deferred = tx

    async def _end(self, commit: bool) -> None:
        tx, self._begun, self._deferred = self._begun, None, None
        if tx is not None:
            await (tx.commit() if commit else tx.rollback())

    async def fetch(
        self, sql: Sql, params: Mapping[str, Any] | None = None, *, last: bool = False
    ) -> list[Row]:
        if self._deferred is not None or self._ended:
            await self._ready(sql, last)
        try:
            return await self.raw.fetch(sql.text, *sql.args(params or {}))
        except Exception as exc:
            raise translate(exc) from exc

    async def execute(
        self, sql: Sql, params: Mapping[str, Any] | None = None, *, last: bool = False
    ) -> int:
        if self._deferred is not None or self._ended:
            await self._ready(sql, last)
        try:
            status = await self.raw.execute(sql.text, *sql.args(params or {}))
        except Exception as exc:
            raise translate(exc) from exc
        tail = status.rsplit(" ", 1)[-1]
        return int(tail) if tail.isdigit() else 0

    async def executemany(self, sql: Sql, rows: Sequence[Mapping[str, Any]]) -> None:
        if not rows:
            return
        if self._deferred is not None or self._ended:
            await self._ready(sql, False)
        try:
            await self.raw.executemany(sql.text, [sql.args(r) for r in rows])
        except Exception as exc:
            raise translate(exc) from exc


def _lower(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else value


def _sqlite_value(v: Any) -> Any:
    if v is None or isinstance(v, str | int | float):
        return v
    if isinstance(v, uuid.UUID):
        return str(v)
    if isinstance(v, datetime):
        return clock.iso(v)
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, dict | list):
        return orjson.dumps(v).decode()
    return v


class SqliteConn(Conn):
    sqlite = True

    def _args(self, sql: Sql, params: Mapping[str, Any] | None) -> list[Any]:
        return [_sqlite_value(v) for v in sql.args(params or {})]

    async def fetch(
        self, sql: Sql, params: Mapping[str, Any] | None = None, *, last: bool = False
    ) -> list[Row]:
        try:
            async with self.raw.execute(sql.text, self._args(sql, params)) as cur:
                return list(await cur.fetchall())
        except Exception as exc:
            raise translate(exc) from exc

    async def execute(
        self, sql: Sql, params: Mapping[str, Any] | None = None, *, last: bool = False
    ) -> int:
        try:
            async with self.raw.execute(sql.text, self._args(sql, params)) as cur:
                return int(cur.rowcount)
        except Exception as exc:
            raise translate(exc) from exc

    async def executemany(self, sql: Sql, rows: Sequence[Mapping[str, Any]]) -> None:
        if not rows:
            return
        try:
            await self.raw.executemany(sql.text, [self._args(sql, r) for r in rows])
        except Exception as exc:
            raise translate(exc) from exc
