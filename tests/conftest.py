"""Fixtures: a fresh database per test (SQLite always, PostgreSQL when reachable)
and a real HTTP server on it.

Each test's database is cloned from a migrated template: a file copy on
SQLite, ``CREATE DATABASE ... TEMPLATE`` on PostgreSQL. Set
``ROLODEX_TEST_REQUIRE_POSTGRES=1`` (``.ci/run`` does) to fail rather than
skip when PostgreSQL is unreachable.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from rolodex.kit.migrate import upgrade
from tests import factories

PG_ADMIN = os.environ.get("ROLODEX_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
REQUIRE_PG = os.environ.get("ROLODEX_TEST_REQUIRE_POSTGRES") == "1"


def _pg_reachable() -> str | None:
    import psycopg

    try:
        with psycopg.connect(PG_ADMIN, connect_timeout=3):
            return None
    except Exception as exc:
        return str(exc)


_PG_ERROR = _pg_reachable()
if REQUIRE_PG and _PG_ERROR:
    raise pytest.UsageError(f"PostgreSQL is required but unreachable at {PG_ADMIN}: {_PG_ERROR}")


def _pg_url(dbname: str) -> str:
    base = PG_ADMIN.rsplit("/", 1)[0]
    return f"{base}/{dbname}"


def _pg_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(sql)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests marked ``slow`` first: run in parallel, a minute-long test that starts
    last keeps the whole run waiting for it alone."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


@pytest.fixture(scope="session")
def templates(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """Migrated template databases, made once per test session (and xdist worker)."""
    out: dict[str, str] = {}
    sqlite_file = tmp_path_factory.mktemp("template") / "template.db"
    upgrade(f"sqlite:///{sqlite_file}")
    out["sqlite"] = str(sqlite_file)
    pg_name = None
    if _PG_ERROR is None:
        worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
        pg_name = f"rolodex_tpl_{worker}_{os.getpid()}"
        _pg_admin(f'DROP DATABASE IF EXISTS "{pg_name}"')
        _pg_admin(f'CREATE DATABASE "{pg_name}"')
        upgrade(_pg_url(pg_name))
        out["postgresql"] = pg_name
    yield out
    if pg_name:
        _pg_admin(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    if request.param == "postgresql" and _PG_ERROR is not None:
        pytest.skip(f"PostgreSQL unreachable: {_PG_ERROR}")
    return str(request.param)


@pytest.fixture
def db_url(backend: str, templates: dict[str, str], tmp_path: Path) -> Iterator[str]:
    """A fresh, migrated database for this test alone."""
    if backend == "sqlite":
        path = tmp_path / "rolodex.db"
        shutil.copyfile(templates["sqlite"], path)
        yield f"sqlite:///{path}"
        return
    name = f"rolodex_t_{uuid.uuid4().hex[:12]}"
    _pg_admin(f'CREATE DATABASE "{name}" TEMPLATE "{templates["postgresql"]}"')
    try:
        yield _pg_url(name)
    finally:
        _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class LiveServer:
    """The Rolodex app served by uvicorn on a free loopback port, in a thread."""

    def __init__(self, db_url: str, **settings: object) -> None:
        import uvicorn

        from rolodex.app import create_app
        from rolodex.config import Settings

        defaults: dict[str, object] = {"database_url": db_url, "metadata_check_seconds": 0.0}
        defaults.update(settings)
        self.app = create_app(Settings(**defaults))  # type: ignore[arg-type]
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        # Without it, delayed ACKs add ~40 ms to every request.
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        config = uvicorn.Config(self.app, log_level="warning", lifespan="on")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        asyncio.run(self.server.serve(sockets=[self.sock]))

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 15
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("The test server did not start")
            time.sleep(0.01)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=15)
        self.sock.close()


@pytest.fixture
def server(db_url: str) -> Iterator[LiveServer]:
    with LiveServer(db_url) as live:
        yield live


@pytest.fixture
def api_key(db_url: str) -> str:
    """A key with every scope in the default workspace."""
    return factories.make_key(db_url)


@pytest.fixture
def client(server: LiveServer, api_key: str) -> Iterator[httpx.Client]:
    """An HTTP client for the live server, authenticated with ``api_key``."""
    with factories.http(server.url, api_key) as c:
        yield c


@pytest.fixture
def anon(server: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=30) as c:
        yield c
