"""GraphQL list arguments (filter, orderBy, first/after/last/before) as a records ListQuery."""

from __future__ import annotations

from typing import Any

from graphql import (
    FieldNode,
    FragmentSpreadNode,
    GraphQLResolveInfo,
    InlineFragmentNode,
    ObjectValueNode,
    SelectionSetNode,
    VariableNode,
)

from rolodex.api.graphql.limits import Limits
from rolodex.kit.errors import BadRequest
from rolodex.records.query import And, Cond, CountMode, Filter, ListQuery, Not, Or, Order, Rel

# Deeper and/or/not nesting than this is a mistake, not a query.
MAX_FILTER_DEPTH = 32


_GROUPS = ("and", "or", "not")


def _through_relation(value: dict[str, Any]) -> bool:
    """Whether a field's input is a related object's filter (``company: {name: {eq: "x"}}``)
    rather than operators: operands are never input objects, and no operator is
    named and, or, not."""
    return any(k in _GROUPS or isinstance(v, dict) for k, v in value.items())


def to_filter(data: dict[str, Any] | None, depth: int = 0) -> Filter | None:
    """``{email: {eq: "x"}, or: [...], not: {...}}`` as filter nodes; None matches all.

    A relation's field holds the related object's filter
    (``company: {name: {eq: "Acme"}}``): records with at least one related
    record matching all of it.
    """
    if not data:
        return None
    if depth > MAX_FILTER_DEPTH:
        raise BadRequest(f"Filters nest at most {MAX_FILTER_DEPTH} levels deep.", field="filter")
    items: list[Filter] = []
    for key, value in data.items():
        if value is None:
            continue
        if key == "and":
            parts = [p for p in (to_filter(v, depth + 1) for v in value) if p is not None]
            if parts:
                items.append(parts[0] if len(parts) == 1 else And(tuple(parts)))
        elif key == "or":
            alternatives = [to_filter(v, depth + 1) for v in value]
            if alternatives and all(a is not None for a in alternatives):
                parts = [a for a in alternatives if a is not None]
                items.append(parts[0] if len(parts) == 1 else Or(tuple(parts)))
        elif key == "not":
            inner = to_filter(value, depth + 1)
            if inner is not None:
                items.append(Not(inner))
        elif _through_relation(value):
            inner = to_filter(value, depth + 1)
            if inner is not None:
                items.append(Rel(key, inner))
        else:
            for op, operand in value.items():
                if isinstance(operand, dict):
                    # A composite field's sub-field: ``name: {firstName: {eq: "Ada"}}``.
                    for sub_op, sub_operand in operand.items():
                        if sub_operand is not None:
                            items.append(Cond(f"{key}.{op}", sub_op, sub_operand))
                elif operand is not None:
                    items.append(Cond(key, op, operand))
    if not items:
        return None
    return items[0] if len(items) == 1 else And(tuple(items))


def _argument(info: GraphQLResolveInfo, name: str) -> Any:
    for arg in info.field_nodes[0].arguments or ():
        if arg.name.value == name:
            return arg.value
    return None


def to_order(info: GraphQLResolveInfo, variables: dict[str, Any], value: Any) -> tuple[Order, ...]:
    """``{createdAt: DESC, name: ASC}`` in the order the client wrote its keys; a to-one
    relation's field as ``{company: {name: AscNullsLast}}`` (``company.name``).

    Coercion rebuilds input objects in the type's field order, so the order is
    read from the query text, or from the variables as sent.
    """
    if not value:
        return ()
    node = _argument(info, "orderBy")
    written: Any = None
    if isinstance(node, ObjectValueNode):
        written = node
    elif isinstance(node, VariableNode):
        written = variables.get(node.name.value)
    return tuple(_orders(value, written, ""))


def _written_keys(value: dict[str, Any], written: Any) -> tuple[list[str], dict[str, Any]]:
    """``value``'s keys in the order written (query text or variables), and what was
    written under each (for nested inputs)."""
    under: dict[str, Any] = {}
    if isinstance(written, ObjectValueNode):
        order = [f.name.value for f in written.fields]
        under = {f.name.value: f.value for f in written.fields}
    elif isinstance(written, dict):
        order = list(written)
        under = written
    else:
        order = []
    keys = [k for k in order if k in value] + [k for k in value if k not in order]
    return keys, under


def _orders(value: dict[str, Any], written: Any, prefix: str) -> list[Order]:
    keys, under = _written_keys(value, written)
    out: list[Order] = []
    for k in keys:
        v = value.get(k)
        if v is None:
            continue
        if isinstance(v, dict):
            out += _orders(v, under.get(k), f"{prefix}{k}.")
        else:
            out.append(Order(prefix + k, v))
    return out


def page_size(limits: Limits, name: str, value: int | None, cap: int) -> int:
    if value is None:
        return min(limits.default_page_size, cap)
    if value < 0:
        raise BadRequest(f"{name} must not be negative, got {value}.", field=name)
    if value > cap:
        raise BadRequest(f"{name} must be at most {cap}, got {value}.", field=name)
    return value


def list_query(
    info: GraphQLResolveInfo,
    limits: Limits,
    variables: dict[str, Any],
    args: dict[str, Any],
    count_limit: int,
) -> ListQuery:
    first, last = args.get("first"), args.get("last")
    after, before = args.get("after") or None, args.get("before") or None
    if first is not None and last is not None:
        raise BadRequest("Use first or last, not both.", field="last")
    if after and before:
        raise BadRequest("Use after or before, not both.", field="before")
    if last is not None and after:
        raise BadRequest("last pages backwards: use it with before, or alone.", field="after")
    if first is not None and before:
        raise BadRequest("first pages forwards: use it with after, or alone.", field="before")
    name = "last" if last is not None else "first"
    size = page_size(limits, name, last if last is not None else first, limits.max_page_size)
    return ListQuery(
        filter=to_filter(args.get("filter")),
        order=to_order(info, variables, args.get("orderBy")),
        limit=size,
        after=after,
        before=before,
        last=last is not None,
        # Counted only when the total (or whether it is exact) is selected.
        with_total=selects(info, "totalCount") or selects(info, "totalCountIsExact"),
        count=args.get("count") or CountMode.ESTIMATE,
        count_limit=count_limit,
    )


def selects(info: GraphQLResolveInfo, name: str) -> bool:
    """Whether the field being resolved selects ``name`` (through fragments too)."""
    seen: set[str] = set()

    def walk(selection_set: SelectionSetNode | None) -> bool:
        if selection_set is None:
            return False
        for sel in selection_set.selections:
            if isinstance(sel, FieldNode):
                if sel.name.value == name:
                    return True
            elif isinstance(sel, InlineFragmentNode):
                if walk(sel.selection_set):
                    return True
            elif isinstance(sel, FragmentSpreadNode):
                frag_name = sel.name.value
                fragment = info.fragments.get(frag_name)
                if fragment is not None and frag_name not in seen:
                    seen.add(frag_name)
                    if walk(fragment.selection_set):
                        return True
        return False

    return any(walk(node.selection_set) for node in info.field_nodes)
