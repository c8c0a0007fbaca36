"""Shapes of webhooks in the OpenAPI document: the webhook, its inputs, deliveries.

They follow webhooks/schemas.py (``Webhook.to_dict`` and ``to_attio``,
``parse_input``) and webhooks/service.py (deliveries and their attempts).
"""

from __future__ import annotations

from rolodex.api.rest.openapi_common import (
    TIME,
    UUID,
    Schema,
    closed,
    nullable,
    ref,
)
from rolodex.webhooks import attio
from rolodex.webhooks.payloads import FORMATS
from rolodex.webhooks.schemas import STATUSES
from rolodex.webhooks.service import DELIVERY_STATUSES

TAG, V2 = "Webhooks", "Webhooks (Attio form)"
READ, WRITE = "Needs scope `webhook:read`.", "Needs scope `webhook:read-write`."

EVENT_TYPE = ref("EventTypeName")
_PART = "[A-Za-z][A-Za-z0-9_-]{0,62}"


def event_type_name(objects: list[str]) -> Schema:
    """An event type a subscription may name; its object must exist (or be ``*``)."""
    names = "|".join(sorted(objects))
    return {
        "type": "string",
        "pattern": f"^\\s*(?:\\*|(?:\\*|{names})\\.(?:\\*|{_PART}))\\s*$",
        "description": "`<object>.<action>`, such as `person.created`, `person.*`, "
        "`*.created` or `*`; the object must exist.",
        "examples": ["person.created", "person.*", "*"],
    }


FILTER: Schema = {
    "type": ["object", "null"],
    "description": '`{field, operator, value}`, or `{"$and": [...]}` / `{"$or": [...]}` '
    "of them (see docs/webhooks.md).",
}
SUBSCRIPTION: Schema = closed({"eventType": EVENT_TYPE, "filter": FILTER}, ["eventType"])
SUBSCRIPTIONS: Schema = {
    "type": ["array", "null"],
    "items": {"anyOf": [EVENT_TYPE, SUBSCRIPTION]},
    "maxItems": 100,
    "description": "What the webhook receives; null (or leaving it out on create) is every "
    "event. A bare string is an event type with no filter.",
}
URL: Schema = {
    "type": "string",
    "format": "uri",
    "maxLength": 2000,
    "pattern": "^\\s*[hH][tT][tT][pP][sS]?://[^\\s/?#@:%\\[\\]\\\\]+(?::[0-9]{1,4})?(?:[/?#]\\S*)?\\s*$",
    "description": "An http(s) URL without credentials; private addresses are refused unless "
    "the server allows them.",
}
_TEXT = {"type": ["string", "null"]}
_COMMON: dict[str, Schema] = {
    "name": {**_TEXT, "maxLength": 200, "description": "Defaults to the URL's host."},
    "description": {**_TEXT, "maxLength": 2000},
    "targetUrl": URL,
    "subscriptions": SUBSCRIPTIONS,
    "operations": {
        "type": "array",
        "items": EVENT_TYPE,
        "maxItems": 100,
        "description": "Twenty's shorthand: event types; `*.*` is every event. Not with "
        "`subscriptions`.",
    },
    "format": {
        "type": ["string", "null"],
        "enum": [*FORMATS, None],
        "description": "The payload format; `rolodex` by default.",
    },
    "status": {"type": "string", "enum": ["active", "disabled", "inactive"]},
}
SECRET: Schema = {
    "type": "string",
    "minLength": 1,
    "maxLength": 500,
    "pattern": r"\S",
    "description": "The signing secret; generated when left out. A `whsec_` secret is base64 "
    "after the prefix.",
}
_NOT_BOTH: Schema = {"not": {"required": ["subscriptions", "operations"]}}

WEBHOOK_CREATE = closed({**_COMMON, "secret": nullable(SECRET)}, ["targetUrl"], **_NOT_BOTH)
WEBHOOK_UPDATE = closed(dict(_COMMON), **_NOT_BOTH)

WEBHOOK: Schema = {
    "type": "object",
    "properties": {
        "id": UUID,
        "workspaceId": UUID,
        "name": {"type": "string"},
        "description": {"type": "string"},
        "targetUrl": {"type": "string"},
        "subscriptions": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"eventType": {"type": "string"}, "filter": FILTER},
                "required": ["eventType", "filter"],
            },
        },
        "operations": {"type": "array", "items": {"type": "string"}},
        "format": {"type": "string", "enum": list(FORMATS)},
        "status": {"type": "string", "enum": list(STATUSES)},
        "statusReason": _TEXT,
        "failingSince": nullable(TIME),
        "secretPreview": {"type": "string"},
        "previousSecretExpiresAt": nullable(TIME),
        "createdAt": TIME,
        "updatedAt": TIME,
    },
}
WEBHOOK["required"] = list(WEBHOOK["properties"])
WEBHOOK_WITH_SECRET: Schema = {
    "allOf": [
        ref("Webhook"),
        {"type": "object", "properties": {"secret": {"type": "string"}}, "required": ["secret"]},
    ]
}

ATTEMPT: Schema = {
    "type": "object",
    "properties": {
        "id": UUID,
        "attempt": {"type": "integer"},
        "startedAt": nullable(TIME),
        "durationMs": {"type": ["integer", "number", "null"]},
        "requestHeaders": {"type": ["object", "null"]},
        "responseStatus": {"type": ["integer", "null"]},
        "responseBody": _TEXT,
        "error": _TEXT,
        "nextAttemptAt": nullable(TIME),
    },
    "required": ["id", "attempt"],
}
DELIVERY: Schema = {
    "type": "object",
    "properties": {
        "id": UUID,
        "webhookId": UUID,
        "eventId": UUID,
        "eventType": {"type": "string"},
        "object": {"type": "string"},
        "recordId": nullable(UUID),
        "status": {"type": "string", "enum": list(DELIVERY_STATUSES)},
        "attempts": {"type": "integer"},
        "responseStatus": {"type": ["integer", "null"]},
        "error": _TEXT,
        "createdAt": nullable(TIME),
        "lastAttemptAt": nullable(TIME),
        "nextAttemptAt": nullable(TIME),
        "completedAt": nullable(TIME),
        "body": {"type": "string", "description": "The body sent, byte for byte."},
        "attemptLog": {"type": "array", "items": ref("DeliveryAttempt")},
    },
    "required": ["id", "webhookId", "eventType", "status", "attempts", "attemptLog"],
}
EVENT_TYPE_INFO: Schema = {
    "type": "object",
    "properties": {
        "name": {"type": "string"},
        "object": {"type": "string"},
        "action": {"type": "string"},
        "description": {"type": "string"},
        "aliasOf": {"type": "string"},
        "schema": {"type": "object", "description": "The JSON Schema of its payload."},
    },
    "required": ["name", "object", "action", "description", "schema"],
}

# -- the Attio form ---------------------------------------------------------------
ATTIO_EVENT_TYPE: Schema = {
    "anyOf": [
        {
            "type": "string",
            "enum": list(attio.EVENT_TYPES),
            "description": "One of Attio's event types; narrow `record.*` with a filter on "
            "`id.object_id` (an object's id or slug, such as `people`).",
        },
        EVENT_TYPE,
    ]
}
ATTIO_SUBSCRIPTION = closed({"event_type": ATTIO_EVENT_TYPE, "filter": FILTER}, ["event_type"])
_ATTIO_COMMON: dict[str, Schema] = {
    **{k: v for k, v in _COMMON.items() if k not in ("targetUrl", "subscriptions")},
    "target_url": URL,
    "subscriptions": {**SUBSCRIPTIONS, "items": {"anyOf": [EVENT_TYPE, ATTIO_SUBSCRIPTION]}},
}


def _attio_input(creating: bool) -> Schema:
    props = dict(_ATTIO_COMMON)
    if creating:
        props["secret"] = nullable(SECRET)
    inner = closed(props, ["target_url"] if creating else None, **_NOT_BOTH)
    return closed({"data": inner}, ["data"])


ATTIO_WEBHOOK: Schema = {
    "type": "object",
    "properties": {
        "id": {
            "type": "object",
            "properties": {"workspace_id": UUID, "webhook_id": UUID},
            "required": ["workspace_id", "webhook_id"],
        },
        "target_url": {"type": "string"},
        "subscriptions": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"event_type": {"type": "string"}, "filter": FILTER},
                "required": ["event_type", "filter"],
            },
        },
        "status": {"type": "string", "enum": ["active", "degraded", "inactive"]},
        "created_at": TIME,
        "secret": {"type": "string", "description": "On create only."},
    },
    "required": ["id", "target_url", "subscriptions", "status", "created_at"],
}


def webhook_schemas(objects: list[str]) -> dict[str, Schema]:
    """The webhook shapes; ``objects`` are those an event type may name."""
    return {
        "EventTypeName": event_type_name(objects),
        "Webhook": WEBHOOK,
        "WebhookWithSecret": WEBHOOK_WITH_SECRET,
        "WebhookCreateInput": WEBHOOK_CREATE,
        "WebhookUpdateInput": WEBHOOK_UPDATE,
        "Delivery": DELIVERY,
        "DeliveryAttempt": ATTEMPT,
        "EventType": EVENT_TYPE_INFO,
        "AttioWebhook": ATTIO_WEBHOOK,
        "AttioWebhookCreateInput": _attio_input(True),
        "AttioWebhookUpdateInput": _attio_input(False),
    }
