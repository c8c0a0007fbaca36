"""A faster executor for what most of a response is: plain leaf fields of records.

graphql-core resolves every field the same way: a path, a resolve info, the
default resolver, then completion. For a record's scalar fields (a dict key
and a scalar's output coercion) that is most of the cost of a page of 60
people. This executor copies such fields straight from the record, with the
same coercion, and hands every other field (relations, arguments, nulls in
non-null positions, anything that fails to coerce) to graphql-core as
before, so results and errors are exactly what graphql-core would produce.

It extends graphql-core 3.3's ``Executor`` (the documented ``executor_class``
hook); with an older graphql-core, execution falls back to the plain executor.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
)

try:
    from graphql.execution.executor import Executor
except ImportError:  # graphql-core 3.2
    Executor = None  # type: ignore[assignment,misc]

_SKIP = object()
# (output coercion, nullable, a list of non-null items)
Leaf = tuple[Callable[[Any], Any], bool, bool]


def _leaf(field: GraphQLField) -> Leaf | None:
    if field.resolve is not None or field.args:
        return None
    t: Any = field.type
    nullable = not isinstance(t, GraphQLNonNull)
    if not nullable:
        t = t.of_type
    is_list = isinstance(t, GraphQLList)
    if is_list:
        if not isinstance(t.of_type, GraphQLNonNull):
            return None
        t = t.of_type.of_type
    if not isinstance(t, GraphQLScalarType | GraphQLEnumType):
        return None
    coerce = getattr(t, "coerce_output_value", None) or t.serialize
    return coerce, nullable, is_list


def _leaves(parent_type: GraphQLObjectType) -> dict[str, Leaf]:
    """The plain leaf fields of a type, worked out once per type."""
    found: dict[str, Leaf] | None = parent_type.__dict__.get("_rolodex_leaves")
    if found is None:
        found = {}
        for name, field in parent_type.fields.items():
            leaf = _leaf(field)
            if leaf is not None:
                found[name] = leaf
        parent_type._rolodex_leaves = found  # type: ignore[attr-defined]
    return found


def _value(leaf: Leaf, value: Any) -> Any:
    coerce, nullable, is_list = leaf
    if value is None:
        return None if nullable else _SKIP
    try:
        if is_list:
            if not isinstance(value, list) or any(v is None for v in value):
                return _SKIP
            out: Any = [coerce(v) for v in value]
        else:
            out = coerce(value)
    except Exception:  # graphql-core reports it, located, on the slow path
        return _SKIP
    return _SKIP if out is None else out


if Executor is not None:

    class FastExecutor(Executor):
        """graphql-core's executor, with plain leaf fields of dicts copied directly."""

        def execute_fields(
            self,
            parent_type: GraphQLObjectType,
            source_value: Any,
            path: Any,
            grouped_field_set: dict[str, Any],
            position_context: Any,
        ) -> Any:
            if type(source_value) is not dict:
                return super().execute_fields(
                    parent_type, source_value, path, grouped_field_set, position_context
                )
            leaves = _leaves(parent_type)
            results: dict[str, Any] = {}
            slow: dict[str, Any] = {}
            for key, details in grouped_field_set.items():
                name = details[0].node.name.value
                leaf = leaves.get(name)
                if leaf is not None:
                    value = _value(leaf, source_value.get(name))
                    if value is not _SKIP:
                        results[key] = value
                        continue
                slow[key] = details
                results[key] = None  # keeps the response's key order
            if not slow:
                return results
            done: Any = super().execute_fields(
                parent_type, source_value, path, slow, position_context
            )
            if self.is_awaitable(done):

                async def merge() -> dict[str, Any]:
                    results.update(await done)
                    return results

                return merge()
            results.update(done)
            return results

    executor_class: Any = FastExecutor
else:  # pragma: no cover - only with graphql-core 3.2
    executor_class = None
