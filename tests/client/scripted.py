"""A tiny HTTP server for client tests: answers from a script and records every request."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Reply:
    status: int = 200
    body: Any = field(default_factory=lambda: {"data": {"ok": True}})
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


@dataclass
class Seen:
    method: str
    path: str
    body: bytes
    headers: dict[str, str]


class Scripted:
    """Serves ``replies`` in order (the last one repeats) on a free loopback port."""

    def __init__(self, *replies: Reply) -> None:
        self.replies = list(replies) or [Reply()]
        self.seen: list[Seen] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                outer.seen.append(Seen(self.command, self.path, body, dict(self.headers)))
                index = min(len(outer.seen), len(outer.replies)) - 1
                reply = outer.replies[index]
                if reply.delay:
                    time.sleep(reply.delay)
                raw = (
                    reply.body if isinstance(reply.body, bytes) else json.dumps(reply.body).encode()
                )
                self.send_response(reply.status)
                ctype = "text/html" if isinstance(reply.body, bytes) else "application/json"
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(raw)))
                for k, v in reply.headers.items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(raw)

            do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _answer

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    def __enter__(self) -> Scripted:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def wait_for(self, n: int, timeout: float = 10.0) -> list[Seen]:
        """The first ``n`` requests, once they have arrived (fails the test after ``timeout``)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(self.seen) >= n:
                return self.seen[:n]
            time.sleep(0.01)
        raise AssertionError(f"expected {n} requests, got {len(self.seen)}")

    @property
    def methods(self) -> list[str]:
        return [s.method for s in self.seen]


def error(status: int, code: str, message: str = "boom", **extra: Any) -> Reply:
    body = {"statusCode": status, "error": code, "message": message, "messages": [message]}
    body.update(extra)
    return Reply(status, body)
