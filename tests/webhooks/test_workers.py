"""Workers: several dispatchers sharing one backlog, crash recovery, and the CLI."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import pytest

from rolodex.kit.db import Database
from rolodex.webhooks.config import WebhookConfig
from rolodex.webhooks.dispatcher import Dispatcher
from tests import factories
from tests.conftest import LiveServer
from tests.webhooks.helpers import eventually, make_hook
from tests.webhooks.receiver import Receiver, Reply, Request

_SCRIPT = Path(sys.executable).with_name("rolodex")
COMMAND = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-m", "rolodex.cli.main"]


def backlog(db_url: str, api_key: str, url: str, count: int) -> dict[str, Any]:
    """A webhook and ``count`` undelivered person.created events (no dispatcher running)."""
    os.environ["ROLODEX_DISPATCHER"] = "0"
    try:
        with LiveServer(db_url) as live, factories.http(live.url, api_key) as c:
            hook = make_hook(c, url, operations=["person.created"])
            people = [{"name": f"Person {i}"} for i in range(count)]
            r = c.post("/rest/batch/people", json=people)
            assert r.status_code == 201, r.text
    finally:
        del os.environ["ROLODEX_DISPATCHER"]
    return hook


def test_two_workers_share_a_backlog_without_double_sends(
    backend: str, db_url: str, api_key: str
) -> None:
    if backend != "postgresql":
        pytest.skip("workers share work through PostgreSQL's SKIP LOCKED")
    accepted: Counter[str] = Counter()
    attempts: Counter[tuple[str, str]] = Counter()
    lock = threading.Lock()

    def respond(req: Request, _n: int) -> Reply:
        with lock:
            accepted[req.json()["eventId"]] += 1
            attempts[
                (req.header("X-Rolodex-Delivery-Id") or "", req.header("X-Rolodex-Attempt") or "")
            ] += 1
        return Reply(delay=0.002)

    count = 300
    with Receiver(respond) as rx:
        backlog(db_url, api_key, rx.url, count)

        async def work() -> tuple[int, int, int]:
            dbs = [Database(db_url), Database(db_url)]
            for db in dbs:
                await db.open()
            workers = [Dispatcher(db) for db in dbs]
            for w in workers:
                await w.start()
            try:
                deadline = time.monotonic() + 20
                while sum(accepted.values()) < count and time.monotonic() < deadline:
                    await asyncio.sleep(0.05)
                await asyncio.sleep(0.3)
            finally:
                for w in workers:
                    await w.stop()
            purged = await Dispatcher(dbs[0], config=WebhookConfig(retention=0)).purge_once()
            for db in dbs:
                await db.close()
            return workers[0].sent, workers[1].sent, purged

        sent_a, sent_b, purged = asyncio.run(work())
    assert len(accepted) == count
    assert set(accepted.values()) == {1}, "an event was delivered twice"
    assert set(attempts.values()) == {1}, "an attempt was sent twice"
    assert sent_a > 0 and sent_b > 0, (sent_a, sent_b)
    assert sent_a + sent_b == count
    assert purged == count  # retention 0: every finished delivery goes


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve(db_url: str, port: int, log: Path) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ROLODEX_")}
    env.update(
        ROLODEX_WEBHOOK_ALLOW_PRIVATE="1",
        ROLODEX_WEBHOOK_LEASE="1",
        ROLODEX_WEBHOOK_SCHEDULE="0,0.2,0.2,0.2,0.2,0.2,0.2,0.2,0.2,0.2",
        ROLODEX_WEBHOOK_TIMEOUT="30",
    )
    argv = [*COMMAND, "serve", "--server", "uvicorn", "--port", str(port), "--database", db_url]
    with log.open("ab") as out:
        return subprocess.Popen(argv, env=env, stdout=out, stderr=out, start_new_session=True)


def _wait_up(url: str, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert proc.poll() is None, "rolodex serve exited"
        try:
            if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    raise AssertionError("rolodex serve did not start")


def test_sigkill_between_commit_and_delivery_loses_nothing(
    backend: str, db_url: str, api_key: str, tmp_path: Path
) -> None:
    if backend != "sqlite":
        pytest.skip("one backend is enough for the crash test")
    hang = threading.Event()
    delivered: set[str] = set()

    def respond(req: Request, _n: int) -> Reply:
        if not hang.is_set():
            time.sleep(2)  # in flight when the server dies
            return Reply(503)
        delivered.add(req.json()["eventId"])
        return Reply()

    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log = tmp_path / "serve.log"
    with Receiver(respond) as rx:
        proc = _serve(db_url, port, log)
        try:
            _wait_up(url, proc)
            with factories.http(url, api_key) as c:
                make_hook(c, rx.url, operations=["person.created"])
                ids = [factories.person(c, name=f"Crash {i}")["id"] for i in range(20)]
            rx.wait_for(1, 10)  # deliveries are in flight
        finally:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)
        events = {str(e["id"]) for e in factories.events(db_url) if e["type"] == "person.created"}
        assert len(events) == len(ids) and not delivered
        hang.set()
        proc = _serve(db_url, port, log)
        try:
            _wait_up(url, proc)
            eventually(lambda: delivered == events, timeout=20)
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(15)


def _cli(*args: str, db_url: str, env: dict[str, str] | None = None) -> str:
    base = {k: v for k, v in os.environ.items() if not k.startswith("ROLODEX_")}
    base.update({"COLUMNS": "200", "ROLODEX_WEBHOOK_ALLOW_PRIVATE": "1", **(env or {})})
    done = subprocess.run(
        [*COMMAND, *args, "--database", db_url],
        capture_output=True,
        text=True,
        timeout=60,
        env=base,
    )
    assert done.returncode == 0, (args, done.stdout, done.stderr)
    return done.stdout


@pytest.mark.slow
def test_cli_and_worker(backend: str, db_url: str, api_key: str) -> None:
    if backend != "sqlite":
        pytest.skip("the CLI reads the database the same way on both backends")
    with Receiver() as rx:
        out = _cli(
            "webhooks", "create", "--url", rx.url, "-e", "person.*", "--name", "cli", db_url=db_url
        )
        secret = out.rstrip("\n").rsplit("\n", 1)[-1]
        assert secret.startswith("whsec_")
        listed = json.loads(_cli("webhooks", "list", "--json", db_url=db_url))
        hook_id = listed[0]["id"]
        assert listed[0]["operations"] == ["person.*"] and "secret" not in listed[0]
        out = _cli("webhooks", "update", hook_id, "--name", "renamed", "--json", db_url=db_url)
        assert json.loads(out)["name"] == "renamed"
        assert "Delivered person.created: HTTP 200" in _cli(
            "webhooks", "test", hook_id, db_url=db_url
        )
        assert rx.requests[0].json()["event"] == "person.created"

        os.environ["ROLODEX_DISPATCHER"] = "0"
        try:
            with LiveServer(db_url) as live, factories.http(live.url, api_key) as c:
                factories.person(c, name="Via worker")
        finally:
            del os.environ["ROLODEX_DISPATCHER"]
        env = {k: v for k, v in os.environ.items() if not k.startswith("ROLODEX_")}
        env.update(ROLODEX_WEBHOOK_ALLOW_PRIVATE="1", ROLODEX_WEBHOOK_POLL="0.05")
        worker = subprocess.Popen(
            [*COMMAND, "worker", "--database", db_url],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        try:
            rx.wait_for(2, 20)
        finally:
            worker.send_signal(signal.SIGTERM)
            output = worker.communicate(timeout=15)[0].decode()
        assert worker.returncode == 0, output
        assert rx.requests[1].json()["data"]["name"] == "Via worker"

        logged = json.loads(_cli("webhooks", "deliveries", hook_id, "--json", db_url=db_url))
        assert {d["status"] for d in logged} == {"succeeded"} and len(logged) == 2
        out = _cli("webhooks", "resend", hook_id, logged[0]["id"], db_url=db_url)
        assert "Queued" in out
        assert "Deleted webhook renamed" in _cli("webhooks", "delete", hook_id, db_url=db_url)
