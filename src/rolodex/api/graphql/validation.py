"""Validation rules bounding a query's depth and cost before anything runs.

Depth counts nested field selections. Cost counts field selections, each
multiplied by the page sizes of the connections and lists above it: a
literal ``first``/``last``, the default page size when none is given, and the
maximum when the size comes from a variable (so the cost of a document does
not depend on its variables and is checked once, when it is first seen).
Introspection fields count for neither.

The shape rule bounds what the cost cannot see: root fields (graphql-core
executes a mutation's one after another), aliased fields, and the database
statements the operation will run (one per root field, per relation selected
and per ``totalCount``; relations are batched per level, so these do not
multiply by page sizes). Going past any limit is answered with HTTP 400.
"""

from __future__ import annotations

from typing import Any

from graphql import (
    FieldNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLNamedType,
    GraphQLObjectType,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationRule,
    get_named_type,
)

from rolodex.api.graphql.budget import fragments_of, root_fields
from rolodex.api.graphql.limits import Limits
from rolodex.api.graphql.schema import LIST_TWIN, PAGED, ROUND_TRIPS

LIMIT_CODE = "BAD_USER_INPUT"


class LimitError(GraphQLError):
    """An operation over one of the limits (answered with HTTP 400)."""


def _too_much(message: str, node: Any) -> GraphQLError:
    return LimitError(message, node, extensions={"code": LIMIT_CODE})


def depth_rule(limits: Limits) -> type[ValidationRule]:
    class MaxDepthRule(ValidationRule):
        """Rejects operations nesting fields deeper than the limit."""

        def __init__(self, context: Any) -> None:
            super().__init__(context)
            self.memo: dict[str, int] = {}

        def depth(self, selection_set: SelectionSetNode | None, seen: frozenset[str]) -> int:
            if selection_set is None:
                return 0
            deepest = 0
            for sel in selection_set.selections:
                if isinstance(sel, FieldNode):
                    if sel.name.value.startswith("__"):
                        continue
                    deepest = max(deepest, 1 + self.depth(sel.selection_set, seen))
                elif isinstance(sel, InlineFragmentNode):
                    deepest = max(deepest, self.depth(sel.selection_set, seen))
                elif isinstance(sel, FragmentSpreadNode):
                    deepest = max(deepest, self.fragment(sel.name.value, seen))
            return deepest

        def fragment(self, name: str, seen: frozenset[str]) -> int:
            if name in self.memo:
                return self.memo[name]
            fragment = self.context.get_fragment(name)
            if fragment is None or name in seen:
                return 0  # unknown or cyclic: other rules report it
            value = self.depth(fragment.selection_set, seen | {name})
            self.memo[name] = value
            return value

        def enter_operation_definition(self, node: OperationDefinitionNode, *_: Any) -> None:
            depth = self.depth(node.selection_set, frozenset())
            if depth > limits.max_depth:
                self.report_error(
                    _too_much(
                        f"The operation nests fields {depth} levels deep; "
                        f"the limit is {limits.max_depth}.",
                        node,
                    )
                )

    return MaxDepthRule


def complexity_rule(limits: Limits) -> type[ValidationRule]:
    class MaxComplexityRule(ValidationRule):
        """Rejects operations whose selections, times page sizes, exceed the limit."""

        def __init__(self, context: Any) -> None:
            super().__init__(context)
            self.memo: dict[str, int] = {}

        def multiplier(self, field: FieldNode, kind: str) -> int:
            cap = limits.max_page_size if kind == "root" else limits.max_nested
            for arg in field.arguments or ():
                if arg.name.value in ("first", "last"):
                    if isinstance(arg.value, IntValueNode):
                        return max(1, min(int(arg.value.value), cap))
                    return cap  # a variable: assume the most it may ask for
            return min(limits.default_page_size, cap)

        def cost(
            self, selection_set: SelectionSetNode | None, parent: Any, seen: frozenset[str]
        ) -> int:
            if selection_set is None or not isinstance(parent, GraphQLObjectType):
                return 0
            total = 0
            for sel in selection_set.selections:
                if isinstance(sel, FieldNode):
                    name = sel.name.value
                    field = parent.fields.get(name)
                    if name.startswith("__") or field is None:
                        continue
                    kind = (field.extensions or {}).get(PAGED)
                    times = self.multiplier(sel, kind) if kind else 1
                    child = get_named_type(field.type)
                    total += 1 + times * self.cost(sel.selection_set, child, seen)
                elif isinstance(sel, InlineFragmentNode):
                    total += self.cost(sel.selection_set, self.narrow(sel, parent), seen)
                elif isinstance(sel, FragmentSpreadNode):
                    total += self.fragment(sel.name.value, seen)
                if total > limits.max_complexity:
                    return total  # no need to count further
            return total

        def narrow(self, sel: InlineFragmentNode, parent: Any) -> GraphQLNamedType | None:
            if sel.type_condition is None:
                return parent
            return self.context.schema.get_type(sel.type_condition.name.value)

        def fragment(self, name: str, seen: frozenset[str]) -> int:
            if name in self.memo:
                return self.memo[name]
            fragment = self.context.get_fragment(name)
            if fragment is None or name in seen:
                return 0
            parent = self.context.schema.get_type(fragment.type_condition.name.value)
            value = self.cost(fragment.selection_set, parent, seen | {name})
            self.memo[name] = value
            return value

        def enter_operation_definition(self, node: OperationDefinitionNode, *_: Any) -> None:
            schema = self.context.schema
            root = schema.get_root_type(node.operation)
            cost = self.cost(node.selection_set, root, frozenset())
            if cost > limits.max_complexity:
                self.report_error(
                    _too_much(
                        f"The operation would cost {cost} (fields times page sizes); "
                        f"the limit is {limits.max_complexity}. Ask for smaller pages "
                        "or fewer nested relations.",
                        node,
                    )
                )

    return MaxComplexityRule


def _aliased(sel: FieldNode, parent: GraphQLObjectType) -> bool:
    """Whether ``sel`` is aliased by the client (not by rewrite.py, to a list twin)."""
    if sel.alias is None or sel.alias.value == sel.name.value:
        return False
    original = parent.fields.get(sel.alias.value)
    return original is None or (original.extensions or {}).get(LIST_TWIN) != sel.name.value


def shape_rule(limits: Limits) -> type[ValidationRule]:
    class ShapeRule(ValidationRule):
        """Rejects operations with too many root fields, aliases or database statements."""

        def __init__(self, context: Any) -> None:
            super().__init__(context)
            self.memo: dict[str, tuple[int, int]] = {}

        def count(
            self, selection_set: SelectionSetNode | None, parent: Any, seen: frozenset[str]
        ) -> tuple[int, int]:
            """(aliased fields, database statements) of a selection, fragments expanded."""
            if selection_set is None or not isinstance(parent, GraphQLObjectType):
                return 0, 0
            schema = self.context.schema
            root = parent is schema.query_type or parent is schema.mutation_type
            aliases = trips = 0
            for sel in selection_set.selections:
                a = t = 0
                if isinstance(sel, FieldNode):
                    a = int(_aliased(sel, parent))
                    name = sel.name.value
                    field = parent.fields.get(name)
                    if not name.startswith("__") and field is not None:
                        t = 1 if root else (field.extensions or {}).get(ROUND_TRIPS, 0)
                        below = self.count(sel.selection_set, get_named_type(field.type), seen)
                        a, t = a + below[0], t + below[1]
                elif isinstance(sel, InlineFragmentNode):
                    narrowed: Any = parent
                    if sel.type_condition is not None:
                        narrowed = schema.get_type(sel.type_condition.name.value)
                    a, t = self.count(sel.selection_set, narrowed, seen)
                elif isinstance(sel, FragmentSpreadNode):
                    a, t = self.fragment(sel.name.value, seen)
                aliases, trips = aliases + a, trips + t
                if aliases > limits.max_aliases or trips > limits.max_round_trips:
                    break  # no need to count further
            return aliases, trips

        def fragment(self, name: str, seen: frozenset[str]) -> tuple[int, int]:
            if name in self.memo:
                return self.memo[name]
            fragment = self.context.get_fragment(name)
            if fragment is None or name in seen:
                return 0, 0
            parent = self.context.schema.get_type(fragment.type_condition.name.value)
            value = self.count(fragment.selection_set, parent, seen | {name})
            self.memo[name] = value
            return value

        def enter_operation_definition(self, node: OperationDefinitionNode, *_: Any) -> None:
            fragments = fragments_of(self.context.document)
            roots = len(root_fields(node.selection_set, fragments, limits.max_root_fields))
            if roots > limits.max_root_fields:
                self.report_error(
                    _too_much(
                        f"The operation has more than {limits.max_root_fields} root fields, "
                        "the limit; send the rest in another request.",
                        node,
                    )
                )
                return
            root = self.context.schema.get_root_type(node.operation)
            aliases, trips = self.count(node.selection_set, root, frozenset())
            if aliases > limits.max_aliases:
                self.report_error(
                    _too_much(
                        f"The operation aliases more than {limits.max_aliases} fields, the limit.",
                        node,
                    )
                )
            elif trips > limits.max_round_trips:
                self.report_error(
                    _too_much(
                        f"The operation would run more than {limits.max_round_trips} database "
                        "statements (one per root field, relation and totalCount), the "
                        "limit; split it into several requests.",
                        node,
                    )
                )

    return ShapeRule
