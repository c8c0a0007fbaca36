"""Let to-many relations be selected as plain lists as well as connections.

The seed guide selects ``company { people { edges { node { id } } } }`` in
one place and ``company { people { id name } }`` in another. The schema keeps
the connection (Twenty's shape) and adds a plain-list twin (``peopleList``).
Before validation, a connection field whose selection names none of the
connection's own fields (``edges``, ``pageInfo``, ``totalCount``,
``__typename``) but does name record fields is rewritten to its twin, aliased
to the original response key, so the response still says ``people``.
"""

from __future__ import annotations

from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLSchema,
    InlineFragmentNode,
    NameNode,
    SelectionSetNode,
    TypeInfo,
    TypeInfoVisitor,
    Visitor,
    get_named_type,
    visit,
)

from rolodex.api.graphql.schema import LIST_TWIN

CONNECTION_FIELDS = frozenset(
    {"edges", "pageInfo", "totalCount", "totalCountIsExact", "__typename"}
)


def _uses(
    selection_set: SelectionSetNode,
    connection: str,
    fragments: dict[str, FragmentDefinitionNode],
    seen: set[str],
) -> tuple[bool, bool]:
    """(selects connection fields, selects record fields) of one selection set."""
    as_connection = as_record = False
    for sel in selection_set.selections:
        if isinstance(sel, FieldNode):
            if sel.name.value in CONNECTION_FIELDS:
                as_connection = True
            else:
                as_record = True
        elif isinstance(sel, InlineFragmentNode):
            condition = sel.type_condition.name.value if sel.type_condition else None
            if condition in (None, connection):
                c, rec = _uses(sel.selection_set, connection, fragments, seen)
                as_connection, as_record = as_connection or c, as_record or rec
            else:
                as_record = True
        elif isinstance(sel, FragmentSpreadNode):
            name = sel.name.value
            fragment = fragments.get(name)
            if fragment is None or name in seen:
                as_connection = True  # unknown or cyclic: leave it to validation
            elif fragment.type_condition.name.value == connection:
                c, rec = _uses(fragment.selection_set, connection, fragments, seen | {name})
                as_connection, as_record = as_connection or c, as_record or rec
            else:
                as_record = True
    return as_connection, as_record


class _ListTwins(Visitor):
    def __init__(self, type_info: TypeInfo, fragments: dict[str, FragmentDefinitionNode]) -> None:
        super().__init__()
        self.type_info = type_info
        self.fragments = fragments
        self.changed = False

    def enter_field(self, node: FieldNode, *_args: Any) -> Any:
        field_def = self.type_info.get_field_def()
        if field_def is None or not field_def.extensions or node.selection_set is None:
            return None
        twin = field_def.extensions.get(LIST_TWIN)
        if twin is None:
            return None
        connection = get_named_type(field_def.type).name
        as_connection, as_record = _uses(node.selection_set, connection, self.fragments, set())
        if as_connection or not as_record:
            return None
        self.changed = True
        return FieldNode(
            alias=node.alias or NameNode(value=node.name.value, loc=node.name.loc),
            name=NameNode(value=twin, loc=node.name.loc),
            arguments=node.arguments,
            directives=node.directives,
            selection_set=node.selection_set,
            loc=node.loc,
        )


def rewrite(schema: GraphQLSchema, document: DocumentNode) -> DocumentNode:
    """``document`` with list-style selections of to-many connections sent to their twins."""
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    type_info = TypeInfo(schema)
    visitor = _ListTwins(type_info, fragments)
    result = visit(document, TypeInfoVisitor(type_info, visitor))
    return result if visitor.changed else document
