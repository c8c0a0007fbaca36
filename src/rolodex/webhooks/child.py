"""``rolodex serve``'s dispatcher: ``rolodex worker`` in a supervised child process.

Rendering, signing and posting deliveries are CPU work; on CPython, work in
the server's event loop (or one of its threads, under the GIL) is time the
requests wait for. So ``serve`` starts the same code as ``rolodex worker`` as
a child process, restarts it (after a bounded backoff) whenever it exits
while the server runs, and stops it with SIGTERM on shutdown. The server's
processes reach it through a Unix datagram socket (``signals.py``) for the
after-commit ``wake`` and ``forget_webhooks``; the child stops by itself if
the server dies without stopping it (its parent changes).

The child runs at a lower CPU priority (nice 5, ``ROLODEX_DISPATCHER_NICE``):
when the machine's CPU is short, requests go first and deliveries wait.

The child ignores SIGINT (``rolodex worker`` does when it has a parent to
follow): Ctrl-C reaches the whole process group, and the server then stops
the child itself, once its own requests are done.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

log = logging.getLogger("rolodex.webhooks")

SIGNAL_ENV = "ROLODEX_DISPATCHER_SIGNAL"
PARENT_ENV = "ROLODEX_DISPATCHER_PARENT"
SERVE_NICE = 5  # the child's CPU priority below the server's (ROLODEX_DISPATCHER_NICE)


class ChildDispatcher:
    """Start, watch, restart and stop one ``rolodex worker`` child."""

    def __init__(self, database_url: str, *, first_delay: float = 0.5, max_delay: float = 10.0):
        self.url = database_url
        self.first_delay = first_delay
        self.max_delay = max_delay
        self._dir = Path(tempfile.mkdtemp(prefix="rolodex-dispatcher-"))
        self.signal_path = str(self._dir / "signal.sock")
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._proc: subprocess.Popen[bytes] | None = None
        self._thread: threading.Thread | None = None
        self.restarts = 0

    @property
    def pid(self) -> int | None:
        proc = self._proc
        return proc.pid if proc is not None else None

    def environment(self) -> dict[str, str]:
        """What the server's processes need: deliver through the child, signal it here."""
        return {"ROLODEX_DISPATCHER": "external", SIGNAL_ENV: self.signal_path}

    def start(self) -> None:
        with self._lock:
            self._spawn()
        self._thread = threading.Thread(target=self._watch, name="dispatcher-watch", daemon=True)
        self._thread.start()

    def _spawn(self) -> None:
        env = dict(os.environ)
        env.update(
            {"ROLODEX_DISPATCHER": "1", SIGNAL_ENV: self.signal_path, PARENT_ENV: str(os.getpid())}
        )
        env.setdefault("ROLODEX_DISPATCHER_NICE", str(SERVE_NICE))
        # The URL goes in the environment, not the command line, which every
        # user of the machine can read (it may hold a password).
        env["ROLODEX_DATABASE_URL"] = self.url
        argv = [sys.executable, "-m", "rolodex.cli.main", "worker"]
        self._proc = subprocess.Popen(argv, env=env)

    def _watch(self) -> None:
        delay = self.first_delay
        while not self._stopping.is_set():
            proc = self._proc
            assert proc is not None
            started = time.monotonic()
            code = proc.wait()
            if self._stopping.is_set():
                return
            if time.monotonic() - started > 60:
                delay = self.first_delay  # it ran for a while: not a crash loop
            log.warning(
                "Webhook dispatcher (pid %d) exited with %s; restarting in %.1f s",
                proc.pid,
                code,
                delay,
            )
            print(
                f"Webhook dispatcher (pid {proc.pid}) exited with {code}; "
                f"restarting in {delay:.1f} s.",
                file=sys.stderr,
                flush=True,
            )
            if self._stopping.wait(delay):
                return
            with self._lock:
                if self._stopping.is_set():
                    return
                self._spawn()
                self.restarts += 1
            delay = min(delay * 2, self.max_delay)

    def stop(self, timeout: float = 10.0) -> None:
        """SIGTERM the child, wait ``timeout`` for it to give back its leases, then kill it."""
        with self._lock:
            self._stopping.set()
            proc = self._proc
        if proc is not None and proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if self._thread is not None:
            self._thread.join(timeout=1)
        shutil.rmtree(self._dir, ignore_errors=True)
