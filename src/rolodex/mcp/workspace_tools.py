"""The schema, notes and tasks, and the webhook tools an agent debugging an
integration needs (read-only)."""

from __future__ import annotations

from typing import Any

from rolodex.auth.scopes import Scope
from rolodex.kit.errors import ValidationError
from rolodex.mcp import schemas
from rolodex.mcp.args import Args
from rolodex.mcp.spec import Schema, ToolContext, ToolSpec
from rolodex.metadata.registry import Registry
from rolodex.session import WRITE
from rolodex.webhooks.service import DELIVERY_STATUSES

_ATTACH: dict[str, Schema] = {
    "personId": {"type": "string", "format": "uuid", "description": "The person it is about."},
    "companyId": {"type": "string", "format": "uuid", "description": "The company it is about."},
}


# -- describe_schema ----------------------------------------------------------
def _describe_input(registry: Registry) -> Schema:
    return {
        "type": "object",
        "properties": {
            "object": {
                **schemas.objects_enum(registry),
                "description": "Describe this object only (default: every object).",
            }
        },
        "additionalProperties": False,
    }


async def describe_schema(ctx: ToolContext, raw: dict[str, Any]) -> dict[str, Any]:
    a = Args(raw, ("object",))
    name = a.text("object")
    async with ctx.session() as s:
        return schemas.describe(s.registry, s.registry.object(name) if name else None)


# -- notes and tasks ----------------------------------------------------------
def _attached(a: Args) -> dict[str, Any]:
    links = {k: a.raw(k) for k in _ATTACH if a.raw(k) is not None}
    if not links:
        raise ValidationError("Give personId or companyId (or both).", field="personId")
    return links


async def _create(ctx: ToolContext, obj_name: str, data: dict[str, Any]) -> dict[str, Any]:
    async with ctx.session(WRITE, lone=True) as s:
        obj = s.registry.object(obj_name)
        record = await s.records.create(obj, data)
    return {"object": obj.plural, "record": record}


async def add_note(ctx: ToolContext, raw: dict[str, Any]) -> dict[str, Any]:
    a = Args(raw, ("title", "body", *_ATTACH))
    data = {"body": a.need("body"), **_attached(a)}
    if a.raw("title") is not None:
        data["title"] = a.raw("title")
    return await _create(ctx, "note", data)


async def create_task(ctx: ToolContext, raw: dict[str, Any]) -> dict[str, Any]:
    a = Args(raw, ("title", "body", "dueDate", "status", "assigneeId", *_ATTACH))
    data = {"title": a.need("title"), **_attached(a)}
    for name in ("body", "dueDate", "status", "assigneeId"):
        if a.raw(name) is not None:
            data[name] = a.raw(name)
    return await _create(ctx, "task", data)


def _note_input(registry: Registry) -> Schema:
    return {
        "type": "object",
        "properties": {
            "title": {"type": "string"},
            "body": {"type": "string", "description": "The note's text."},
            **_ATTACH,
        },
        "required": ["body"],
        "additionalProperties": False,
    }


def _task_input(registry: Registry) -> Schema:
    task = registry.objects.get("task")
    status = task.fields.get("status") if task is not None else None
    return {
        "type": "object",
        "properties": {
            "title": {"type": "string"},
            "body": {"type": "string"},
            "dueDate": {"type": "string", "format": "date-time"},
            "status": {
                "type": "string",
                "enum": list(status.option_values) if status is not None else [],
            },
            "assigneeId": {
                "type": "string",
                "format": "uuid",
                "description": "The workspace member who should do it.",
            },
            **_ATTACH,
        },
        "required": ["title"],
        "additionalProperties": False,
    }


# -- webhooks -----------------------------------------------------------------
def _paging() -> dict[str, Schema]:
    return {
        "limit": {"type": "integer", "minimum": 1, "maximum": 100, "default": 20},
        "offset": {"type": "integer", "minimum": 0, "default": 0},
    }


async def list_webhooks(ctx: ToolContext, raw: dict[str, Any]) -> dict[str, Any]:
    a = Args(raw, ("limit", "offset"))
    limit, offset = a.integer("limit", 20, 1, 100), a.integer("offset", 0, 0, 10**9)
    async with ctx.session() as s:
        hooks, total = await s.webhooks.page(limit, offset)
    return {
        "webhooks": [h.to_dict() for h in hooks],
        "totalCount": total,
        "hasMore": offset + len(hooks) < total,
    }


async def webhook_deliveries(ctx: ToolContext, raw: dict[str, Any]) -> dict[str, Any]:
    a = Args(raw, ("webhookId", "status", "limit", "offset"))
    limit, offset = a.integer("limit", 20, 1, 100), a.integer("offset", 0, 0, 10**9)
    async with ctx.session() as s:
        items, total, _ = await s.webhooks.deliveries(
            a.need("webhookId"), a.text("status"), limit, offset
        )
    return {"deliveries": items, "totalCount": total, "hasMore": offset + len(items) < total}


def _deliveries_input(registry: Registry) -> Schema:
    return {
        "type": "object",
        "properties": {
            "webhookId": {"type": "string", "format": "uuid"},
            "status": {"type": "string", "enum": list(DELIVERY_STATUSES)},
            **_paging(),
        },
        "required": ["webhookId"],
        "additionalProperties": False,
    }


SCHEMA_TOOLS = [
    ToolSpec(
        "describe_schema",
        "Describe the schema",
        "The workspace's objects and their fields: types, relations, picklist options, "
        "unique keys, filter operators, custom fields included. Call it first.",
        (Scope.RECORD_READ, Scope.METADATA_READ),
        read_only=True,
        destructive=False,
        idempotent=True,
        input=_describe_input,
        run=describe_schema,
    ),
]

TOOLS = [
    ToolSpec(
        "add_note",
        "Add a note",
        "Attach a note to a person and/or a company (it shows in their timeline).",
        (Scope.RECORD_WRITE,),
        read_only=False,
        destructive=False,
        idempotent=False,
        input=_note_input,
        run=add_note,
    ),
    ToolSpec(
        "create_task",
        "Create a task",
        "Create a follow-up task for a person and/or a company, optionally due at a time "
        "and assigned to a member.",
        (Scope.RECORD_WRITE,),
        read_only=False,
        destructive=False,
        idempotent=False,
        input=_task_input,
        run=create_task,
    ),
    ToolSpec(
        "list_webhooks",
        "List webhooks",
        "The workspace's webhooks: target, subscriptions, status and since when one fails.",
        (Scope.WEBHOOK_READ,),
        read_only=True,
        destructive=False,
        idempotent=True,
        input=lambda r: {"type": "object", "properties": _paging(), "additionalProperties": False},
        run=list_webhooks,
    ),
    ToolSpec(
        "webhook_deliveries",
        "Webhook deliveries",
        "One webhook's delivery log, newest first, each delivery with its attempts "
        "(status codes, errors, timings); filter by status.",
        (Scope.WEBHOOK_READ,),
        read_only=True,
        destructive=False,
        idempotent=True,
        input=_deliveries_input,
        run=webhook_deliveries,
    ),
]
