"""The per-process cache of GraphQL schemas: one per metadata shape, bounded."""

from __future__ import annotations

import hashlib
import threading
import uuid

from graphql import GraphQLSchema

from rolodex.api.graphql.schema import build_schema, fingerprint
from rolodex.config import Settings
from rolodex.kit.lru import LRU
from rolodex.metadata.registry import Registry


def shape_key(registry: Registry) -> bytes:
    """A short digest of ``fingerprint``: what a workspace's entry remembers."""
    return hashlib.blake2b(repr(fingerprint(registry)).encode(), digest_size=16).digest()


class SchemaCache:
    """Schemas per metadata shape, at most ``max_shapes`` of them, shared by workspaces.

    A workspace's entry holds only its metadata version and the key of its
    shape, never the schema: a schema the shape LRU drops is garbage at once,
    and a workspace that used it gets a rebuilt one on its next request. So
    memory follows ``ROLODEX_GRAPHQL_SCHEMA_CACHE`` (about 90 KB per schema
    with a few custom fields), not the number of workspaces; the workspace map
    is bounded too (by ``ROLODEX_REGISTRY_CACHE``), its entries are small.
    """

    def __init__(self, max_shapes: int | None = None, max_workspaces: int | None = None) -> None:
        if max_shapes is None or max_workspaces is None:
            settings = Settings()
            max_shapes = settings.graphql_schema_cache if max_shapes is None else max_shapes
            max_workspaces = settings.registry_cache if max_workspaces is None else max_workspaces
        self._by_workspace: LRU[uuid.UUID, tuple[int, bytes]] = LRU(max_workspaces)
        self._by_shape: LRU[bytes, GraphQLSchema] = LRU(max_shapes)
        self._lock = threading.Lock()  # one build per shape, however many threads ask

    @property
    def max_shapes(self) -> int:
        return self._by_shape.size

    def __len__(self) -> int:
        """How many schemas the cache keeps alive."""
        return len(self._by_shape)

    def get(self, workspace_id: uuid.UUID, registry: Registry) -> GraphQLSchema:
        entry = self._by_workspace.get(workspace_id)
        if entry is not None and entry[0] == registry.version:
            schema = self._by_shape.get(entry[1])
            if schema is not None:
                return schema
        shape = shape_key(registry)
        with self._lock:
            schema = self._by_shape.get(shape)
            if schema is None:
                schema = build_schema(registry)
                self._by_shape.put(shape, schema)
            self._by_workspace.put(workspace_id, (registry.version, shape))
        return schema
