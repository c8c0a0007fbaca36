"""Shapes of the webhook feature: the webhook, its inputs, and its two wire forms.

REST (``/rest/webhooks``) speaks camelCase; the Attio form (``/v2/webhooks``)
speaks snake_case inside a ``data`` envelope. Both parse into the same
``WebhookInput`` and render the same ``Webhook``.
"""

from __future__ import annotations

import ipaddress
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from rolodex.kit import clock, decode
from rolodex.kit.errors import ValidationError
from rolodex.webhooks import attio as attio_events
from rolodex.webhooks import matching, signing
from rolodex.webhooks.payloads import FORMATS

STATUSES = ("active", "degraded", "disabled")
_UNSET: Any = object()
# Attio names webhook status ``inactive`` where Rolodex says ``disabled``.
_ATTIO_STATUS = {"disabled": "inactive"}
_SNAKE = {
    "target_url": "targetUrl",
    "event_type": "eventType",
    "created_at": "createdAt",
    "updated_at": "updatedAt",
}


@dataclass
class Webhook:
    """A webhook as stored; ``secret`` leaves the server only on create and rotation."""

    workspace_id: uuid.UUID
    id: uuid.UUID
    name: str
    description: str
    target_url: str
    subscriptions: list[dict[str, Any]] | None
    format: str
    status: str
    status_reason: str | None
    secret: str
    previous_secret: str | None
    previous_secret_until: datetime | None
    failing_since: datetime | None
    created_at: datetime
    updated_at: datetime
    # What matching derives from the subscriptions (matching.resolved), per process.
    cache: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def signing_secrets(self, now: datetime | None = None) -> list[str]:
        """The current secret, then the rotated-out one while its grace period lasts."""
        now = now or clock.now()
        out = [self.secret]
        if self.previous_secret and self.previous_secret_until and self.previous_secret_until > now:
            out.append(self.previous_secret)
        return out

    def context(self) -> dict[str, Any]:
        """What payload builders need to know about the webhook."""
        return {
            "id": str(self.id),
            "workspace_id": str(self.workspace_id),
            "name": self.name,
            "target_url": self.target_url,
        }

    @property
    def operations(self) -> list[str]:
        """Twenty's view of the subscriptions: a list of event types."""
        if self.subscriptions is None:
            return ["*.*"]
        return [s["eventType"] for s in self.subscriptions]

    def public_subscriptions(self) -> list[dict[str, Any]]:
        if self.subscriptions is None:
            return [{"eventType": "*", "filter": None}]
        return [
            {"eventType": s["eventType"], "filter": s.get("filter")} for s in self.subscriptions
        ]

    def to_dict(self, *, with_secret: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": str(self.id),
            "workspaceId": str(self.workspace_id),
            "name": self.name,
            "description": self.description,
            "targetUrl": self.target_url,
            "subscriptions": self.public_subscriptions(),
            "operations": self.operations,
            "format": self.format,
            "status": self.status,
            "statusReason": self.status_reason,
            "failingSince": _ts(self.failing_since),
            "secretPreview": signing.preview(self.secret),
            "previousSecretExpiresAt": _ts(self.previous_secret_until)
            if self.previous_secret
            else None,
            "createdAt": _ts(self.created_at),
            "updatedAt": _ts(self.updated_at),
        }
        if with_secret:
            out["secret"] = self.secret
        return out

    def to_attio(self, *, with_secret: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": {"workspace_id": str(self.workspace_id), "webhook_id": str(self.id)},
            "target_url": self.target_url,
            "subscriptions": [
                {"event_type": s["eventType"], "filter": s.get("filter")}
                for s in self.public_subscriptions()
            ],
            "status": _ATTIO_STATUS.get(self.status, self.status),
            "created_at": _ts(self.created_at),
        }
        if with_secret:
            out["secret"] = self.secret
        return out


def _ts(t: datetime | None) -> str | None:
    return clock.iso(t) if t is not None else None


@dataclass
class WebhookInput:
    """What a create or update sets; ``_UNSET`` fields are left alone."""

    name: Any = _UNSET
    description: Any = _UNSET
    target_url: Any = _UNSET
    subscriptions: Any = _UNSET  # list, or None for every event
    format: Any = _UNSET
    status: Any = _UNSET
    secret: Any = _UNSET
    extra: dict[str, Any] = field(default_factory=dict)

    def given(self) -> dict[str, Any]:
        return {
            k: v
            for k, v in (
                ("name", self.name),
                ("description", self.description),
                ("target_url", self.target_url),
                ("subscriptions", self.subscriptions),
                ("format", self.format),
                ("status", self.status),
                ("secret", self.secret),
            )
            if v is not _UNSET
        }


def check_url(value: object, field: str = "targetUrl") -> str:
    """An http(s) URL with a host, or a 400 naming ``field`` (addresses are checked later)."""
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(f"{field} is required: the URL to POST events to", field=field)
    url = value.strip()
    if len(url) > 2000:
        raise ValidationError(f"{field} is at most 2000 characters", field=field)
    if re.search(r"[\x00-\x1f\x7f]", url):
        # urlsplit silently drops tabs and newlines, so check before it does.
        raise ValidationError(f"{field} must not contain control characters", field=field)
    try:
        parts = urlsplit(url)
        port = parts.port  # raises on a bad port
    except ValueError as exc:
        raise ValidationError(f"{field} is not a valid URL: {exc}", field=field) from None
    if parts.scheme not in ("http", "https"):
        raise ValidationError(
            f"{field} must be an http:// or https:// URL, got {url[:60]!r}", field=field
        )
    if not parts.hostname:
        raise ValidationError(f"{field} has no host: {url[:60]!r}", field=field)
    if parts.username or parts.password:
        raise ValidationError(f"{field} must not carry credentials", field=field)
    del port
    _check_host(parts.netloc.rpartition("@")[2], field)
    return url


_CONTROL = re.compile(r"[\x00-\x20\x7f]")
_LABEL = re.compile(r"^(?!-)[a-z0-9_-]{1,63}(?<!-)$")


def _check_host(netloc: str, field: str) -> None:
    """A host name (IDNA-encodable, letters, digits, hyphens) or an IP literal, or a 400.

    Spaces, control characters and percent-escapes (``%00``) pass ``urlsplit``
    but can never be connected to; they are refused here rather than at delivery.
    """
    if netloc.startswith("["):
        literal = netloc[1:].partition("]")[0]
        try:
            ipaddress.IPv6Address(literal)
        except ValueError:
            raise ValidationError(
                f"{field} has an invalid IPv6 address: {literal[:60]!r}", field=field
            ) from None
        return
    host = netloc.rpartition(":")[0] if netloc.count(":") == 1 else netloc
    if _CONTROL.search(host) or "%" in host:
        raise ValidationError(
            f"{field} has a space, a control character or a %-escape in its host: {host[:60]!r}",
            field=field,
        )
    try:
        ascii_host = host.lower().rstrip(".").encode("idna").decode("ascii")
    except UnicodeError:
        raise ValidationError(
            f"{field} has an invalid host name: {host[:60]!r}", field=field
        ) from None
    if len(ascii_host) > 253 or not all(_LABEL.match(label) for label in ascii_host.split(".")):
        raise ValidationError(f"{field} has an invalid host name: {host[:60]!r}", field=field)


def _text(value: object, field: str, limit: int) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValidationError(f"{field} must be a string", field=field)
    if len(value) > limit:
        raise ValidationError(f"{field} is at most {limit} characters", field=field)
    return value


def parse_subscriptions(
    raw: Any, objects: Iterable[str], field: str = "subscriptions", *, attio: bool = False
) -> list[dict[str, Any]]:
    """``[{eventType, filter}]`` checked, or a 400 naming the offending entry."""
    if not isinstance(raw, list):
        raise ValidationError(f"{field} must be a list of {{eventType, filter}}", field=field)
    if len(raw) > 100:
        raise ValidationError(f"{field} holds at most 100 subscriptions", field=field)
    names = list(objects)
    out = []
    type_key = "event_type" if attio else "eventType"
    for i, sub in enumerate(raw):
        where = f"{field}[{i}]"
        if isinstance(sub, str):  # a bare event type, as in Twenty's operations
            sub = {"eventType": sub}
        if not isinstance(sub, dict):
            raise ValidationError(f"{where} must be an object {{{type_key}, filter}}", field=where)
        sub = {_SNAKE.get(k, k): v for k, v in sub.items()}
        unknown = set(sub) - {"eventType", "filter"}
        if unknown:
            name = sorted(unknown)[0]
            raise ValidationError(f"{where}: unknown key {name!r}", field=f"{where}.{name}")
        raw_type = sub.get("eventType")
        flt = None
        if attio and isinstance(raw_type, str) and raw_type.strip() in attio_events.EVENT_TYPES:
            flt = matching.check_filter(sub.get("filter"), f"{where}.filter")
            # Attio's own event types: matched and filtered as Attio does (webhooks.attio).
            out.append({"eventType": raw_type.strip(), "filter": flt, "attio": True})
            continue
        if attio and isinstance(raw_type, str) and raw_type.strip() in attio_events.UNSUPPORTED:
            raise ValidationError(
                f"{where}.{type_key}: Attio's {raw_type.strip()!r} has nothing here to fire it; "
                f"Attio's event types here are {', '.join(attio_events.EVENT_TYPES)}",
                field=f"{where}.{type_key}",
            )
        event_type = matching.check_event_type(raw_type, f"{where}.{type_key}", names)
        flt = matching.check_filter(sub.get("filter"), f"{where}.filter")
        out.append({"eventType": event_type, "filter": flt})
    return out


def parse_operations(raw: Any, objects: Iterable[str]) -> list[dict[str, Any]] | None:
    """Twenty's shorthand ``operations: ["person.created", "*.*"]``."""
    if not isinstance(raw, list) or not all(isinstance(op, str) for op in raw):
        raise ValidationError("operations must be a list of event types", field="operations")
    subs = parse_subscriptions(raw, objects, "operations")
    if any(s["eventType"] in ("*", "*.*") for s in subs):
        return None
    return subs


def parse_input(
    body: Any, objects: Iterable[str], *, creating: bool, attio: bool = False
) -> WebhookInput:
    """A create or update body in the REST (camelCase) or Attio (snake_case) form."""
    if attio:
        if not isinstance(body, dict) or not isinstance(body.get("data"), dict):
            raise ValidationError('The body must be {"data": {...}}', field="data")
        body = body["data"]
    if not isinstance(body, dict):
        raise ValidationError("The body must be a JSON object", field="body")
    body = {_SNAKE.get(k, k): v for k, v in body.items()}
    allowed = {
        "name",
        "description",
        "targetUrl",
        "subscriptions",
        "operations",
        "format",
        "status",
    }
    if creating:
        allowed.add("secret")
    unknown = set(body) - allowed
    if unknown:
        name = sorted(unknown)[0]
        hint = " (use POST .../rotate-secret)" if name == "secret" else ""
        raise ValidationError(f"Unknown field {name!r}{hint}", field=name)
    objects = list(objects)
    inp = WebhookInput()
    url_field = "target_url" if attio else "targetUrl"
    if "targetUrl" in body or creating:
        inp.target_url = check_url(body.get("targetUrl"), url_field)
    if "name" in body:
        inp.name = _text(body["name"], "name", 200)
    if "description" in body:
        inp.description = _text(body["description"], "description", 2000)
    if "subscriptions" in body and "operations" in body:
        raise ValidationError("Give subscriptions or operations, not both", field="operations")
    if "subscriptions" in body:
        raw = body["subscriptions"]
        inp.subscriptions = None if raw is None else parse_subscriptions(raw, objects, attio=attio)
    elif "operations" in body:
        inp.subscriptions = parse_operations(body["operations"], objects)
    elif creating:
        inp.subscriptions = None  # every event
    if "format" in body or creating:
        # Attio's form delivers Attio's body unless told otherwise: its clients
        # cannot name a format, and their receivers read Attio's events.
        fmt = body.get("format") or ("attio" if attio else "rolodex")
        if fmt not in FORMATS:
            raise ValidationError(f"format must be one of {', '.join(FORMATS)}", field="format")
        inp.format = fmt
    if "status" in body:
        status = body["status"]
        status = "disabled" if status == "inactive" else status
        if status not in ("active", "disabled"):
            raise ValidationError("status can be set to active or disabled", field="status")
        inp.status = status
    if creating:
        raw_secret = body.get("secret")
        inp.secret = (
            signing.generate_secret() if raw_secret is None else signing.check_secret(raw_secret)
        )
    return inp


def from_row(row: Any) -> Webhook:
    """A webhook from its stored row (either backend)."""
    return Webhook(
        workspace_id=decode.uid(row["workspace_id"]),
        id=decode.uid(row["id"]),
        name=row["name"],
        description=row["description"],
        target_url=row["target_url"],
        subscriptions=decode.json(row["subscriptions"]),
        format=row["format"],
        status=row["status"],
        status_reason=row["status_reason"],
        secret=row["secret"],
        previous_secret=row["previous_secret"],
        previous_secret_until=decode.ts(row["previous_secret_until"]),
        failing_since=decode.ts(row["failing_since"]),
        created_at=decode.ts(row["created_at"]) or clock.now(),
        updated_at=decode.ts(row["updated_at"]) or clock.now(),
    )
