"""The workspace session: the one way an interface reaches a workspace's data.

REST, GraphQL, the CLI, the importer and the event stream each open a
``WorkspaceSession`` from a principal and an intent, and call the services it
holds; none of them opens a connection or builds a service itself.
"""

from rolodex.session.principal import LocalPrincipal, Principal
from rolodex.session.session import (
    READ,
    WRITE,
    Intent,
    ReadOnlySession,
    Sessions,
    WorkspaceSession,
)

__all__ = [
    "READ",
    "WRITE",
    "Intent",
    "LocalPrincipal",
    "Principal",
    "ReadOnlySession",
    "Sessions",
    "WorkspaceSession",
]
