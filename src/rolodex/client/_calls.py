"""Every API operation as a ``Call``: path, body, how to read the answer, retry safety.

Shared by the sync and async resources, which only run these.

Which calls are repeated after a 5xx or a lost response (idempotent):
every GET, PUT and DELETE; PATCH updates (their bodies set values, so a
repeat changes nothing more); giving a consent (giving the same one again
changes nothing); restores; GraphQL documents without a mutation; and creates
that cannot duplicate: those carrying a client-chosen ``id``, and upserts
carrying the object's unique key (``email`` for people and members,
``domain`` for companies). Other POSTs (plain creates, batches without
upsert, keys, webhooks, resends, tests, field and object definitions) are
never repeated after the request may have reached the server.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import quote

from rolodex.client._base import Call
from rolodex.client._query import FilterArg, OrderArg, encode_filter, encode_order_by
from rolodex.client.errors import graphql_error
from rolodex.client.models import Listing, Page

# The first unique key of each standard object: an upsert carrying it is safe to repeat.
UNIQUE_KEYS = {
    "people": "email",
    "members": "email",
    "workspaceMembers": "email",
    "companies": "domain",
}


def seg(value: Any) -> str:
    """One path segment, escaped."""
    return quote(str(value), safe="")


def camel(name: str) -> str:
    """``target_url`` -> ``targetUrl``; camelCase names are left alone."""
    head, *rest = name.split("_")
    return head + "".join(p[:1].upper() + p[1:] for p in rest)


def camel_keys(fields: Mapping[str, Any]) -> dict[str, Any]:
    return {camel(k): v for k, v in fields.items()}


def merge(data: Mapping[str, Any] | None, fields: Mapping[str, Any]) -> dict[str, Any]:
    """A body from an optional dict plus keyword fields (keywords win)."""
    out = dict(data or {})
    out.update(fields)
    return out


def iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.datetime | dt.date) else value


def only(body: Any) -> Any:
    """The single value under ``data`` (``{"data": {"createPerson": {...}}}``)."""
    data = body["data"]
    return next(iter(data.values())) if isinstance(data, dict) and len(data) == 1 else data


def key(name: str) -> Any:
    def unwrap(body: Any) -> Any:
        return body["data"][name]

    return unwrap


def listing(name: str) -> Any:
    def unwrap(body: Any) -> Listing:
        return Listing(items=body["data"][name], total_count=body.get("totalCount"))

    return unwrap


def page(body: Any) -> Page:
    data = body.get("data") or {}
    records = next(iter(data.values())) if data else []
    total = body.get("totalCount")
    return Page(
        records=records,
        page_info=body.get("pageInfo") or {},
        total_count=total,
        # Absent from an exact total's response (Twenty's shape): exact.
        total_count_is_exact=body.get("totalCountIsExact", True if total is not None else None),
    )


# -- records ------------------------------------------------------------------
def _has_unique(plural: str, record: Mapping[str, Any]) -> bool:
    unique = UNIQUE_KEYS.get(plural)
    return unique is not None and record.get(unique) not in (None, "")


def get_record(plural: str, rid: str, depth: int = 0) -> Call:
    params = {"depth": depth} if depth else None
    return Call("GET", f"/rest/{seg(plural)}/{seg(rid)}", params, idempotent=True, unwrap=only)


def create_record(plural: str, record: dict[str, Any], *, upsert: bool) -> Call:
    rid = record.get("id")
    if_retried: dict[int, Any] = {}
    if rid:
        # A repeat of a create that landed clashes on its own id: fetch what was created.
        if_retried[409] = get_record(plural, str(rid))
    return Call(
        "POST",
        f"/rest/{seg(plural)}",
        {"upsert": "true"} if upsert else None,
        json=record,
        idempotent=bool(rid) or (upsert and _has_unique(plural, record)),
        unwrap=only,
        if_retried=if_retried,
    )


def batch_create(plural: str, records: list[dict[str, Any]], *, upsert: bool) -> Call:
    safe = upsert and bool(records) and all(_has_unique(plural, r) for r in records)
    return Call(
        "POST",
        f"/rest/batch/{seg(plural)}",
        {"upsert": "true"} if upsert else None,
        json=records,
        idempotent=safe,
        unwrap=only,
    )


def update_record(plural: str, rid: str, changes: dict[str, Any]) -> Call:
    path = f"/rest/{seg(plural)}/{seg(rid)}"
    return Call("PATCH", path, json=changes, idempotent=True, unwrap=only)


def delete_record(plural: str, rid: str, *, soft: bool) -> Call:
    return Call(
        "DELETE",
        f"/rest/{seg(plural)}/{seg(rid)}",
        {"soft_delete": "true"} if soft else None,
        idempotent=True,
        unwrap=only,
        # A repeated delete that finds nothing: the first attempt did it.
        if_retried={404: lambda: {"id": str(rid)}},
    )


def restore_record(plural: str, rid: str) -> Call:
    return Call(
        "POST",
        f"/rest/{seg(plural)}/{seg(rid)}/restore",
        idempotent=True,
        unwrap=only,
        # "Not deleted" on a repeat means the first attempt restored it.
        if_retried={400: get_record(plural, rid)},
    )


def list_records(
    plural: str,
    *,
    filter: FilterArg,
    order_by: OrderArg,
    limit: int | None,
    starting_after: str | None,
    ending_before: str | None,
    depth: int | None,
    count: str | None = None,
) -> Call:
    params = {
        "filter": encode_filter(filter),
        "order_by": encode_order_by(order_by),
        "limit": limit,
        "starting_after": starting_after,
        "ending_before": ending_before,
        "depth": depth,
        "count": count,
    }
    return Call("GET", f"/rest/{seg(plural)}", params, idempotent=True, unwrap=page)


def timeline(plural: str, rid: str, *, limit: int | None, starting_after: str | None) -> Call:
    params = {"limit": limit, "starting_after": starting_after}
    path = f"/rest/{seg(plural)}/{seg(rid)}/timeline"
    return Call("GET", path, params, idempotent=True, unwrap=page)


# -- metadata -----------------------------------------------------------------
META = "/rest/metadata"


def get(path: str, unwrap: Any, params: Mapping[str, Any] | None = None) -> Call:
    return Call("GET", path, params, idempotent=True, unwrap=unwrap)


def search(query: str, objects: Iterable[str] | None, limit: int | None) -> Call:
    """``GET /rest/search``: the hits, best first."""
    params: dict[str, Any] = {"query": query}
    if objects is not None:
        params["objects"] = objects if isinstance(objects, str) else ",".join(objects)
    if limit is not None:
        params["limit"] = limit
    return get("/rest/search", key("search"), params)


def create_field(object_name: str, name: str, type: str, extra: Mapping[str, Any]) -> Call:
    body = {"objectName": object_name, "name": name, "type": type, **camel_keys(extra)}
    return Call("POST", f"{META}/fields", json=body, unwrap=key("createField"))


def update_field(field_id: str, changes: Mapping[str, Any]) -> Call:
    path = f"{META}/fields/{seg(field_id)}"
    return Call("PATCH", path, json=camel_keys(changes), idempotent=True, unwrap=key("updateField"))


def delete_field(field_id: str, purge: bool) -> Call:
    params = {"purge": "true"} if purge else None
    path = f"{META}/fields/{seg(field_id)}"
    return Call("DELETE", path, params, idempotent=True, unwrap=key("deleteField"))


def create_object(name_singular: str, extra: Mapping[str, Any]) -> Call:
    body = {"nameSingular": name_singular, **camel_keys(extra)}
    body = {k: v for k, v in body.items() if v is not None}
    return Call("POST", f"{META}/objects", json=body, unwrap=key("createObject"))


# -- consents -----------------------------------------------------------------
def give_consent(person_id: str, body: dict[str, Any]) -> Call:
    path = f"/rest/people/{seg(person_id)}/consents"
    return Call("POST", path, json=body, idempotent=True, unwrap=key("consent"))


def withdraw_consent(person_id: str, purpose: str, remove: bool) -> Call:
    path = f"/rest/people/{seg(person_id)}/consents/{seg(purpose)}"
    params = {"remove": "true"} if remove else None
    return Call("DELETE", path, params, idempotent=True, unwrap=key("consent"))


# -- webhooks -----------------------------------------------------------------
HOOKS = "/rest/webhooks"


def webhook_body(fields: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in camel_keys(fields).items() if v is not None}


def post(path: str, unwrap: Any, body: Any = None) -> Call:
    """A POST that is never repeated once it may have reached the server."""
    return Call("POST", path, json=body if body is not None else {}, unwrap=unwrap)


# -- GraphQL ------------------------------------------------------------------
_MUTATION = re.compile(r"\bmutation\b")


def graphql(query: str, variables: Mapping[str, Any] | None, operation_name: str | None) -> Call:
    body: dict[str, Any] = {"query": query}
    if variables is not None:
        body["variables"] = dict(variables)
    if operation_name is not None:
        body["operationName"] = operation_name

    def unwrap(result: Any) -> Any:
        if isinstance(result, dict) and result.get("errors"):
            raise graphql_error(200, result, {})
        return result.get("data") if isinstance(result, dict) else result

    # A document that may hold a mutation is not repeated (a false alarm only costs a retry).
    safe = not _MUTATION.search(query)
    return Call("POST", "/graphql", json=body, idempotent=safe, unwrap=unwrap)


def records_of(items: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    if isinstance(items, Mapping):
        raise TypeError("batch_create takes a list of records, not one record")
    return [dict(r) for r in items]
