"""``rolodex worker``: deliver webhooks in a process of its own."""

from __future__ import annotations

import asyncio
import contextlib
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
    from rolodex.webhooks.dispatcher import Dispatcher

    url = database_url(database)
    with database_errors(url):
        require_database(url)

    async def main() -> None:
        db = Database(url)
        await db.open()
        dispatcher = Dispatcher(db)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError):
                loop.add_signal_handler(sig, stop.set)
        await dispatcher.start()
        statistics = StatisticsKeeper(db)
        statistics.start()
        out.print(f"Delivering webhooks from {url.split('@')[-1]}.", highlight=False)
        try:
            await stop.wait()
        finally:
            await statistics.stop()
            await dispatcher.stop()
            await db.close()
        out.print("Stopped.", highlight=False)

    try:
        asyncio.run(main())
    except Unavailable as exc:
        fail(exc.message)
