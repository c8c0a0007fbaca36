"""Load the relations a query selects before its records are completed.

A root field that returns records walks its selection set once, level by
level, and asks the request's loaders for every relation selected at each
level, for all the records of that level together: one statement per
relation per level, as the loaders would do one by one, but done before
completion starts. The relation resolvers then find their values ready and
return them synchronously, so graphql-core completes the whole page without
scheduling a coroutine per record. Anything the walk misses (or fails on) is
still loaded, batched, by the resolvers themselves.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable, Iterator
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLResolveInfo,
    InlineFragmentNode,
    SelectionSetNode,
)

from rolodex.api.graphql.context import GraphQLContext
from rolodex.metadata.model import FieldDef, ObjectDef, RelationKind

log = logging.getLogger("rolodex.graphql")

Fragments = dict[str, FragmentDefinitionNode]


def fields(sets: Iterable[SelectionSetNode], fragments: Fragments) -> Iterator[FieldNode]:
    """The fields of selection sets, through fragments (each fragment once)."""
    seen: set[str] = set()

    def walk(selection_set: SelectionSetNode) -> Iterator[FieldNode]:
        for sel in selection_set.selections:
            if isinstance(sel, FieldNode):
                yield sel
            elif isinstance(sel, InlineFragmentNode):
                yield from walk(sel.selection_set)
            elif isinstance(sel, FragmentSpreadNode):
                name = sel.name.value
                fragment = fragments.get(name)
                if fragment is not None and name not in seen:
                    seen.add(name)
                    yield from walk(fragment.selection_set)

    for selection_set in sets:
        yield from walk(selection_set)


def node_sets(sets: Iterable[SelectionSetNode], fragments: Fragments) -> list[SelectionSetNode]:
    """The selections under ``edges { node { ... } }`` of connection selections."""
    edges = [f.selection_set for f in fields(sets, fragments) if f.name.value == "edges"]
    nodes = fields((s for s in edges if s is not None), fragments)
    return [f.selection_set for f in nodes if f.name.value == "node" and f.selection_set]


def _relation(obj: ObjectDef, name: str) -> tuple[FieldDef, bool] | None:
    """The relation a field name selects, and whether it is a to-many's list twin."""
    f = obj.fields.get(name)
    if f is None and name.endswith("List"):
        base = obj.fields.get(name[:-4])
        if base is not None and base.relation and base.relation.kind is RelationKind.ONE_TO_MANY:
            return base, True
        return None
    if f is None or f.relation is None:
        return None
    return f, False


async def _walk(
    ctx: GraphQLContext,
    obj: ObjectDef,
    records: list[dict[str, Any]],
    sets: list[SelectionSetNode],
    fragments: Fragments,
    depth: int,
) -> None:
    if not records or not sets or depth > ctx.limits.max_depth:
        return
    selected: dict[str, list[FieldNode]] = {}
    for f in fields(sets, fragments):
        selected.setdefault(f.name.value, []).append(f)
    for name, nodes in selected.items():
        found = _relation(obj, name)
        if found is None:
            continue
        rf, as_list = found
        rel = rf.relation
        assert rel is not None
        target = ctx.registry.objects.get(rel.target)
        if target is None:
            continue
        below = [n.selection_set for n in nodes if n.selection_set is not None]
        if rel.kind is RelationKind.MANY_TO_ONE:
            loader = ctx.loaders.record(target)
            keys = {r[rel.join_field] for r in records if r.get(rel.join_field) is not None}
            loaded = await asyncio.gather(*(loader.load(k) for k in keys))
            children = [c for c in loaded if c is not None]
        else:
            loader = ctx.loaders.related(target, target.fields[rel.join_field])
            groups = await asyncio.gather(*(loader.load(r["id"]) for r in records))
            children = [c for group in groups for c in group]
            below = below if as_list else node_sets(below, fragments)
        await _walk(ctx, target, children, below, fragments, depth + 1)


async def prefetch(
    info: GraphQLResolveInfo,
    obj: ObjectDef,
    records: list[dict[str, Any]],
    *,
    connection: bool,
) -> None:
    """Load what the field being resolved selects under ``records`` (a page or a record)."""
    ctx: GraphQLContext = info.context
    sets = [n.selection_set for n in info.field_nodes if n.selection_set is not None]
    if connection:
        sets = node_sets(sets, info.fragments)
    try:
        await _walk(ctx, obj, records, sets, info.fragments, 1)
    except Exception:  # the resolvers load again and report the error where it belongs
        log.debug("Prefetch failed; relations load field by field", exc_info=True)
