"""A webhook receiver for tests: a real HTTP server on 127.0.0.1 that records every request.

Its answers are scripted: ``Receiver(respond=...)`` takes a function from the
request (and how many came before it) to a ``Reply``, so a test can fail N
times, answer 410, 429 with Retry-After, redirect, or sleep past the timeout.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Request:
    path: str
    headers: dict[str, str]
    body: bytes
    at: float

    def json(self) -> Any:
        return json.loads(self.body)

    def header(self, name: str) -> str | None:
        for k, v in self.headers.items():
            if k.lower() == name.lower():
                return v
        return None


@dataclass
class Reply:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b'{"received": true}'
    delay: float = 0.0


Respond = Callable[[Request, int], Reply]


def ok(_req: Request, _n: int) -> Reply:
    return Reply()


def fail_times(n: int, status: int = 500, **kw: Any) -> Respond:
    """Fail the first ``n`` requests with ``status``, then succeed."""

    def respond(_req: Request, i: int) -> Reply:
        return Reply(status, **kw) if i < n else Reply()

    return respond


class Receiver:
    """Serves on a free port; ``url`` is where webhooks should point."""

    def __init__(self, respond: Respond = ok) -> None:
        self.respond = respond
        self.requests: list[Request] = []
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                req = Request(self.path, dict(self.headers.items()), body, time.time())
                with receiver._lock:
                    index = len(receiver.requests)
                    receiver.requests.append(req)
                reply = receiver.respond(req, index)
                if reply.delay:
                    time.sleep(reply.delay)
                try:
                    self.send_response(reply.status)
                    for k, v in reply.headers.items():
                        self.send_header(k, v)
                    self.send_header("Content-Length", str(len(reply.body)))
                    self.end_headers()
                    self.wfile.write(reply.body)
                except OSError:
                    pass  # the sender gave up (a timeout test)

            def log_message(self, *args: Any) -> None:
                pass

        class Server(ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request: Any, client_address: Any) -> None:
                pass

        self.server = Server(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def wait_for(self, n: int, timeout: float = 10.0) -> list[Request]:
        """Block until ``n`` requests arrived; fail the test if they do not in time."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if len(self.requests) >= n:
                    return list(self.requests)
            time.sleep(0.01)
        raise AssertionError(f"expected {n} requests, got {len(self.requests)}")

    def bodies(self) -> list[Any]:
        return [r.json() for r in list(self.requests)]
