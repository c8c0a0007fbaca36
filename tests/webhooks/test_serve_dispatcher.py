"""``rolodex serve`` delivers from a supervised child process: it delivers, hears the
server's signals, comes back after being killed, and stops with the server."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests import factories
from tests.webhooks.helpers import eventually, make_hook
from tests.webhooks.receiver import Receiver
from tests.webhooks.test_workers import COMMAND, _free_port, _wait_up


def _serve(db_url: str, port: int, log: Path, *extra: str) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ROLODEX_")}
    env.update(
        ROLODEX_WEBHOOK_ALLOW_PRIVATE="1",
        ROLODEX_WEBHOOK_SCHEDULE="0,0.2,0.2",
        ROLODEX_WEBHOOK_POLL="0.05",
    )
    argv = [*COMMAND, "serve", "--server", "uvicorn", "--port", str(port), "--database", db_url]
    with log.open("ab") as out:
        return subprocess.Popen(
            [*argv, *extra], env=env, stdout=out, stderr=out, start_new_session=True
        )


def _children(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` and that run ``rolodex worker``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid == pid and b"worker" in cmdline:
            found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.fixture
def serve_log(tmp_path: Path) -> Path:
    return tmp_path / "serve.log"


def test_serve_delivers_from_a_child_that_comes_back_after_a_kill(
    backend: str, db_url: str, api_key: str, serve_log: Path
) -> None:
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    with Receiver() as rx, Receiver() as rx2:
        proc = _serve(db_url, port, serve_log)
        try:
            _wait_up(url, proc)
            child = eventually(lambda: _children(proc.pid), timeout=15)
            assert len(child) == 1, child
            with factories.http(url, api_key) as c:
                hook = make_hook(c, rx.url, operations=["person.created"])
                factories.person(c, name="From the child")
                eventually(lambda: len(rx.requests) == 1, timeout=10)
                assert rx.requests[0].json()["data"]["name"] == "From the child"
                # The server tells the child to forget the webhook it just used:
                # the next delivery goes to the new URL at once.
                r = c.patch(f"/rest/webhooks/{hook['id']}", json={"targetUrl": rx2.url})
                assert r.status_code == 200, r.text
                factories.person(c, name="Moved")
                eventually(lambda: len(rx2.requests) == 1, timeout=10)
                assert len(rx.requests) == 1

                os.kill(child[0], signal.SIGKILL)
                eventually(lambda: not _alive(child[0]), timeout=10)
                factories.person(c, name="After the kill")  # waits for the new child
                again = eventually(lambda: _children(proc.pid), timeout=15)
                assert again != child
                eventually(lambda: len(rx2.requests) == 2, timeout=15)
                assert rx2.requests[1].json()["data"]["name"] == "After the kill"
                assert b"restarting" in serve_log.read_bytes()
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(20)
        # Stopping the server stops its child (no orphan left delivering).
        eventually(lambda: not any(_alive(p) for p in again), timeout=10)


def test_serve_dispatcher_inprocess_and_off(
    backend: str, db_url: str, api_key: str, serve_log: Path
) -> None:
    if backend != "sqlite":
        pytest.skip("the mode is chosen the same way on both backends")
    for mode, delivers in (("inprocess", True), ("off", False)):
        port = _free_port()
        url = f"http://127.0.0.1:{port}"
        with Receiver() as rx:
            proc = _serve(db_url, port, serve_log, "--dispatcher", mode)
            try:
                _wait_up(url, proc)
                assert _children(proc.pid) == []
                with factories.http(url, api_key) as c:
                    make_hook(c, rx.url, operations=["person.created"], name=mode)
                    factories.person(c, name=f"Mode {mode}")
                if delivers:
                    eventually(lambda rx=rx: len(rx.requests) >= 1, timeout=10)
                else:
                    time.sleep(1.0)
                    assert rx.requests == []
            finally:
                proc.send_signal(signal.SIGTERM)
                proc.wait(20)
