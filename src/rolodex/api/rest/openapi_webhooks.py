"""Webhooks in the OpenAPI document: ``/rest/webhooks``, Attio's ``/v2/webhooks``, the stream.

The shapes are in openapi_webhook_schemas.py.
"""

from __future__ import annotations

from rolodex.api.rest.openapi_common import (
    AUTH,
    BODY,
    TIME,
    UUID,
    Schema,
    attio_errors,
    closed,
    data,
    errors,
    link,
    nullable,
    ok,
    op,
    path_param,
    query,
    ref,
)
from rolodex.api.rest.openapi_webhook_schemas import EVENT_TYPE, SECRET
from rolodex.webhooks.routes import DEFAULT_LIMIT, MAX_LIMIT
from rolodex.webhooks.service import DELIVERY_STATUSES, MAX_GRACE

TAG, V2 = "Webhooks", "Webhooks (Attio form)"
READ, WRITE = "Needs scope `webhook:read`.", "Needs scope `webhook:read-write`."

# -- paths --------------------------------------------------------------------------
_PAGE = [
    query(
        "limit",
        {"type": "integer", "minimum": 0, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT},
        "How many items a page holds.",
    ),
    query("offset", {"type": "integer", "minimum": 0, "maximum": 10**9, "default": 0}),
]
_HOOK_ID = path_param("id", UUID, "The webhook's id.")
_DELIVERY_ID = path_param("delivery_id", UUID, "The delivery's id.")
_TOTAL = {"type": "integer"}


def _hook_links(pointer: str) -> dict[str, Schema]:
    names = ("getWebhook", "updateWebhook", "deleteWebhook", "listDeliveries", "testWebhook")
    return {name: link(name, f"{pointer}/id") for name in names}


def _rest_paths() -> dict[str, Schema]:
    one = "/rest/webhooks/{id}"
    update = op(
        TAG,
        "updateWebhook",
        "Update a webhook",
        {"200": ok(data("updateWebhook", ref("Webhook"))), **errors(*BODY, 404)},
        WRITE,
        ref("WebhookUpdateInput"),
    )
    return {
        "/rest/webhooks": {
            "get": op(
                TAG,
                "listWebhooks",
                "List webhooks",
                {
                    "200": ok(
                        data(
                            "webhooks",
                            {"type": "array", "items": ref("Webhook")},
                            totalCount=_TOTAL,
                        )
                    ),
                    **errors(*AUTH),
                },
                READ,
                parameters=_PAGE,
            ),
            "post": op(
                TAG,
                "createWebhook",
                "Create a webhook",
                {
                    "201": ok(
                        data("createWebhook", ref("WebhookWithSecret")),
                        "Created; the secret is in this response only.",
                        _hook_links("/data/createWebhook"),
                    ),
                    **errors(*BODY),
                },
                WRITE,
                ref("WebhookCreateInput"),
            ),
        },
        "/rest/webhooks/event-types": {
            "get": op(
                TAG,
                "listEventTypes",
                "Every event type, with the JSON Schema of its payload",
                {
                    "200": ok(data("eventTypes", {"type": "array", "items": ref("EventType")})),
                    **errors(*AUTH),
                },
                READ,
            )
        },
        one: {
            "parameters": [_HOOK_ID],
            "get": op(
                TAG,
                "getWebhook",
                "Get a webhook",
                {"200": ok(data("webhook", ref("Webhook"))), **errors(*AUTH, 404)},
                READ,
            ),
            "patch": update,
            "put": {**update, "operationId": "replaceWebhook", "summary": "Update (PUT)"},
            "delete": op(
                TAG,
                "deleteWebhook",
                "Delete a webhook",
                {
                    "200": ok(data("deleteWebhook", {**closed({"id": UUID}), "required": ["id"]})),
                    **errors(*AUTH, 404),
                },
                WRITE,
            ),
        },
        one + "/rotate-secret": {
            "parameters": [_HOOK_ID],
            "post": op(
                TAG,
                "rotateWebhookSecret",
                "Rotate the signing secret",
                {
                    "200": ok(data("rotateWebhookSecret", ref("WebhookWithSecret"))),
                    **errors(*BODY, 404),
                },
                "A new secret (generated, or the one given); the old one keeps signing for "
                f"`graceSeconds` (24 h by default). {WRITE}",
                closed(
                    {
                        "secret": nullable(SECRET),
                        "graceSeconds": {
                            "type": ["number", "null"],
                            "minimum": 0,
                            "maximum": MAX_GRACE,
                        },
                    }
                ),
                body_required=False,
            ),
        },
        one + "/deliveries": {
            "parameters": [_HOOK_ID],
            "get": op(
                TAG,
                "listDeliveries",
                "The delivery log, newest first",
                {
                    "200": ok(
                        data(
                            "deliveries",
                            {"type": "array", "items": ref("Delivery")},
                            totalCount={
                                "type": "integer",
                                "description": "Exact up to ROLODEX_COUNT_LIMIT (10,000) and "
                                "past the page; beyond, a lower bound.",
                            },
                            totalCountIsExact={"type": "boolean"},
                        )
                    ),
                    **errors(*AUTH, 404),
                },
                READ,
                parameters=[
                    *_PAGE,
                    query("status", {"type": "string", "enum": list(DELIVERY_STATUSES)}),
                ],
            ),
        },
        one + "/deliveries/{delivery_id}": {
            "parameters": [_HOOK_ID, _DELIVERY_ID],
            "get": op(
                TAG,
                "getDelivery",
                "A delivery with its attempts",
                {"200": ok(data("delivery", ref("Delivery"))), **errors(*AUTH, 404)},
                READ,
            ),
        },
        one + "/deliveries/{delivery_id}/resend": {
            "parameters": [_HOOK_ID, _DELIVERY_ID],
            "post": op(
                TAG,
                "resendDelivery",
                "Send a delivery again",
                {"202": ok(data("delivery", ref("Delivery")), "Queued"), **errors(*AUTH, 404)},
                f"The same body, from the start of the retry schedule. {WRITE}",
            ),
        },
        one + "/recover": {
            "parameters": [_HOOK_ID],
            "post": op(
                TAG,
                "recoverDeliveries",
                "Requeue failed deliveries",
                {
                    "202": ok(data("requeued", {"type": "integer", "minimum": 0}), "Queued"),
                    **errors(*BODY, 404),
                },
                f"The failed deliveries created between `since` and `until` (now). {WRITE}",
                closed({"since": TIME, "until": nullable(TIME)}, ["since"]),
            ),
        },
        one + "/test": {
            "parameters": [_HOOK_ID],
            "post": op(
                TAG,
                "testWebhook",
                "Send a sample event",
                {"202": ok(data("delivery", ref("Delivery")), "Queued"), **errors(*BODY, 404)},
                f"`person.created` unless `eventType` names another. {WRITE}",
                closed({"eventType": nullable(EVENT_TYPE)}),
                body_required=False,
            ),
        },
    }


def _attio_paths() -> dict[str, Schema]:
    hook_id = path_param("webhook_id", UUID, "The webhook's id.")
    created = {"data": ref("AttioWebhook")}
    return {
        "/v2/webhooks": {
            "get": op(
                V2,
                "attioListWebhooks",
                "List webhooks",
                {
                    "200": ok(
                        {
                            "type": "object",
                            "properties": {"data": {"type": "array", "items": ref("AttioWebhook")}},
                            "required": ["data"],
                        }
                    ),
                    **attio_errors(*AUTH),
                },
                READ,
                parameters=_PAGE,
            ),
            "post": op(
                V2,
                "attioCreateWebhook",
                "Create a webhook",
                {
                    "200": ok(
                        {"type": "object", "properties": created, "required": ["data"]},
                        "Created; the secret is in this response only.",
                        {
                            n: link(n, "/data/id/webhook_id", "webhook_id")
                            for n in ("attioGetWebhook", "attioUpdateWebhook", "attioDeleteWebhook")
                        },
                    ),
                    **attio_errors(*BODY),
                },
                WRITE,
                ref("AttioWebhookCreateInput"),
            ),
        },
        "/v2/webhooks/{webhook_id}": {
            "parameters": [hook_id],
            "get": op(
                V2,
                "attioGetWebhook",
                "Get a webhook",
                {
                    "200": ok({"type": "object", "properties": created, "required": ["data"]}),
                    **attio_errors(*AUTH, 404),
                },
                READ,
            ),
            "patch": op(
                V2,
                "attioUpdateWebhook",
                "Update a webhook",
                {
                    "200": ok({"type": "object", "properties": created, "required": ["data"]}),
                    **attio_errors(*BODY, 404),
                },
                WRITE,
                ref("AttioWebhookUpdateInput"),
            ),
            "delete": op(
                V2,
                "attioDeleteWebhook",
                "Delete a webhook",
                {"200": ok({"type": "object", "maxProperties": 0}), **attio_errors(*AUTH, 404)},
                WRITE,
            ),
        },
    }


def _stream_paths() -> dict[str, Schema]:
    return {
        "/rest/events/stream": {
            "get": op(
                "Events",
                "streamEvents",
                "A live stream of the workspace's events (Server-Sent Events)",
                {
                    "200": {
                        "description": "One SSE message per event: `id` is its sequence number, "
                        "`event` its name, `data` the body a `rolodex` webhook receives.",
                        "content": {"text/event-stream": {"schema": {"type": "string"}}},
                    },
                    **attio_errors(*AUTH),
                },
                f"Without `since` or `Last-Event-ID` it starts at the current end. {READ}",
                parameters=[
                    query(
                        "events",
                        {"type": "string"},
                        "Comma-separated event types such as `person.created,company.*`.",
                    ),
                    query(
                        "since",
                        {"type": "string", "pattern": "^[0-9]+$"},
                        "Resume after this sequence number.",
                    ),
                    {
                        "name": "Last-Event-ID",
                        "in": "header",
                        "schema": {"type": "string", "pattern": "^[0-9]+$"},
                        "description": "Resume after this sequence number (as browsers send it).",
                    },
                ],
            )
        }
    }


def webhook_paths() -> dict[str, Schema]:
    return {**_rest_paths(), **_attio_paths(), **_stream_paths()}
