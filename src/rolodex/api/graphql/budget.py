"""What one operation asks of the server, counted from its document before it runs.

Root fields (as graphql-core executes them: one per response key, fragments
expanded), and for a mutation the records it writes (one per root field, or
the length of a ``createPeople``-style ``data`` list), which count against
the batch limit, while each root mutation costs one rate-limit token.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    InlineFragmentNode,
    ListValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
)

Fragments = Mapping[str, FragmentDefinitionNode]


def fragments_of(document: DocumentNode) -> dict[str, FragmentDefinitionNode]:
    return {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}


def root_fields(
    selection_set: SelectionSetNode, fragments: Fragments, stop_after: int
) -> dict[str, FieldNode]:
    """The root fields by response key, through fragments; counting stops past ``stop_after``.

    Each fragment is expanded once (memoised), so a document spreading
    fragments into fragments costs its size to count, not the size it expands to.
    """
    memo: dict[str, dict[str, FieldNode]] = {}

    def merge(out: dict[str, FieldNode], more: dict[str, FieldNode]) -> None:
        for key, node in more.items():
            if len(out) > stop_after:
                return
            out.setdefault(key, node)

    def walk(ss: SelectionSetNode, seen: frozenset[str]) -> dict[str, FieldNode]:
        out: dict[str, FieldNode] = {}
        for sel in ss.selections:
            if len(out) > stop_after:
                break
            if isinstance(sel, FieldNode):
                out.setdefault(sel.alias.value if sel.alias else sel.name.value, sel)
            elif isinstance(sel, InlineFragmentNode):
                merge(out, walk(sel.selection_set, seen))
            elif isinstance(sel, FragmentSpreadNode):
                name = sel.name.value
                fragment = fragments.get(name)
                if fragment is None or name in seen:
                    continue  # unknown or cyclic: validation reports it
                if name not in memo:
                    memo[name] = walk(fragment.selection_set, seen | {name})
                merge(out, memo[name])
        return out

    return walk(selection_set, frozenset())


def _records(field: Any, node: FieldNode, variables: Mapping[str, Any]) -> int:
    """Records one root mutation field writes: the length of a list ``data``, else one."""
    arg = field.args.get("data") if field is not None else None
    kind = arg.type.of_type if arg is not None and isinstance(arg.type, GraphQLNonNull) else None
    if not isinstance(kind, GraphQLList):
        return 1
    for given in node.arguments or ():
        if given.name.value != "data":
            continue
        value = given.value
        if isinstance(value, ListValueNode):
            return max(1, len(value.values))
        if isinstance(value, VariableNode):
            raw = variables.get(value.name.value)
            return max(1, len(raw)) if isinstance(raw, list) else 1
    return 1


def mutation_load(
    mutation_type: GraphQLObjectType,
    operation: OperationDefinitionNode,
    fragments: Fragments,
    variables: Mapping[str, Any],
    stop_after: int,
) -> tuple[int, int]:
    """(root mutations, records they write) of a mutation operation."""
    roots = root_fields(operation.selection_set, fragments, stop_after)
    mutations = records = 0
    for node in roots.values():
        name = node.name.value
        if not name.startswith("__"):  # __typename asks nothing of the database
            mutations += 1
            records += _records(mutation_type.fields.get(name), node, variables)
    return mutations, records
