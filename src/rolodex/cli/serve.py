"""``rolodex serve``: check the port, prepare the database, then run the server."""

from __future__ import annotations

import contextlib
import errno
import os
import socket
import sys
from typing import IO

import typer

from rolodex import __version__
from rolodex.cli.common import DatabaseOption, database_url, fail, out, run


def check_port(host: str, port: int) -> None:
    """Stop at once if ``host:port`` cannot be listened on.

    granian and uvicorn may bind with SO_REUSEPORT, so a second server on a busy
    port would start and share it (and the SQLite file) with the first. This
    bind does not set it, so it fails while any other process listens there.
    """
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        fail(f"Cannot listen on {host!r}: {exc.strerror}")
        return
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as sock:
        # Lets a restart bind over connections still in TIME_WAIT; on Linux it
        # never allows binding beside a socket that is listening.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(address)
            sock.listen(1)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                fail(
                    f"port {port} is in use (on {host}): stop the other server, or choose "
                    "another port with --port or ROLODEX_PORT."
                )
            fail(f"Cannot listen on {host}:{port}: {exc.strerror or exc}")


def _terminal() -> IO[str] | None:
    """Where a secret may be shown: a terminal, never a pipe or a log file."""
    for stream in (sys.stdout, sys.stderr):
        if stream.isatty():
            return stream
    try:
        return open("/dev/tty", "w")  # closed by the caller
    except OSError:  # no controlling terminal: a service, a container, a test
        return None


def first_start(url: str, base: str = "http://127.0.0.1:8080") -> None:
    """Create the database, the default workspace and, when a terminal can show it, a key,
    and a one-time console sign-in link for the owner while the workspace has no member.

    The key's secret and the link are written to the terminal alone, never through
    logging or to redirected output, so they cannot end up in the server's log.
    Without a terminal neither is made, and the message says how to make them.
    """
    from rolodex.auth import repository, service
    from rolodex.kit.db import Conn

    terminal = _terminal()

    async def work(conn: Conn) -> str | None:
        ws, _ = await service.ensure_default_workspace(conn)
        if await repository.count_keys(conn, ws) != 0:
            return None
        if terminal is None:
            return ""
        _, secret = await service.create_key(conn, ws, "first key")
        return secret

    secret = run(url, work, create=True)
    link = _owner_link(url, base) if terminal is not None else None
    if link is not None:
        assert terminal is not None
        terminal.write(
            "Sign in to the console as the workspace's owner with this one-time link "
            "(valid for 24 hours, then set a password there):\n"
            f"{link}\n"
        )
        terminal.flush()
    if secret is None:
        return
    if terminal is None:
        out.print(
            "The workspace has no API key yet. Its secret is shown on a terminal only, never "
            "in a log. Create one with: rolodex keys create --name admin (with the same "
            "--database).",
        )
        return
    with contextlib.ExitStack() as stack:
        if terminal not in (sys.stdout, sys.stderr):
            stack.callback(terminal.close)
        terminal.write(
            "First start: created the default workspace and an API key with every scope. "
            "It is shown only this once:\n"
            f"{secret}\n"
        )
        terminal.flush()


def _owner_link(url: str, base: str) -> str | None:
    """A sign-in link for a new owner member, when the default workspace has no member."""
    from rolodex.cli.common import run_session
    from rolodex.cli.members import link_url
    from rolodex.session import WorkspaceSession

    email = os.environ.get("ROLODEX_OWNER_EMAIL", "owner@rolodex.localhost")

    async def work(s: WorkspaceSession) -> str | None:
        if await s.members.has_any():
            return None
        _, token = await s.members.invite(email, "owner", name="Owner")
        return token

    token = run_session(url, None, work)
    return None if token is None else link_url(base, token)


def serve(
    host: str = typer.Option(
        "127.0.0.1", envvar="ROLODEX_HOST", help="Address to listen on (0.0.0.0 for all)."
    ),
    port: int = typer.Option(
        8080, min=1, max=65535, envvar="ROLODEX_PORT", help="Port to listen on."
    ),
    database: str = DatabaseOption,
    workers: int = typer.Option(1, min=1, help="Server processes."),
    server: str = typer.Option("granian", help="granian (fastest) or uvicorn."),
    dispatcher: str | None = typer.Option(
        None,
        help="Where webhooks are delivered: process (default; a supervised child process), "
        "inprocess (in the server's event loop) or off (leave it to `rolodex worker`). "
        "Default: ROLODEX_DISPATCHER, else process.",
        show_default=False,
    ),
) -> None:
    """Run the API server; creates and migrates the database and a workspace on first start.

    Example: rolodex serve --port 8080 --database sqlite:///./rolodex.db
    """
    from rolodex.webhooks.config import MODES, dispatcher_mode

    if server not in ("granian", "uvicorn"):
        fail("--server is granian or uvicorn", code=2)
    if dispatcher is not None and dispatcher not in MODES:
        fail("--dispatcher is process, inprocess or off", code=2)
    mode = dispatcher or dispatcher_mode(default="process")
    if mode == "external":  # only serve sets it, for its own server processes
        mode = "process"
    url = database_url(database)
    check_port(host, port)
    os.environ["ROLODEX_DATABASE_URL"] = url
    shown_host = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    first_start(url, os.environ.get("ROLODEX_PUBLIC_URL", f"http://{shown_host}:{port}"))
    from rolodex.cli.database import shown

    out.print(f"Rolodex {__version__} on http://{host}:{port} (database: {shown(url)})")
    if mode != "process":
        os.environ["ROLODEX_DISPATCHER"] = mode
        _run_server(server, host, port, workers)
        return
    from rolodex.webhooks.child import ChildDispatcher

    child = ChildDispatcher(url)
    os.environ.update(child.environment())
    child.start()
    try:
        _run_server(server, host, port, workers)
    finally:
        child.stop()


def _run_server(server: str, host: str, port: int, workers: int) -> None:
    if server == "uvicorn":
        import uvicorn

        uvicorn.run(
            "rolodex.app:create_app",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            log_level="warning",
        )
        return
    from granian import Granian
    from granian.constants import HTTPModes, Interfaces

    Granian(
        "rolodex.app:create_app",
        factory=True,
        address=host,
        port=port,
        interface=Interfaces.ASGI,
        workers=workers,
        log_access=False,
        # An HTTP/1.1 JSON API: no WebSocket routes, and clients and proxies
        # speak HTTP/1.1 to it. Both off measured about 10% more GETs per
        # second (docs/performance.md).
        websockets=False,
        http=HTTPModes.http1,
    ).serve()
