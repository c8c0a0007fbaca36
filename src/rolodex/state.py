"""``AppState``: what one server process keeps between requests.

It sits below the interfaces (REST, GraphQL, the event stream), which type
their handler contexts with it, and above the services it holds.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rolodex.auth.ratelimit import RateLimiter
from rolodex.auth.service import Authenticator
from rolodex.config import Settings
from rolodex.kit.db import Database
from rolodex.metadata.registry import RegistryCache
from rolodex.session import Sessions


@dataclass
class AppState:
    """Everything a process keeps between requests; all of it can be rebuilt."""

    settings: Settings
    db: Database
    auth: Authenticator
    registries: RegistryCache
    limiter: RateLimiter
    sessions: Sessions = field(init=False)

    def __post_init__(self) -> None:
        self.sessions = Sessions(self.db, self.registries)


__all__ = ["AppState"]
