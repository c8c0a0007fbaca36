"""Wake-ups for a dispatcher in another process: one datagram per signal on a Unix socket.

``rolodex serve`` runs its dispatcher as a child process; the server's
processes still tell it, after a commit, to look for work now (``wake``) or
to drop the webhooks it cached (``forget_webhooks``), as they tell an
in-process dispatcher. A datagram costs the request a system call and never
waits: when the child is down or its socket is full, the message is dropped,
and the child's polling (50 ms on SQLite, NOTIFY and 1 s on PostgreSQL) and
its one-second webhook cache bound what that costs.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
from typing import Protocol

log = logging.getLogger("rolodex.webhooks")
WAKE = b"w"
FORGET = b"f"


class Receiver(Protocol):
    def wake(self) -> None: ...

    def forget_webhooks(self) -> None: ...


class Signals:
    """The sending end, in the server: the same ``wake``/``forget_webhooks`` as a Dispatcher."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._sock: socket.socket | None = None
        with contextlib.suppress(OSError, AttributeError):  # no AF_UNIX: polling alone
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
            sock.setblocking(False)
            self._sock = sock

    def wake(self) -> None:
        """Look for new events and due deliveries now rather than at the next poll."""
        self._send(WAKE)

    def forget_webhooks(self) -> None:
        """Drop cached webhook rows after a change made by this server."""
        self._send(FORGET)

    def _send(self, message: bytes) -> None:
        if self._sock is None:
            return
        with contextlib.suppress(OSError):  # child down or busy: its polling covers it
            self._sock.sendto(message, self.path)

    async def stop(self) -> None:
        if self._sock is not None:
            self._sock.close()
            self._sock = None


async def receive(path: str, dispatcher: Receiver) -> None:
    """Bind ``path`` and pass each signal to ``dispatcher``, until cancelled."""
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)
    try:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    except (OSError, AttributeError):
        log.warning("Webhook dispatcher: no Unix sockets here; relying on polling")
        return
    sock.bind(path)
    sock.setblocking(False)
    loop = asyncio.get_running_loop()

    def readable() -> None:
        forget = wake = False
        while True:  # everything queued: many wakes are one wake
            try:
                message = sock.recv(16)
            except (BlockingIOError, InterruptedError):
                break
            except OSError:
                break
            forget = forget or message == FORGET
            wake = True
        if forget:
            dispatcher.forget_webhooks()
        if wake:
            dispatcher.wake()

    loop.add_reader(sock.fileno(), readable)
    try:
        await asyncio.Event().wait()
    finally:
        loop.remove_reader(sock.fileno())
        sock.close()
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)
