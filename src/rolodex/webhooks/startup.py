"""How the application gets its dispatcher: in its own event loop, as ``serve``'s child, or none."""

from __future__ import annotations

import os
from typing import Any

from rolodex.kit.db import Database
from rolodex.metadata.registry import RegistryCache
from rolodex.webhooks.dispatcher import Dispatcher
from rolodex.webhooks.signals import Signals


async def start_dispatcher(
    app: Any, db: Database, registries: RegistryCache
) -> Dispatcher | Signals | None:
    """The application's dispatcher, as ``ROLODEX_DISPATCHER`` says (``config.dispatcher_mode``).

    In-process, it is started here; when ``rolodex serve`` runs it as a child
    process (``external``), this is the child's signalling end, so the routes
    call the same ``wake`` and ``forget_webhooks`` either way. Both have ``stop``.
    """
    from rolodex.webhooks.child import SIGNAL_ENV
    from rolodex.webhooks.config import dispatcher_mode

    mode = dispatcher_mode()
    if mode == "off":
        app.state.webhook_dispatcher = None
        return None
    if mode == "external":
        signals = Signals(os.environ.get(SIGNAL_ENV, ""))
        app.state.webhook_dispatcher = signals
        return signals
    dispatcher = Dispatcher(db, registries)
    await dispatcher.start()
    app.state.webhook_dispatcher = dispatcher
    return dispatcher
