"""Two server processes on one PostgreSQL database see each other's schema changes
without a restart: processes learn of metadata changes from the database."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest
from tests import factories


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def server_process(db_url: str) -> Iterator[str]:
    port = _free_port()
    env = {**os.environ, "ROLODEX_RATE_LIMIT": "0", "ROLODEX_DISPATCHER": "0"}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "rolodex.cli.main",
            "serve",
            "--server",
            "uvicorn",
            "--port",
            str(port),
            "--database",
            db_url,
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"server did not start: {proc.stderr.read()!r}")  # type: ignore[union-attr]
            time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def eventually(check, seconds: float = 3.0):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while True:
        try:
            return check()
        except AssertionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def test_a_field_made_in_one_process_is_served_by_another(db_url: str, backend: str) -> None:
    if backend != "postgresql":
        pytest.skip("several server processes share PostgreSQL; SQLite is one process's file")
    key = factories.make_key(db_url)
    with server_process(db_url) as a, server_process(db_url) as b:
        ca, cb = factories.http(a, key), factories.http(b, key)
        # B has served people (and cached its registry) before the change.
        assert cb.get("/rest/people").status_code == 200
        r = ca.post(
            "/rest/metadata/fields",
            json={"objectName": "person", "name": "leadScore", "type": "NUMBER"},
        )
        assert r.status_code == 201, r.text
        field_id = r.json()["data"]["createField"]["id"]

        def b_serves_it() -> None:
            r = cb.post("/rest/people", json={"name": "Ada", "leadScore": 87})
            assert r.status_code == 201, r.text
            assert r.json()["data"]["createPerson"]["leadScore"] == 87

        eventually(b_serves_it)
        doc = cb.get("/rest/open-api").json()
        assert "leadScore" in doc["components"]["schemas"]["Person"]["properties"]
        q = {"query": '{ __type(name: "Person") { fields { name } } }'}
        names = {f["name"] for f in cb.post("/graphql", json=q).json()["data"]["__type"]["fields"]}
        assert "leadScore" in names
        r = cb.get("/rest/people", params={"filter": "leadScore[gte]:80"})
        assert r.json()["totalCount"] == 1

        # Deactivated through B, hidden in A.
        assert cb.delete(f"/rest/metadata/fields/{field_id}").status_code == 200

        def a_hides_it() -> None:
            r = ca.post("/rest/people", json={"name": "Bob", "leadScore": 1})
            assert r.status_code == 400, r.text

        eventually(a_hides_it)
        ca.close()
        cb.close()
