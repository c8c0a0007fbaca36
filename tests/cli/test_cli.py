"""The ``rolodex`` command, run as a real subprocess against real databases."""

from __future__ import annotations

import json
import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from tests import factories
from tests.conftest import LiveServer

_SCRIPT = Path(sys.executable).with_name("rolodex")
COMMAND = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-m", "rolodex.cli.main"]


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ROLODEX_")}
    env["COLUMNS"] = "200"  # keep rich from wrapping the lines tests read
    return env


def cli(
    *args: str, database: str | None = None, ok: bool = True
) -> subprocess.CompletedProcess[str]:
    argv = [*COMMAND, *args]
    if database is not None:
        argv += ["--database", database]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=60, env=_env())
    if ok:
        assert done.returncode == 0, (argv, done.stdout, done.stderr)
    return done


def one_line_error(done: subprocess.CompletedProcess[str], *words: str) -> str:
    """Assert a failed command printed one clear line and no traceback."""
    assert done.returncode == 1, (done.returncode, done.stdout, done.stderr)
    assert "Traceback" not in done.stderr + done.stdout, done.stderr
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error:"), done.stderr
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


def last_line(done: subprocess.CompletedProcess[str]) -> str:
    """``| tail -1``."""
    return done.stdout.rstrip("\n").rsplit("\n", 1)[-1]


def keys_json(db_url: str, *args: str) -> list[dict[str, Any]]:
    return json.loads(cli("keys", "list", "--json", *args, database=db_url).stdout)  # type: ignore[no-any-return]


def test_migrate(db_url: str) -> None:
    # The harness's databases are migrated already: migrating again is a no-op.
    done = cli("migrate", database=db_url).stdout
    assert "already up to date" in done and "nothing applied" in done
    assert json.loads(cli("migrate", "--json", database=db_url).stdout)["applied"] == []


def test_migrate_a_new_database(tmp_path: Path) -> None:
    fresh = f"sqlite:///{tmp_path / 'fresh.db'}"
    first = json.loads(cli("migrate", "--json", database=fresh).stdout)
    assert first["status"] == "migrated" and first["applied"][0] == "0001"
    assert first["applied"][-1] == first["revision"]
    assert cli("workspaces", "list", "--json", database=fresh).stdout.strip() == "[]"
    other = f"sqlite:///{tmp_path / 'other.db'}"
    said = cli("migrate", database=other).stdout
    # It says what it did, not "up to date" after creating every table.
    assert "up to date" not in said and f"Applied {len(first['applied'])} migrations" in said
    assert all(rev in said for rev in first["applied"])


def test_keys_create_prints_the_key_last(db_url: str) -> None:
    full = cli("keys", "create", "--name", "ci", database=db_url)
    secret = last_line(full)
    assert secret.startswith("rdx_") and " " not in secret
    assert secret not in full.stdout.rsplit("\n", 2)[0]  # shown once, on its own line
    reader = last_line(
        cli("keys", "create", "--name", "ro", "--scope", "record:read", database=db_url)
    )
    expiring = cli("keys", "create", "-n", "tmp", "--expires", "30d", "--json", database=db_url)
    info = json.loads(expiring.stdout.splitlines()[0])
    assert info["key"] == last_line(expiring) and info["name"] == "tmp"
    expires = datetime.fromisoformat(info["expiresAt"].replace("Z", "+00:00"))
    assert abs(expires - datetime.now(UTC) - timedelta(days=30)) < timedelta(minutes=5)

    with LiveServer(db_url) as live:
        with factories.http(live.url, secret) as c:
            p = factories.person(c, name="From CLI")
            assert p["createdBy"]["name"] == "ci"
        with factories.http(live.url, reader) as c:
            assert c.get("/rest/people").json()["totalCount"] == 1
            assert c.post("/rest/people", json={"name": "X"}).status_code == 403
        with factories.http(live.url, info["key"]) as c:
            assert c.get("/rest/people").status_code == 200

    listed = keys_json(db_url)
    assert [k["name"] for k in listed] == ["ci", "ro", "tmp"]
    assert [k["scopes"] for k in listed][1] == ["record:read"]
    text = json.dumps(listed)
    assert all(s not in text for s in (secret, reader, info["key"])) and "digest" not in text
    table = cli("keys", "list", database=db_url).stdout
    assert "ci" in table and "tmp" in table and secret not in table


def test_keys_revoke(db_url: str) -> None:
    made = cli("keys", "create", "--name", "doomed", "--json", database=db_url)
    key_id, secret = json.loads(made.stdout.splitlines()[0])["id"], last_line(made)
    with LiveServer(db_url) as live, factories.http(live.url, secret) as c:
        assert c.get("/rest/people").status_code == 200
        revoked = json.loads(cli("keys", "revoke", key_id, "--json", database=db_url).stdout)
        assert revoked["id"] == key_id and revoked["revokedAt"]
        deadline = time.monotonic() + 2.0
        while c.get("/rest/people").status_code != 401:
            assert time.monotonic() < deadline, "the revoked key still works after 2 s"
            time.sleep(0.1)
    # Revoking twice is harmless and keeps the first time.
    again = cli("keys", "revoke", key_id, database=db_url)
    assert "Revoked" in again.stdout
    assert keys_json(db_url)[0]["revokedAt"] == revoked["revokedAt"]


def test_workspaces(db_url: str) -> None:
    default_key = last_line(cli("keys", "create", "--name", "default", database=db_url))
    ws_id = last_line(cli("workspaces", "create", "Acme", database=db_url))
    acme_key = last_line(cli("keys", "create", "--name", "acme", "-w", "Acme", database=db_url))
    listed = json.loads(cli("workspaces", "list", "--json", database=db_url).stdout)
    assert [w["name"] for w in listed] == ["Default", "Acme"] and listed[1]["id"] == ws_id
    assert [(k["name"], k["workspaceId"]) for k in keys_json(db_url, "-w", ws_id)] == [
        ("acme", ws_id)
    ]
    with LiveServer(db_url) as live:
        with factories.http(live.url, acme_key) as c:
            factories.person(c, name="Acme Person")
        with factories.http(live.url, default_key) as c:
            assert c.get("/rest/people").json()["totalCount"] == 0


BAD_INPUT: list[tuple[list[str], list[str]]] = [
    (["keys", "create", "-n", "x", "--scope", "record:admin"], ["record:admin"]),
    (["keys", "create", "-n", "x", "--scope", "everything"], ["everything"]),
    (["keys", "create", "-n", "x", "--expires", "soon"], ["--expires"]),
    (["keys", "create", "-n", "x", "--expires", "2000-01-01T00:00:00Z"], ["future"]),
    (["keys", "create", "-n", "   "], ["name"]),
    (["keys", "create", "-n", "x", "-w", "Nowhere"], ["Nowhere"]),
    (["keys", "revoke", "not-a-uuid"], ["UUID"]),
    (["keys", "revoke", "00000000-0000-0000-0000-000000000000"], ["00000000"]),
    (["workspaces", "create", "Default"], ["Default"]),
    (["keys", "list", "--database", "mysql://localhost/x"], ["mysql"]),
]


@pytest.mark.slow
def test_bad_input_is_one_line_and_exit_1(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'x.db'}"
    cli("migrate", database=db)
    cli("workspaces", "create", "Default", database=db)

    def run(case: tuple[list[str], list[str]]) -> None:
        args, words = case
        database = None if "--database" in args else db
        one_line_error(cli(*args, database=database, ok=False), *words)

    # Independent commands: run them side by side to keep the suite quick.
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(run, BAD_INPUT))


def test_unreachable_database_is_one_line() -> None:
    done = cli("keys", "list", database="postgresql://nobody@127.0.0.1:1/none", ok=False)
    one_line_error(done, "127.0.0.1")


def test_help_for_every_command() -> None:
    from typer.testing import CliRunner

    from rolodex.cli.main import app

    top = cli("--help").stdout
    assert all(c in top for c in ("migrate", "serve", "keys", "workspaces"))
    runner = CliRunner()
    for command in (
        ["migrate"],
        ["serve"],
        ["version"],
        ["keys"],
        ["keys", "create"],
        ["keys", "list"],
        ["keys", "revoke"],
        ["workspaces"],
        ["workspaces", "create"],
        ["workspaces", "list"],
        ["members", "invite"],
        ["members", "list"],
    ):
        result = runner.invoke(app, [*command, "--help"], env={"COLUMNS": "200"})
        assert result.exit_code == 0 and "Usage" in result.output, (command, result.output)
    wide = runner.invoke(app, ["keys", "create", "--help"], env={"COLUMNS": "200"})
    assert "tail -1" in wide.output


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _pty_lines(master: int, into: queue.Queue[str]) -> None:
    """What a terminal shows, line by line (until the other side closes)."""
    buffer = b""
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:  # EIO: every writer has gone
            chunk = b""
        if not chunk:
            break
        buffer += chunk
        *lines, buffer = buffer.split(b"\n")
        for line in lines:
            into.put(line.decode(errors="replace").rstrip("\r"))


def _wait_healthy(url: str, proc: subprocess.Popen[Any], printed: Any) -> None:
    deadline = time.monotonic() + 30
    while True:
        assert proc.poll() is None, f"the server exited: {printed()}"
        assert time.monotonic() < deadline, f"no /healthz: {printed()}"
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)


def _stop(proc: subprocess.Popen[Any]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=5)


def test_serve_first_start(tmp_path: Path) -> None:
    import pty

    port = _free_port()
    db = f"sqlite:///{tmp_path / 'x.db'}"
    master, terminal = pty.openpty()  # the key is shown on a terminal only
    proc = subprocess.Popen(
        [*COMMAND, "serve", "--port", str(port), "--database", db],
        stdin=subprocess.DEVNULL,
        stdout=terminal,
        stderr=terminal,
        env=_env(),
        start_new_session=True,  # so the server's workers can be stopped as one group
    )
    os.close(terminal)
    out: queue.Queue[str] = queue.Queue()
    threading.Thread(target=_pty_lines, args=(master, out), daemon=True).start()
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, proc, lambda: "\n".join(list(out.queue)))
        printed = list(out.queue)
        keys = [line.strip() for line in printed if line.startswith("rdx_")]
        assert len(keys) == 1, printed
        with factories.http(url, keys[0]) as c:
            assert c.get("/rest/people").status_code == 200
            p = factories.person(c, name="John Doe", email="john.doe@example.com")
            assert c.get(f"/rest/people/{p['id']}").json()["data"]["person"]["name"] == "John Doe"
        # Beside the key, a one-time link signs the owner in to the console.
        links = [line.strip() for line in printed if "/console/link/" in line]
        assert len(links) == 1 and links[0].startswith(f"{url}/console/link/"), printed
        with httpx.Client() as browser:
            page = browser.get(links[0])
            token = re.search(r'name="csrf" value="([^"]+)"', page.text)
            assert token, page.text
            done = browser.post(
                f"{url}/console/link",
                data={"csrf": token.group(1), "token": links[0].rsplit("/", 1)[1]},
            )
            assert done.status_code == 303
            assert "owner" in browser.get(f"{url}/console/").text

        # A second server on the same port stops at once, before touching its database.
        other = tmp_path / "other.db"
        second = cli("serve", "--port", str(port), database=f"sqlite:///{other}", ok=False)
        one_line_error(second, f"port {port} is in use", "--port", "ROLODEX_PORT")
        assert not other.exists()
    finally:
        _stop(proc)
        os.close(master)
    assert [k["name"] for k in keys_json(db)] == ["first key"]


def test_first_start_key_never_reaches_a_log(tmp_path: Path) -> None:
    """Started without a terminal (output to a log), serve never writes a secret."""
    port = _free_port()
    db = f"sqlite:///{tmp_path / 'x.db'}"
    log = tmp_path / "serve.log"
    with log.open("w") as sink:
        proc = subprocess.Popen(
            [*COMMAND, "serve", "--port", str(port), "--database", db],
            stdin=subprocess.DEVNULL,
            stdout=sink,
            stderr=sink,
            env=_env(),
            start_new_session=True,  # and so no controlling terminal either
        )
    try:
        _wait_healthy(f"http://127.0.0.1:{port}", proc, log.read_text)
    finally:
        _stop(proc)
    written = log.read_text()
    assert "rdx_" not in written and "rolodex keys create" in written, written
    assert keys_json(db) == []  # no key nobody could read


def test_serve_port_out_of_range_is_a_usage_error() -> None:
    for port in ("99999", "0", "http"):
        done = cli("serve", "--port", port, ok=False)
        assert done.returncode == 2, (port, done.stdout, done.stderr)
        assert "Traceback" not in done.stderr + done.stdout and "--port" in done.stderr
