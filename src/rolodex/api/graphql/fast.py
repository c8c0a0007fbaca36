"""A faster executor for what most of a response is: plain fields of record dicts.

graphql-core resolves every field the same way: a path, a resolve info, the
default resolver, then completion. For a record's scalar fields (a dict key
and a scalar's output coercion) that is most of the cost of a page of 60
people. This executor copies such fields straight from the record, with the
same coercion. Object fields with no resolver of their own (a connection's
``edges`` items, an edge's ``node``, a record's ``createdBy``) whose value is
already a dict are completed directly too: their sub-selection runs through
this same executor, with graphql-core's paths and its error handling for the
field. So are relations whose resolver can answer from the request's context
alone (``from_context``, see ``resolvers.ToOne``) when the related record is
already loaded. Every other field (arguments, nulls in non-null positions,
anything that fails to coerce or is not loaded yet) goes to graphql-core as
before, so results and errors are exactly what graphql-core would produce.

It also runs a mutation's root fields in a loop: graphql-core chains one
coroutine per root field, each awaiting the one before, so a thousand of
them overflow the stack (the root field limit bounds the count as well).

It extends graphql-core 3.3's ``Executor`` (the documented ``executor_class``
hook); with an older graphql-core, execution falls back to the plain executor.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from graphql import (
    GraphQLBoolean,
    GraphQLEnumType,
    GraphQLField,
    GraphQLID,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLString,
)

from rolodex.api.graphql.types import JSON, Date, DateTime

try:
    from graphql.execution.executor import Executor
    from graphql.pyutils import Path, Undefined, gather_with_cancel
except ImportError:  # graphql-core 3.2
    Executor = None  # type: ignore[assignment,misc]

_SKIP = object()
# Output coercions that return values of these types unchanged.
_IDENTITY: dict[Any, tuple[type, ...]] = {
    GraphQLString.serialize: (str,),
    GraphQLID.serialize: (str,),
    GraphQLBoolean.serialize: (bool,),
    DateTime.serialize: (str,),  # records hold instants and dates as ISO strings
    Date.serialize: (str,),
    JSON.serialize: (str, int, float, bool, dict, list),
}
# (output coercion, nullable, a list of non-null items)
Leaf = tuple[Callable[[Any], Any], bool, bool]
# (the object type, its field's type as declared, nullable, a list of them)
Nested = tuple[GraphQLObjectType, Any, bool, bool]
# (a resolver's ``from_context``, and how to complete what it returns)
Direct = tuple[Callable[[Any, Any], Any], Nested]


def _unwrap(field: GraphQLField, *, resolved: bool = False) -> tuple[Any, bool, bool] | None:
    """A plain field's named type, whether it is nullable, and whether it is a
    list of non-null items; None for fields this executor leaves to graphql-core
    (a resolver unless ``resolved``, arguments, or a list whose items may be null)."""
    if (field.resolve is not None and not resolved) or field.args:
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
    return t, nullable, is_list


def _leaf(field: GraphQLField) -> Leaf | None:
    plain = _unwrap(field)
    if plain is None or not isinstance(plain[0], GraphQLScalarType | GraphQLEnumType):
        return None
    t, nullable, is_list = plain
    coerce = getattr(t, "coerce_output_value", None) or t.serialize
    return coerce, nullable, is_list


def _nested(field: GraphQLField, *, resolved: bool = False) -> Nested | None:
    plain = _unwrap(field, resolved=resolved)
    if plain is None or not isinstance(plain[0], GraphQLObjectType):
        return None
    t, nullable, is_list = plain
    if t.is_type_of is not None:
        return None
    return t, field.type, nullable, is_list


def _direct(field: GraphQLField) -> Direct | None:
    from_context = getattr(field.resolve, "from_context", None)
    if from_context is None:
        return None
    nested = _nested(field, resolved=True)
    return None if nested is None else (from_context, nested)


def _per_type(parent_type: GraphQLObjectType, attr: str, of: Callable[[GraphQLField], Any]) -> Any:
    """``of`` for each field of a type where it is not None, worked out once per type."""
    found = parent_type.__dict__.get(attr)
    if found is None:
        found = {}
        for name, field in parent_type.fields.items():
            value = of(field)
            if value is not None:
                found[name] = value
        setattr(parent_type, attr, found)
    return found


def _leaves(parent_type: GraphQLObjectType) -> dict[str, Leaf]:
    """The plain leaf fields of a type."""
    return _per_type(parent_type, "_rolodex_leaves", _leaf)


def _objects(parent_type: GraphQLObjectType) -> dict[str, Nested]:
    """The object fields of a type that can be completed straight from a dict."""
    return _per_type(parent_type, "_rolodex_objects", _nested)


def _directs(parent_type: GraphQLObjectType) -> dict[str, Direct]:
    """The object fields of a type whose resolver can answer from the context."""
    return _per_type(parent_type, "_rolodex_directs", _direct)


# Values execution builds itself; never awaitable, so no need to ask is_awaitable.
_BUILT = frozenset({dict, list, type(None)})


async def _later(item: Any) -> Any:
    return await item if isinstance(item, Awaitable) else item


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
            results: dict[str, Any] = {}
            slow: dict[str, Any] = {}
            pending: list[str] = []
            for key, details, name, leaf, same, nested, direct in self._steps(
                parent_type, grouped_field_set
            ):
                if leaf is not None:
                    value = source_value.get(name)
                    if type(value) in same:  # the output coercion would return it as is
                        results[key] = value
                        continue
                    value = _value(leaf, value)
                    if value is not _SKIP:
                        results[key] = value
                        continue
                if direct is not None:
                    try:
                        value = direct[0](source_value, self.context_value)
                    except Exception:  # graphql-core calls the resolver again and reports it
                        value = _SKIP
                    # A related record not loaded yet (a future) goes to graphql-core,
                    # whose call finds the same future in the loader.
                    nested = direct[1] if value is None or type(value) is dict else None
                else:
                    value = source_value.get(name) if nested is not None else None
                if nested is not None:
                    done = self._complete_nested(
                        nested, details, Path(path, key, parent_type.name), value
                    )
                    if done is not _SKIP:
                        results[key] = done
                        if type(done) not in _BUILT and self.is_awaitable(done):
                            pending.append(key)
                        continue
                slow[key] = details
                results[key] = None  # keeps the response's key order
            rest: Any = None
            if slow:
                try:
                    rest = super().execute_fields(
                        parent_type, source_value, path, slow, position_context
                    )
                except Exception:
                    if pending:
                        self.settle_in_background([results[k] for k in pending])
                    raise
                if not self.is_awaitable(rest):
                    results.update(rest)
                    rest = None
            if not pending and rest is None:
                return results

            async def merge() -> dict[str, Any]:
                waits = [results[k] for k in pending] + ([rest] if rest is not None else [])
                done = await gather_with_cancel(*waits)
                results.update(zip(pending, done[: len(pending)], strict=True))
                if rest is not None:
                    results.update(done[-1])
                return results

            return merge()

        def execute_fields_serially(
            self,
            parent_type: GraphQLObjectType,
            source_value: Any,
            path: Any,
            grouped_field_set: dict[str, Any],
            position_context: Any,
        ) -> Any:
            """The root fields of a mutation one after another, awaited in one loop."""
            results: dict[str, Any] = {}
            items = iter(grouped_field_set.items())

            def start(key: str, details: Any) -> Any:
                if self.abort_signal is not None and self.abort_signal.aborted:
                    raise self.abort_error()
                field_path = Path(path, key, parent_type.name)
                return self.execute_field(
                    parent_type, source_value, details, field_path, position_context
                )

            for key, details in items:
                result = start(key, details)
                if result is Undefined:
                    continue
                if not self.is_awaitable(result):
                    results[key] = result
                    continue

                async def rest(key: str, result: Any) -> dict[str, Any]:
                    results[key] = await result
                    for key, details in items:  # the same iterator: what is left
                        result = start(key, details)
                        if result is Undefined:
                            continue
                        results[key] = await result if self.is_awaitable(result) else result
                    return results

                return rest(key, result)
            return results

        def _steps(self, parent_type: GraphQLObjectType, grouped: dict[str, Any]) -> list[Any]:
            """How to execute each field of a selection, worked out once per request.

            graphql-core collects a list item's sub-selection once and hands the
            same dict for every item, so its identity is a good key.
            """
            plans: dict[int, Any] | None = self.__dict__.get("_rolodex_steps")
            if plans is None:
                plans = self.__dict__["_rolodex_steps"] = {}
            hit = plans.get(id(grouped))
            if hit is not None and hit[0] is grouped:
                return hit[1]
            leaves, objects = _leaves(parent_type), _objects(parent_type)
            directs = _directs(parent_type)
            steps = []
            for key, details in grouped.items():
                name = details[0].node.name.value
                leaf = leaves.get(name)
                same = _IDENTITY.get(leaf[0], ()) if leaf is not None and not leaf[2] else ()
                if leaf is not None and leaf[1]:
                    same = (*same, type(None))
                nested, direct = objects.get(name), directs.get(name)
                steps.append((key, details, name, leaf, frozenset(same), nested, direct))
            plans[id(grouped)] = (grouped, steps)  # holding ``grouped`` keeps its id unique
            return steps

        def _complete_nested(self, nested: Nested, details: Any, path: Any, value: Any) -> Any:
            """An object field (or list of them) completed from dicts; _SKIP if it can't be."""
            obj_type, declared, nullable, is_list = nested
            if value is None:
                return None if nullable else _SKIP
            if is_list:
                if type(value) is not list or any(type(v) is not dict for v in value):
                    return _SKIP
            elif type(value) is not dict:
                return _SKIP
            try:
                if not is_list:
                    done = self.collect_and_execute_subfields(obj_type, details, path, value, None)
                else:
                    done = self._complete_items(obj_type, details, path, value)
            except Exception as exc:
                # As graphql-core's execute_field: null here, or up to the parent.
                self.handle_field_error(exc, declared, details, path)
                return None
            if type(done) in _BUILT or not self.is_awaitable(done):
                return done

            async def wait() -> Any:
                try:
                    return await done
                except Exception as exc:
                    self.handle_field_error(exc, declared, details, path)
                    return None

            return wait()

        def _complete_items(
            self, obj_type: GraphQLObjectType, details: Any, path: Any, values: list[Any]
        ) -> Any:
            """Items of a list of non-null objects; an error in one fails the list.

            The items share one selection: it is collected once for all of them
            (``collect_and_execute_subfields`` would look it up for each).
            """
            grouped, defers, _ = self.collect_subfields(obj_type, details)
            items: list[Any] = []
            try:
                for i, v in enumerate(values):
                    items.append(
                        self.execute_collected_subfields(
                            obj_type, v, Path(path, i, None), grouped, defers, None
                        )
                    )
            except Exception:
                waiting = [item for item in items if self.is_awaitable(item)]
                if waiting:
                    self.settle_in_background(waiting)
                raise
            if all(type(item) in _BUILT for item in items) or not any(
                self.is_awaitable(item) for item in items
            ):
                return items

            async def gather_items() -> list[Any]:
                return list(await gather_with_cancel(*(_later(item) for item in items)))

            return gather_items()

    executor_class: Any = FastExecutor
else:  # pragma: no cover - only with graphql-core 3.2
    executor_class = None
