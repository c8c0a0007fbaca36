"""Shared steps for the workspaces tests: an operator, and rows counted per workspace."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import sqlalchemy as sa

from rolodex.kit.db import Conn
from tests import factories
from tests.webhooks.helpers import make_hook

OPERATOR = ["workspace:admin"]


def create(op: httpx.Client, name: str, **body: Any) -> dict[str, Any]:
    r = op.post("/rest/workspaces", json={"name": name, **body})
    assert r.status_code == 201, r.text
    return r.json()["data"]["createWorkspace"]  # type: ignore[no-any-return]


def all_tables(db_url: str) -> list[str]:
    """Every table with a workspace_id column, straight from the catalog."""

    async def work(conn: Conn) -> list[str]:
        if conn.sqlite:
            text = (
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name IN (SELECT m.name FROM sqlite_master m "
                "JOIN pragma_table_info(m.name) c WHERE c.name = 'workspace_id')"
            )
        else:
            text = (
                "SELECT c.relname AS name FROM pg_attribute a JOIN pg_class c "
                "ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE a.attname = 'workspace_id' AND c.relkind IN ('r', 'p') "
                "AND n.nspname = current_schema() AND NOT a.attisdropped"
            )
        return sorted(r["name"] for r in await conn.fetch(conn.db.sql(text, lambda: sa.text(text))))

    return factories.run_db(db_url, work, write=False)


def rows_per_table(db_url: str, ws_id: str) -> dict[str, int]:
    """How many rows of workspace ``ws_id`` each table holds."""
    tables = all_tables(db_url)

    async def work(conn: Conn) -> dict[str, int]:
        out = {}
        for t in tables:
            text = f'SELECT count(*) FROM "{t}" WHERE workspace_id = :ws'
            sql = conn.db.sql(text, lambda text=text: sa.text(text))  # type: ignore[misc]
            value = ws_id if conn.sqlite else uuid.UUID(ws_id)
            out[t] = int(await conn.fetchval(sql, {"ws": value}))
        return out

    return factories.run_db(db_url, work, write=False)


def workspace_row(db_url: str, ws_id: str) -> bool:
    async def work(conn: Conn) -> bool:
        text = "SELECT count(*) FROM workspace WHERE id = :id"
        value = ws_id if conn.sqlite else uuid.UUID(ws_id)
        return bool(await conn.fetchval(conn.db.sql(text, lambda: sa.text(text)), {"id": value}))

    return factories.run_db(db_url, work, write=False)


def fill(c: httpx.Client, receiver_url: str, tag: str) -> None:
    """Something in nearly every table: records, custom metadata, consent, a webhook."""
    r = c.post(
        "/rest/metadata/objects",
        json={"nameSingular": f"{tag}thing", "namePlural": f"{tag}things"},
    )
    assert r.status_code == 201, r.text
    r = c.post(
        "/rest/metadata/fields",
        json={"objectName": "person", "name": f"{tag}_score", "type": "TEXT"},
    )
    assert r.status_code == 201, r.text
    member = factories.create(c, "members", name=f"{tag} member")
    company = factories.company(c, name=f"{tag} co", ownerId=member["id"])
    person = factories.person(c, name=f"{tag} person", companyId=company["id"])
    factories.create(c, "notes", title=f"{tag} note", personId=person["id"])
    factories.create(c, "tasks", title=f"{tag} task", personId=person["id"])
    factories.create(c, f"{tag}things", name=f"{tag} thing")
    r = c.put("/rest/metadata/consent-options", json={"purposes": ["newsletter"]})
    assert r.status_code == 200, r.text
    r = c.post(
        f"/rest/people/{person['id']}/consents",
        json={"purpose": "newsletter", "legalBasis": "consent"},
    )
    assert r.status_code == 201, r.text
    make_hook(c, receiver_url)
    for i in range(5):
        factories.person(c, name=f"{tag} extra {i}")
