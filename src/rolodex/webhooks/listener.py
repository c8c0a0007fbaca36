"""What a live listener (the SSE stream, ``rolodex listen``) receives from the outbox.

Each event is rendered exactly as a webhook with the ``rolodex`` format and
the listener's subscriptions would receive it: a stand-in webhook goes
through the same matching and rendering as real deliveries.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from typing import Any

from rolodex.events import outbox
from rolodex.kit import clock
from rolodex.kit.db import Conn
from rolodex.metadata.registry import Registry
from rolodex.webhooks.fanout import Rendering, embed, prepare
from rolodex.webhooks.schemas import Webhook

LISTEN_ID = uuid.UUID(int=0)


def stand_in(workspace_id: uuid.UUID, subscriptions: list[dict[str, Any]] | None) -> Webhook:
    """A webhook that is never stored, so a listener renders what a webhook would get."""
    now = clock.now()
    return Webhook(
        workspace_id=workspace_id,
        id=LISTEN_ID,
        name="listen",
        description="",
        target_url="",
        subscriptions=subscriptions,
        format="rolodex",
        status="active",
        status_reason=None,
        secret="",
        previous_secret=None,
        previous_secret_until=None,
        failing_since=None,
        created_at=now,
        updated_at=now,
    )


class Listener:
    """One listener's view of a workspace's events (``subscriptions`` as a webhook's)."""

    def __init__(self, workspace_id: uuid.UUID, subscriptions: list[dict[str, Any]] | None) -> None:
        self.ws = workspace_id
        self.hook = stand_in(workspace_id, subscriptions)

    async def end(self, conn: Conn) -> int:
        """The newest event's number: a listener without a cursor starts there."""
        return await outbox.last_seq(conn, self.ws)

    async def read(
        self,
        conn: Conn,
        registry: Registry,
        after: int,
        limit: int,
        *,
        skip: Collection[int] = (),
    ) -> list[dict[str, Any]]:
        """Events numbered above ``after`` (but those in ``skip``), ready for ``message``."""
        rows = await outbox.read_after(conn, self.ws, after, limit)
        events = [prepare(r) for r in rows if r["seq"] not in skip]
        await embed(conn, registry, self.ws, events)
        return events

    def message(self, event: dict[str, Any], registry: Registry) -> tuple[str, str] | None:
        """``(name, body)``: the name the event matched and its JSON body; ``None``
        when no subscription takes it."""
        return Rendering(self.hook, event, registry).match()
