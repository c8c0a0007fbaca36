"""Import and export over the REST API: the same jobs, run against a server with an API key.

Imports go through ``POST /rest/batch/{objects}`` (``?upsert=true``), which is
all or nothing: a 400 or 409 names the failing item in ``index``, which is
rejected and the rest sent again; other failures split the batch as locally.
Exports page through ``GET /rest/{objects}?limit=200&starting_after=...``.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncGenerator, Callable
from typing import Any
from urllib.parse import quote

import httpx

from rolodex.importer.schemas import BatchFailed, ImportOptions, Item, Summary, WriteResult
from rolodex.importer.service import Importer, identity
from rolodex.kit.errors import BadRequest, NotFound, RolodexError, ValidationError
from rolodex.metadata.model import FieldDef, FieldType, ObjectDef, Option, Relation, RelationKind
from rolodex.metadata.registry import standard

PAGE = 200  # the API's largest page
ID_CHUNK = 150  # ids per existence check, to keep the URL well under server limits
RETRIES = 5
_WORKSPACE = re.compile(r"workspace ([0-9a-f-]{36})")


class RemoteError(RolodexError):
    """The server could not be used (unreachable, bad key, missing scope)."""


def client(url: str, api_key: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        base_url=url.rstrip("/"),
        headers={"Authorization": f"Bearer {api_key}"},
        timeout=httpx.Timeout(120.0, connect=10.0),
    )


def _message(r: httpx.Response) -> str:
    try:
        body = r.json()
    except ValueError:
        return r.text.strip()[:200] or r.reason_phrase
    if isinstance(body, dict) and isinstance(body.get("message"), str):
        return body["message"]
    return r.text.strip()[:200]


async def request(c: httpx.AsyncClient, method: str, path: str, **kw: Any) -> httpx.Response:
    """One call, retried on rate limits, gateway errors and dropped connections."""
    for attempt in range(RETRIES + 1):
        try:
            r = await c.request(method, path, **kw)
        except httpx.TransportError as exc:
            if attempt == RETRIES:
                raise RemoteError(
                    f"Cannot reach {c.base_url}: {exc or type(exc).__name__}"
                ) from None
            await asyncio.sleep(min(2**attempt * 0.5, 10))
            continue
        if r.status_code == 429 or r.status_code in (502, 503, 504):
            if attempt == RETRIES:
                break
            wait = r.headers.get("Retry-After", "")
            await asyncio.sleep(float(wait) if wait.isdigit() else min(2**attempt * 0.5, 10))
            continue
        if r.status_code == 401:
            raise RemoteError(f"The server refused the API key: {_message(r)}")
        return r
    raise RemoteError(f"The server kept answering {r.status_code}: {_message(r)}")


def object_from_dict(d: dict[str, Any]) -> ObjectDef:
    """An object as ``GET /rest/metadata/objects/{name}`` describes it."""
    fields: dict[str, FieldDef] = {}
    for fd in d["fields"]:
        relation = None
        if fd.get("relationTarget"):
            relation = Relation(
                RelationKind(fd["relationType"]), fd["relationTarget"], fd["relationJoinField"]
            )
        fields[fd["name"]] = FieldDef(
            fd["name"],
            FieldType(fd["type"]),
            fd.get("label") or fd["name"],
            # Only "stored in a column or not" matters here (unique checks use columns).
            column=None if fd.get("isCustom") else fd["name"],
            nullable=fd.get("isNullable", True),
            required=fd.get("isRequired", False),
            unique=fd.get("isUnique", False),
            read_only=fd.get("isReadOnly", False) and not fd.get("isSystem", False),
            system=fd.get("isSystem", False),
            is_custom=fd.get("isCustom", False),
            default=fd.get("defaultValue"),
            options=tuple(
                Option(o["value"], o.get("label") or o["value"]) for o in fd.get("options") or ()
            ),
            settings=fd.get("settings") or {},
            relation=relation,
        )
    is_custom = d.get("isCustom", False)
    # The metadata does not list behaviours; a standard object's are known here.
    known = None if is_custom else standard().objects.get(d["nameSingular"])
    return ObjectDef(
        name=d["nameSingular"],
        plural=d["namePlural"],
        label=d.get("labelSingular", d["nameSingular"]),
        label_plural=d.get("labelPlural", d["namePlural"]),
        table="",
        fields=fields,
        is_custom=is_custom,
        unique_keys=tuple(d.get("uniqueKeys") or ()),
        behaviours=known.behaviours if known is not None else frozenset(),
    )


async def remote_object(c: httpx.AsyncClient, name: str) -> ObjectDef:
    """The object's fields from the server (custom ones included when the key may read them)."""
    r = await request(c, "GET", f"/rest/metadata/objects/{quote(name, safe='')}")
    if r.status_code == 200:
        return object_from_dict(r.json()["data"]["object"])
    if r.status_code == 403:  # no metadata:read: the standard objects are known anyway
        try:
            return standard().object(name)
        except NotFound:
            raise RemoteError(
                f"The API key lacks the metadata:read scope, needed to read {name!r}'s fields."
            ) from None
    if r.status_code == 404:
        raise NotFound(_message(r), field="object")
    raise RemoteError(f"Cannot read the fields of {name!r} ({r.status_code}): {_message(r)}")


async def workspace_scope(c: httpx.AsyncClient) -> str:
    """The key's workspace id (so that record ids match a local import's), else the server."""
    r = await request(c, "GET", "/rest/keys")
    if r.status_code == 200:
        keys = r.json()["data"]["keys"]
        if keys:
            return str(keys[0]["workspaceId"])
    r = await request(c, "GET", "/rest/open-api")
    if r.status_code == 200:
        found = _WORKSPACE.search(str(r.json().get("info", {}).get("description", "")))
        if found:
            return found.group(1)
    return str(c.base_url)


class RemoteBackend:
    """Batches sent to ``POST /rest/batch/{objects}``."""

    def __init__(self, c: httpx.AsyncClient, obj: ObjectDef) -> None:
        self.c, self.obj = c, obj

    async def existing(self, ids: list[str]) -> set[str]:
        found: set[str] = set()
        for start in range(0, len(ids), ID_CHUNK):
            chunk = ids[start : start + ID_CHUNK]
            params = {"filter": f"id[in]:[{','.join(chunk)}]", "limit": str(PAGE)}
            r = await request(self.c, "GET", f"/rest/{self.obj.plural}", params=params)
            if r.status_code != 200:
                raise RemoteError(f"Cannot list {self.obj.plural} ({r.status_code}): {_message(r)}")
            found.update(rec["id"] for rec in r.json()["data"][self.obj.plural])
        return found

    async def write(self, items: list[Item], upsert: bool) -> WriteResult:
        result = WriteResult()
        found = await self.existing([i.id for i in items])
        todo = [i for i in items if not i.skip(found, upsert)]
        result.skipped = len(items) - len(todo)
        if not todo:
            return result
        r = await request(
            self.c,
            "POST",
            f"/rest/batch/{self.obj.plural}",
            json=[i.data for i in todo],
            params={"upsert": "true"} if upsert else None,
        )
        if r.status_code == 201:
            records = next(iter(r.json()["data"].values()))
            for item, record in zip(todo, records, strict=True):
                if record["id"] == item.id and item.id not in found:
                    result.created += 1
                else:
                    result.updated += 1
            return result
        if r.status_code in (400, 409, 413, 500):
            try:
                index = r.json().get("index")
            except ValueError:
                index = None
            blamed = todo[index] if isinstance(index, int) and 0 <= index < len(todo) else None
            raise BatchFailed(_message(r), blamed)
        raise RemoteError(f"The server refused the batch ({r.status_code}): {_message(r)}")


async def import_remote(
    c: httpx.AsyncClient,
    options: ImportOptions,
    *,
    summary: Summary | None = None,
    on_batch: Callable[[Summary], None] | None = None,
    on_progress: Callable[[Summary, float], None] | None = None,
) -> Summary:
    """Import ``options.path`` through the server ``c`` points at."""
    if not options.webhooks:
        raise ValidationError(
            "--no-webhooks works on local imports only: a server records its API key as "
            "the actor of every write."
        )
    obj = await remote_object(c, options.object)
    digest = identity(options.path)
    scope = await workspace_scope(c)
    importer = Importer(
        RemoteBackend(c, obj),
        options,
        scope,
        digest,
        summary,
        on_batch=on_batch,
        on_progress=on_progress,
    )
    return await importer.run()


async def remote_pages(
    c: httpx.AsyncClient, obj: ObjectDef, filter_text: str | None
) -> AsyncGenerator[list[dict[str, Any]], None]:
    """Every record matching ``filter_text``, a page at a time, in id order."""
    cursor: str | None = None
    while True:
        params = {"limit": str(PAGE)}
        if filter_text:
            params["filter"] = filter_text
        if cursor:
            params["starting_after"] = cursor
        r = await request(c, "GET", f"/rest/{obj.plural}", params=params)
        if r.status_code == 400:
            raise BadRequest(_message(r))
        if r.status_code != 200:
            raise RemoteError(f"Cannot list {obj.plural} ({r.status_code}): {_message(r)}")
        body = r.json()
        records = body["data"][obj.plural]
        if records:
            yield records
        info = body.get("pageInfo") or {}
        if not records or not info.get("hasNextPage"):
            return
        cursor = info["endCursor"]
