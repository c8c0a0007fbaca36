"""After-commit effects: work a service asks for once its transaction has committed.

A service that changes something other processes or caches hold (the
metadata registry, the webhook dispatcher's view of webhooks) takes an
``AfterCommit`` and registers the effect with it; the workspace session runs
the effects after a successful commit and drops them on a rollback.
"""

from __future__ import annotations

from collections.abc import Callable

Effect = Callable[[], None]
AfterCommit = Callable[[Effect], None]

__all__ = ["AfterCommit", "Effect"]
