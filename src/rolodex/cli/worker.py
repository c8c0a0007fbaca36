"""``rolodex worker``: deliver webhooks in a process of its own."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal

from rolodex.cli.common import (
    DatabaseOption,
    database_errors,
    database_url,
    fail,
    out,
    require_database,
)


def worker(database: str = DatabaseOption) -> None:
    """Fan events out to webhooks and deliver them, until stopped (Ctrl-C or SIGTERM).

    Run several against one PostgreSQL to share the work; run `rolodex serve`
    with ROLODEX_DISPATCHER=0 to leave delivery to workers alone.

    Example: rolodex worker --database postgresql://postgres@127.0.0.1/rolodex
    """
    from rolodex.kit.analyze import StatisticsKeeper
    from rolodex.kit.db import Database
    from rolodex.kit.errors import Unavailable
    from rolodex.webhooks import signals
    from rolodex.webhooks.child import PARENT_ENV, SIGNAL_ENV
    from rolodex.webhooks.config import dispatcher_nice
    from rolodex.webhooks.dispatcher import Dispatcher

    url = database_url(database)
    with database_errors(url):
        require_database(url)

    if os.environ.get(PARENT_ENV):
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    nice = dispatcher_nice()
    if nice > 0 and hasattr(os, "nice"):
        # Below the API's priority: when CPU is short, requests go first.
        os.nice(nice)

    async def main() -> None:
        db = Database(url)
        await db.open()
        dispatcher = Dispatcher(db)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            if sig == signal.SIGINT and os.environ.get(PARENT_ENV):
                continue  # Ctrl-C reaches the group; serve stops its child itself
            with contextlib.suppress(NotImplementedError):
                loop.add_signal_handler(sig, stop.set)
        await dispatcher.start()
        statistics = StatisticsKeeper(db)
        statistics.start()
        # Run by `rolodex serve`: its servers signal through a socket, and the
        # worker stops when serve is gone (its parent changes).
        tasks = []
        if os.environ.get(SIGNAL_ENV):
            tasks.append(asyncio.create_task(signals.receive(os.environ[SIGNAL_ENV], dispatcher)))
        if os.environ.get(PARENT_ENV):
            tasks.append(asyncio.create_task(_orphaned(int(os.environ[PARENT_ENV]), stop)))
        out.print(f"Delivering webhooks from {url.split('@')[-1]}.", highlight=False)
        try:
            await stop.wait()
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            await statistics.stop()
            await dispatcher.stop()
            await db.close()
        out.print("Stopped.", highlight=False)

    try:
        asyncio.run(main())
    except Unavailable as exc:
        fail(exc.message)


async def _orphaned(parent: int, stop: asyncio.Event) -> None:
    """Set ``stop`` once ``parent`` is no longer this process's parent."""
    while os.getppid() == parent:
        await asyncio.sleep(1)
    stop.set()
