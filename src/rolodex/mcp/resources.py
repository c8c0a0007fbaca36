"""Resources and prompts: the schema and records by URI, and account prompts.

``rolodex://schema`` is the schema ``describe_schema`` returns;
``rolodex://{objects}/{id}`` (``rolodex://people/{id}``) is one record with
its relations. The prompts fetch a record with its history and ask the model
for an account summary or follow-ups.
"""

from __future__ import annotations

from typing import Any

import mcp_types as types

from rolodex.auth.scopes import Scope, allows, require
from rolodex.kit import jsonutil
from rolodex.kit.errors import BadRequest, NotFound
from rolodex.mcp import schemas
from rolodex.mcp.spec import ToolContext, charge
from rolodex.metadata.registry import Registry
from rolodex.records.schemas import json_ready

SCHEMA_URI = "rolodex://schema"
JSON = "application/json"


def listed(registry: Registry) -> list[types.Resource]:
    return [
        types.Resource(
            uri=SCHEMA_URI,
            name="schema",
            title="Workspace schema",
            description="Objects, fields, types, relations and picklists (describe_schema).",
            mime_type=JSON,
        )
    ]


def templates(registry: Registry) -> list[types.ResourceTemplate]:
    return [
        types.ResourceTemplate(
            uri_template=f"rolodex://{o.plural}/{{id}}",
            name=o.plural,
            title=o.label,
            description=f"One {o.label.lower()} by id, with its relations.",
            mime_type=JSON,
        )
        for o in registry.objects.values()
    ]


async def read(ctx: ToolContext, uri: str) -> types.ReadResourceResult:
    """A resource's contents; errors are the REST errors (the caller maps them)."""
    await charge(ctx)
    if uri == SCHEMA_URI:
        if not allows(ctx.principal.scopes, Scope.METADATA_READ):
            require(ctx.principal.scopes, Scope.RECORD_READ)
        async with ctx.session() as s:
            body: Any = schemas.describe(s.registry)
    else:
        require(ctx.principal.scopes, Scope.RECORD_READ)
        plural, rid = _parse(uri)
        async with ctx.session() as s:
            obj = s.registry.by_plural(plural)
            body = {"object": obj.plural, "record": await s.records.get(obj, rid, depth=1)}
    text = jsonutil.dumps_str(json_ready(body))
    return types.ReadResourceResult(
        contents=[types.TextResourceContents(uri=uri, mime_type=JSON, text=text)]
    )


def _parse(uri: str) -> tuple[str, str]:
    prefix = "rolodex://"
    if not uri.startswith(prefix):
        raise BadRequest(f"Unknown resource {uri!r}: use {SCHEMA_URI} or rolodex://people/{{id}}.")
    parts = uri[len(prefix) :].split("/")
    if len(parts) != 2 or not all(parts):
        raise NotFound(f"Unknown resource {uri!r}: use rolodex://<objects>/<id>.", field="uri")
    return parts[0], parts[1]


# -- prompts ------------------------------------------------------------------
PROMPTS = {
    "summarise_account": types.Prompt(
        name="summarise_account",
        title="Summarise an account",
        description="A company with its people, notes, tasks and recent history, and a request "
        "for a short account summary with risks and next steps.",
        arguments=[
            types.PromptArgument(name="companyId", description="The company", required=True)
        ],
    ),
    "plan_follow_up": types.Prompt(
        name="plan_follow_up",
        title="Plan a follow-up",
        description="A person with their company, notes, tasks and history, and a request to "
        "propose follow-up tasks (created with create_task once approved).",
        arguments=[types.PromptArgument(name="personId", description="The person", required=True)],
    ),
}

_ASKS = {
    "summarise_account": (
        "company",
        "companyId",
        "Summarise this account for a salesperson in a few bullet points: who the key people "
        "are, what happened recently, open tasks, risks, and the next best step.",
    ),
    "plan_follow_up": (
        "person",
        "personId",
        "Propose up to three concrete follow-up tasks for this person (title, due date, why). "
        "Once the user approves, create them with the create_task tool.",
    ),
}


async def prompt(ctx: ToolContext, name: str, arguments: dict[str, str]) -> types.GetPromptResult:
    if name not in _ASKS:
        raise NotFound(f"Unknown prompt '{name}'. Prompts are: {', '.join(PROMPTS)}.")
    object_name, argument, ask = _ASKS[name]
    rid = arguments.get(argument)
    if not rid:
        raise BadRequest(f"{argument} is required.", field=argument)
    require(ctx.principal.scopes, Scope.RECORD_READ)
    await charge(ctx)
    async with ctx.session() as s:
        obj = s.registry.object(object_name)
        record = await s.records.get(obj, rid, depth=1)
        history, _ = await s.timeline.page(obj, rid, limit=20, after=None)
    context = {
        "object": obj.plural,
        "record": json_ready(record),
        "timeline": [
            {k: h[k] for k in ("type", "occurredAt", "actor", "changes", "record")} for h in history
        ],
    }
    text = f"{ask}\n\n```json\n{jsonutil.dumps_str(context)}\n```"
    return types.GetPromptResult(
        description=PROMPTS[name].description,
        messages=[types.PromptMessage(role="user", content=types.TextContent(text=text))],
    )
