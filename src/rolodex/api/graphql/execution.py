"""Running one GraphQL request: prepare (parse, rewrite, validate; cached), execute, format.

Errors follow GraphQL's convention: ``errors[].extensions.code`` says what
kind of error it is (``BAD_USER_INPUT``, ``NOT_FOUND``, ``FORBIDDEN``, ...,
and Apollo's ``GRAPHQL_PARSE_FAILED`` / ``GRAPHQL_VALIDATION_FAILED`` for
documents that never ran), with ``field`` when one field is at fault.
"""

from __future__ import annotations

import logging
import uuid
from collections import OrderedDict
from dataclasses import dataclass
from inspect import isawaitable
from typing import Any

from graphql import (
    DocumentNode,
    ExecutionResult,
    GraphQLError,
    GraphQLSchema,
    OperationDefinitionNode,
    execute,
    parse,
    specified_rules,
    validate,
)

from rolodex.api.graphql.context import GraphQLContext
from rolodex.api.graphql.fast import executor_class
from rolodex.api.graphql.limits import Limits
from rolodex.api.graphql.rewrite import rewrite
from rolodex.api.graphql.validation import LimitError, complexity_rule, depth_rule, shape_rule
from rolodex.kit.errors import RolodexError

log = logging.getLogger("rolodex.graphql")

PARSE_FAILED = "GRAPHQL_PARSE_FAILED"
VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED"
BAD_USER_INPUT = "BAD_USER_INPUT"
INTERNAL = "INTERNAL_SERVER_ERROR"
# Documents longer than this are prepared every time rather than kept.
_CACHEABLE_CHARS = 64_000


@dataclass(frozen=True, slots=True)
class Prepared:
    """A document ready to run, or the errors that stop it running (with their HTTP status)."""

    document: DocumentNode | None
    errors: tuple[dict[str, Any], ...]
    status: int = 200

    def operation(self, name: str | None) -> OperationDefinitionNode | None:
        if self.document is None:
            return None
        ops = [d for d in self.document.definitions if isinstance(d, OperationDefinitionNode)]
        if name is None:
            return ops[0] if len(ops) == 1 else None
        return next((op for op in ops if op.name is not None and op.name.value == name), None)


def error_dict(message: str, code: str, **extensions: Any) -> dict[str, Any]:
    return {"message": message, "extensions": {"code": code, **extensions}}


def format_error(error: GraphQLError, default_code: str) -> dict[str, Any]:
    """One error as the response shows it; internal failures are logged, not described."""
    original = error.original_error
    while isinstance(original, GraphQLError) and original.original_error is not None:
        original = original.original_error
    extensions: dict[str, Any] = dict(error.extensions or {})
    message = error.message
    if isinstance(original, RolodexError):
        message = original.message
        extensions = {"code": original.graphql_code}
        if original.field is not None:
            extensions["field"] = original.field
        extensions.update(original.extra)
    elif original is not None and not isinstance(original, GraphQLError):
        request_id = str(uuid.uuid4())
        log.error(
            "Unhandled error %s in GraphQL field %s",
            request_id,
            ".".join(str(p) for p in error.path or ()),
            exc_info=original,
        )
        message = f"Internal server error; quote request id {request_id} when reporting it."
        extensions = {"code": INTERNAL, "requestId": request_id}
    else:
        extensions.setdefault("code", default_code)
    out: dict[str, Any] = {"message": message}
    if error.locations:
        out["locations"] = [{"line": loc.line, "column": loc.column} for loc in error.locations]
    if error.path:
        out["path"] = list(error.path)
    out["extensions"] = extensions
    return out


class Runner:
    """Prepares and runs documents against a workspace's schema; keeps prepared documents."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        limit_rules = (shape_rule(limits), depth_rule(limits), complexity_rule(limits))
        self.rules = (*specified_rules, *limit_rules)
        self._documents: OrderedDict[tuple[Any, str], Prepared] = OrderedDict()

    def prepare(self, schema: GraphQLSchema, query: str) -> Prepared:
        key = (schema.extensions.get("serial"), query)
        prepared = self._documents.get(key)
        if prepared is not None:
            self._documents.move_to_end(key)
            return prepared
        prepared = self._prepare(schema, query)
        if len(query) <= _CACHEABLE_CHARS:
            self._documents[key] = prepared
            if len(self._documents) > self.limits.document_cache:
                self._documents.popitem(last=False)
        return prepared

    def _prepare(self, schema: GraphQLSchema, query: str) -> Prepared:
        try:
            document = parse(query, max_tokens=self.limits.max_tokens)
        except GraphQLError as exc:
            return Prepared(None, (format_error(exc, PARSE_FAILED),))
        document = rewrite(schema, document)
        errors = validate(schema, document, self.rules)
        if errors:
            # Over a limit: the request as a whole is refused, whatever else is wrong with it.
            status = 400 if any(isinstance(e, LimitError) for e in errors) else 200
            formatted = tuple(format_error(e, VALIDATION_FAILED) for e in errors)
            return Prepared(None, formatted, status)
        return Prepared(document, ())

    async def run(
        self,
        schema: GraphQLSchema,
        prepared: Prepared,
        ctx: GraphQLContext,
        operation_name: str | None,
    ) -> dict[str, Any]:
        assert prepared.document is not None
        options: dict[str, Any] = {"executor_class": executor_class} if executor_class else {}
        result = execute(
            schema,
            prepared.document,
            context_value=ctx,
            variable_values=ctx.variables,
            operation_name=operation_name,
            **options,
        )
        if isawaitable(result):
            result = await result
        assert isinstance(result, ExecutionResult)
        body: dict[str, Any] = {}
        if result.errors:
            body["errors"] = [format_error(e, BAD_USER_INPUT) for e in result.errors]
        if result.data is not None or not result.errors:
            body["data"] = result.data
        elif any(e.path for e in result.errors):
            body["data"] = None  # execution ran and a non-null root field failed
        return body
