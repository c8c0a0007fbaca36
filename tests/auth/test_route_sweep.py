"""Every route, swept: with another workspace's ids, and with keys lacking each scope.

The routes are found in the running app (Starlette's router, the record hot
path, the live GraphQL schema's Query and Mutation fields, the event stream)
and each must have a row in tests/auth/sweep_table.py, so a new route cannot
skip isolation or scopes. The victim workspace is filled over its own key;
the attacker calls every route with the victim's ids and must get 404 (or
nothing of the victim's), and every route refuses keys without its scope and
accepts a key with only that scope. Afterwards the victim's data is unchanged.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from graphql import (
    GraphQLObjectType,
    build_client_schema,
    get_introspection_query,
    get_named_type,
    is_leaf_type,
    is_non_null_type,
)
from tests import factories
from tests.auth import sweep_table as table
from tests.auth.sweep_table import MARK, Call, Op
from tests.conftest import LiveServer
from tests.routes import app_routes
from tests.webhooks.helpers import eventually
from tests.webhooks.receiver import Receiver

from rolodex.auth import service as auth
from rolodex.auth.scopes import ALL_SCOPES, Scope
from rolodex.kit.db import Conn


@dataclass
class Victim:
    ids: dict[str, str] = field(default_factory=dict)  # what the table's templates name
    secrets: list[str] = field(default_factory=list)  # strings only the victim's data holds


def fill(value: Any, ids: dict[str, str]) -> Any:
    """``value`` with ``{name}`` replaced by ``ids[name]`` in every string inside it."""
    if isinstance(value, str):
        return re.sub(r"\{(\w+)\}", lambda m: ids.get(m[1], m[0]), value)
    if isinstance(value, list):
        return [fill(v, ids) for v in value]
    if isinstance(value, dict):
        return {k: fill(v, ids) for k, v in value.items()}
    return value


def ok(r: httpx.Response) -> Any:
    assert r.status_code < 300, r.text
    return next(iter(r.json()["data"].values())) if "data" in r.json() else r.json()


def fill_victim(c: httpx.Client, receiver_url: str) -> Victim:
    """A second workspace with one of everything, named with ``MARK``."""
    v = Victim()
    ids = v.ids

    def secret(kind: str) -> str:
        text = f"{MARK}-{kind}-secret"
        v.secrets.append(text)
        return text

    thing = ok(
        c.post(
            "/rest/metadata/objects",
            json={
                "nameSingular": f"{MARK}thing",
                "namePlural": f"{MARK}things",
                "labelSingular": secret("label"),
            },
        )
    )
    ids["object"], ids["objects"] = thing["nameSingular"], thing["namePlural"]
    fld = ok(
        c.post(
            "/rest/metadata/fields",
            json={
                "objectName": "person",
                "name": f"{MARK}_score",
                "type": "TEXT",
                "label": secret("field"),
            },
        )
    )
    ids["field"] = fld["id"]
    ids["member"] = factories.create(c, "members", name=secret("member"))["id"]
    ids["company"] = factories.company(c, name=secret("company"), ownerId=ids["member"])["id"]
    ids["person"] = factories.person(
        c, name=secret("person"), companyId=ids["company"], ownerId=ids["member"]
    )["id"]
    ids["note"] = factories.create(c, "notes", title=secret("note"), personId=ids["person"])["id"]
    ids["task"] = factories.create(c, "tasks", title=secret("task"), personId=ids["person"])["id"]
    ids["thing"] = factories.create(c, ids["objects"], name=secret("thing"))["id"]
    ids["gone"] = factories.person(c, name=secret("gone"))["id"]
    ok(c.delete(f"/rest/people/{ids['gone']}", params={"soft_delete": "true"}))
    purpose = f"{MARK}-purpose"
    ok(c.put("/rest/metadata/consent-options", json={"purposes": [purpose, "newsletter"]}))
    ok(
        c.post(
            f"/rest/people/{ids['person']}/consents",
            json={"purpose": purpose, "legalBasis": "consent", "comment": secret("consent")},
        )
    )
    ids["purpose"] = purpose
    hook = ok(c.post("/rest/webhooks", json={"targetUrl": receiver_url, "name": secret("hook")}))
    ids["webhook"] = hook["id"]
    v.secrets.append(hook["secret"])
    ok(c.patch(f"/rest/people/{ids['person']}", json={"jobTitle": secret("title")}))

    def delivered() -> Any:
        r = c.get(f"/rest/webhooks/{hook['id']}/deliveries")
        return r.status_code == 200 and r.json()["data"]["deliveries"]

    ids["delivery"] = eventually(delivered)[0]["id"]
    keys = c.get("/rest/keys").json()["data"]["keys"]
    ids["key"] = keys[0]["id"]
    v.secrets.extend(k["prefix"] for k in keys)
    return v


def lacking(scope: Scope) -> frozenset[Scope]:
    """Every scope but ``scope`` and the ones that imply it."""
    implied = {scope} if scope.writes else {scope, Scope(f"{scope.resource}:read-write")}
    return ALL_SCOPES - implied


def make_keys(db_url: str, ws: uuid.UUID) -> dict[tuple[str, Scope], str]:
    """For each scope, a key with only it and one with all the others."""

    async def work(conn: Conn) -> dict[tuple[str, Scope], str]:
        out = {}
        for s in Scope:
            out[("only", s)] = (await auth.create_key(conn, ws, f"only {s}", {s}))[1]
            out[("lacking", s)] = (await auth.create_key(conn, ws, f"no {s}", lacking(s)))[1]
        return out

    return factories.run_db(db_url, work)


class Sweep:
    def __init__(
        self, live: LiveServer, key: str, keys: dict[tuple[str, Scope], str], victim: Victim
    ) -> None:
        self.url, self.key, self.keys, self.victim = live.url, key, keys, victim

    def request(self, call: Call, key: str | None) -> tuple[httpx.Response, str]:
        ids = self.victim.ids
        path, body, params = fill(call.path, ids), fill(call.body, ids), fill(call.params, ids)
        with factories.http(self.url, key) as c:
            r = c.request(call.method, path, json=body, params=params)
        return r, f"{path} {params} {body}"

    def assert_no_leak(self, text: str, sent: str, where: str) -> None:
        theirs = [v for k, v in self.victim.ids.items() if k != "mine"]  # mine: the attacker's
        for value in [*theirs, *self.victim.secrets]:
            if value not in sent:
                assert value not in text, f"{where} shows the other workspace's {value!r}"

    # -- REST ------------------------------------------------------------------
    def rest(self, route: tuple[str, str], scope: Scope | None, calls: list[Call]) -> None:
        for call in calls:
            r, sent = self.request(call, self.key)
            where = f"{call.method} {sent} -> {r.status_code}"
            assert r.status_code < 500, where + r.text[:300]
            self.assert_no_leak(r.text, sent, where)
            if call.expect == "404":
                assert r.status_code == 404, where + r.text[:300]
            elif call.expect == "refused":
                assert 400 <= r.status_code < 500, where + r.text[:300]
            else:
                assert r.status_code < 300 or r.status_code == 404, where + r.text[:300]
        if scope is None:
            return
        first = calls[0]
        assert self.request(first, None)[0].status_code == 401, route
        r = self.request(first, self.keys[("lacking", scope)])[0]
        assert r.status_code == 403, f"{route} without {scope}: {r.status_code} {r.text[:300]}"
        assert r.json()["required_scope"] == scope.value
        r = self.request(first, self.keys[("only", scope)])[0]
        assert r.status_code not in (401, 403), f"{route} with only {scope}: {r.text[:300]}"

    # -- GraphQL -----------------------------------------------------------------
    def graphql(self, key: str | None, document: str) -> tuple[int, dict[str, Any], str]:
        with factories.http(self.url, key) as c:
            r = c.post("/graphql", json={"query": fill(document, self.victim.ids)})
        return r.status_code, r.json(), r.text

    def operation(self, kind: str, name: str, op: Op, selection: str) -> None:
        document = f"{kind} {{ {name}{op.args} {selection} }}"
        status, body, text = self.graphql(self.key, document)
        codes = [e.get("extensions", {}).get("code") for e in body.get("errors", [])]
        where = f"{document} -> {text[:500]}"
        assert status < 500 and "INTERNAL_SERVER_ERROR" not in codes, where
        self.assert_no_leak(text, fill(document, self.victim.ids), where)
        value = (body.get("data") or {}).get(name)
        if op.expect == "refused":
            assert codes and value is None, where
        else:  # answered, or not found; never refused for another reason
            assert set(codes) <= {"NOT_FOUND"}, where
        status, body, text = self.graphql(self.keys[("lacking", op.scope)], document)
        codes = [e.get("extensions", {}).get("code") for e in body.get("errors", [])]
        assert "FORBIDDEN" in codes and (body.get("data") or {}).get(name) is None, (
            f"{name} without {op.scope}: {text[:500]}"
        )
        status, body, text = self.graphql(self.keys[("only", op.scope)], document)
        codes = [e.get("extensions", {}).get("code") for e in body.get("errors", [])]
        assert status < 500 and not {"FORBIDDEN", "UNAUTHENTICATED"} & set(codes), (
            f"{name} with only {op.scope}: {text[:500]}"
        )


def selection(type_: Any, depth: int = 1) -> str:
    """Every leaf field (and nested objects, three levels down) a type offers."""
    named = get_named_type(type_)
    if is_leaf_type(named):
        return ""
    assert isinstance(named, GraphQLObjectType), named
    parts = []
    for name, f in named.fields.items():
        if any(is_non_null_type(a.type) for a in f.args.values()):
            continue
        if is_leaf_type(get_named_type(f.type)):
            parts.append(name)
        elif depth < 3:
            inner = selection(f.type, depth + 1)
            if inner:  # small pages, to stay within the cost limit
                page = "(first: 2)" if "first" in f.args else ""
                parts.append(f"{name}{page} {inner}")
    return "{ " + " ".join(parts) + " }" if parts else ""


def read_stream(url: str, key: str, until: str) -> list[str]:
    """SSE messages from the start of the stream, up to one whose data holds ``until``."""
    got: list[str] = []
    headers = {"Authorization": f"Bearer {key}"}
    with httpx.stream(
        "GET", f"{url}/rest/events/stream", params={"since": "0"}, headers=headers, timeout=15
    ) as r:
        assert r.status_code == 200, r.read()
        for line in r.iter_lines():
            if line.startswith("data: "):
                got.append(line)
                if until in line:
                    return got
    raise AssertionError(f"the stream ended before {until!r}")


@pytest.mark.slow
def test_every_route_isolates_workspaces_and_checks_its_scope(
    server: LiveServer, client: httpx.Client, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ROLODEX_WEBHOOK_ALLOW_PRIVATE", "1")
    victim_ws = factories.make_workspace(db_url)
    victim_key = factories.make_key(db_url, workspace=victim_ws)
    with Receiver() as rx, factories.http(server.url, victim_key) as vc:
        victim = fill_victim(vc, rx.url)
        before = {
            path: vc.get(fill(path, victim.ids)).json()
            for path in (
                *(f"/rest/{p}/{{{i}}}" for p, i, _ in table.OBJECTS),
                "/rest/webhooks/{webhook}",
                "/rest/metadata/fields/{field}",
                "/rest/metadata/objects/{object}",
                "/rest/people/{person}/consents",
                "/rest/keys",
                "/rest/metadata/consent-options",
            )
        }
        attacker_ws = uuid.UUID(client.get("/rest/keys").json()["data"]["keys"][0]["workspaceId"])
        keys = make_keys(db_url, attacker_ws)
        mine = client.post("/rest/webhooks", json={"targetUrl": rx.url})
        victim.ids["mine"] = mine.json()["data"]["createWebhook"]["id"]
        api_key = client.headers["authorization"].split(" ", 1)[1]
        sweep = Sweep(server, api_key, keys, victim)

        # Every route the app serves is in the table, and the table names no other.
        found = app_routes(server.app)
        known = set(table.REST) | table.SPECIAL
        assert not found - known, f"routes the sweep cannot call: {sorted(found - known)}"
        assert not known - found, f"routes in the table the app lacks: {sorted(known - found)}"
        for route, (scope, calls) in table.REST.items():
            sweep.rest(route, scope, calls)

        # GraphQL: every root field of the attacker's live schema.
        schema = build_client_schema(
            client.post("/graphql", json={"query": get_introspection_query()}).json()["data"]
        )
        objects = ok(client.get("/rest/metadata/objects"))
        ops = table.graphql_ops([(o["nameSingular"], o["namePlural"]) for o in objects])
        for kind, root in (("query", schema.query_type), ("mutation", schema.mutation_type)):
            assert root is not None
            missing = set(root.fields) - set(ops)
            assert not missing, f"GraphQL fields the sweep cannot call: {sorted(missing)}"
            for name, f in root.fields.items():
                sweep.operation(kind, name, ops[name], selection(f.type))

        # The event stream: the attacker's, from the start, up to an event of its own.
        sentinel = f"sentinel-{uuid.uuid4().hex}"
        factories.person(client, name=sentinel)
        messages = read_stream(server.url, api_key, sentinel)
        sweep.assert_no_leak("\n".join(messages), "", "the event stream")
        scope = table.STREAM_SCOPE
        with httpx.stream(
            "GET",
            f"{server.url}/rest/events/stream",
            headers={"Authorization": f"Bearer {keys[('lacking', scope)]}"},
        ) as r:
            assert r.status_code == 403
        with httpx.stream(
            "GET",
            f"{server.url}/rest/events/stream",
            headers={"Authorization": f"Bearer {keys[('only', scope)]}"},
        ) as r:
            assert r.status_code == 200
        with httpx.stream("GET", f"{server.url}/rest/events/stream") as r:
            assert r.status_code == 401

        # Nothing the attacker did reached the victim's data.
        after = {path: vc.get(fill(path, victim.ids)).json() for path in before}
        for path in before:
            assert after[path] == before[path] or path == "/rest/keys", path
        assert [k["revokedAt"] for k in after["/rest/keys"]["data"]["keys"]] == [None]
        assert vc.get(f"/rest/people/{victim.ids['gone']}").status_code == 404
