"""The live view of events: the existing SSE stream (``events/stream.py``), opened
from the signed-in member instead of a key."""

from __future__ import annotations

from typing import Any, cast

from starlette.responses import Response, StreamingResponse

from rolodex.api.rest.http import Context
from rolodex.console.web import Page
from rolodex.events.stream import messages
from rolodex.session import READ, Intent, WorkspaceSession


class _Source:
    """What the stream reads of its request context, for a member."""

    def __init__(self, page: Page) -> None:
        assert page.member is not None
        self.page = page
        self.request = page.request
        self.workspace_id = page.member.workspace_id

    def session(self, intent: Intent = READ) -> WorkspaceSession:
        return self.page.session(write=False)


async def events_page(page: Page) -> Response:
    async with page.session() as s:
        names = " ".join(s.registry.objects)
    return page.render("events.html", objects=names)


async def stream(page: Page) -> Response:
    source: Any = _Source(page)
    return StreamingResponse(
        messages(cast(Context, source), None, None),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
