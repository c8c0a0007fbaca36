"""PostgreSQL serves list pages from indexes, without sorting the workspace's records."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

import httpx
import psycopg
import pytest
from tests.conftest import LiveServer

from rolodex.kit.db import Sql


def _plans(db_url: str, statements: list[Sql], params: list[list[Any]]) -> list[str]:
    """EXPLAIN of each statement with sorts and scans priced out: left in, no index fits."""
    out = []
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute("SET enable_sort = off")
        conn.execute("SET enable_seqscan = off")
        conn.execute("ANALYZE person")
        for n, (sql, args) in enumerate(zip(statements, params, strict=True)):
            conn.execute(f"PREPARE q{n} AS {sql.text}")
            quoted = [
                conn.execute("SELECT quote_nullable(%s::text)", (a,)).fetchone() for a in args
            ]
            literals = ", ".join(q[0] for q in quoted if q is not None)
            rows = conn.execute(f"EXPLAIN EXECUTE q{n}({literals})").fetchall()
            out.append("\n".join(r[0] for r in rows))
    return out


def _page_statements(server: LiveServer) -> list[Sql]:
    cache = server.app.state.rolodex.db._cache
    return [sql for key, sql in cache.items() if key[:3] == ("records", "person", "page")]


@pytest.mark.parametrize("order", [None, "createdAt[DescNullsFirst]", "createdAt"])
def test_pages_walk_an_index(
    backend: str, db_url: str, server: LiveServer, client: httpx.Client, order: str | None
) -> None:
    if backend != "postgresql":
        pytest.skip("query plans are PostgreSQL's")
    people = [{"name": f"P{i}", "email": f"p{i}@example.com"} for i in range(300)]
    assert client.post("/rest/batch/people", json=people).status_code == 201
    params = {"limit": 5, **({"order_by": order} if order else {})}
    first = client.get("/rest/people", params=params).json()
    after = first["pageInfo"]["endCursor"]
    assert client.get("/rest/people", params={**params, "starting_after": after}).is_success
    statements = _page_statements(server)
    # The first page, the page after a cursor, and the look back for hasPreviousPage.
    assert len(statements) == 3
    ws = str(server.app.state.rolodex.registries._entries.popitem()[0])
    row = first["data"]["people"][-1]
    args = [
        [ws if n == "ws" else 6 if n == "limit" else None for n in sql.names] for sql in statements
    ]
    # The cursor's values: the created time and the id of the last record shown.
    for sql, a in zip(statements, args, strict=True):
        values = iter([row["createdAt"], row["id"]] if order else [row["id"]])
        for i, n in enumerate(sql.names):
            if n not in ("ws", "limit", "obj"):
                a[i] = next(values)
    for plan in _plans(db_url, statements, args):
        # An incremental sort orders ties within the index's order (the id after a
        # descending createdAt) and stops at the limit; a full sort reads everything.
        full_sorts = [line for line in plan.splitlines() if "Sort" in line and "Key" not in line]
        assert all("Incremental Sort" in line for line in full_sorts), plan
        assert "Index Scan" in plan, plan


def test_filtered_lists_and_their_totals_use_the_field_index(
    backend: str, db_url: str, server: LiveServer, client: httpx.Client
) -> None:
    if backend != "postgresql":
        pytest.skip("query plans are PostgreSQL's")
    people = [{"name": f"P{i}", "jobTitle": f"T{i % 5}"} for i in range(200)]
    assert client.post("/rest/batch/people", json=people).status_code == 201
    got = client.get("/rest/people", params={"filter": "jobTitle[eq]:T3", "limit": 10}).json()
    assert got["totalCount"] == 40
    cache = server.app.state.rolodex.db._cache
    ws = str(server.app.state.rolodex.registries._entries.popitem()[0])
    # One statement: the page, with its total counted in a subquery.
    statements = [sql for key, sql in cache.items() if key[:3] == ("records", "person", "page")]
    assert len(statements) == 1
    args = [[{"ws": ws, "limit": 11}.get(n, "T3") for n in sql.names] for sql in statements]
    for plan in _plans(db_url, statements, args):
        # The count, once (an InitPlan), and the page, both through the index.
        assert "InitPlan" in plan and plan.count("ix_person_job_title") == 2, plan
        assert "Seq Scan" not in plan and "  Sort" not in plan, plan
    meta = client.get("/rest/metadata/objects/person").json()
    fields = meta["data"]["object"]["fields"]
    assert next(f for f in fields if f["name"] == "jobTitle")["isIndexed"] is True


def test_unfiltered_totals_count_from_the_live_index(
    backend: str, db_url: str, server: LiveServer, client: httpx.Client
) -> None:
    """``totalCount`` of a whole list reads the index of live records, not every row."""
    people = [{"name": f"P{i}"} for i in range(50)]
    assert client.post("/rest/batch/people", json=people).status_code == 201
    assert client.get("/rest/people", params={"limit": 5}).json()["totalCount"] == 50
    [sql] = _page_statements(server)
    ws = str(server.app.state.rolodex.registries._entries.popitem()[0])
    args = [ws if n == "ws" else 6 for n in sql.names]
    if backend == "postgresql":
        [plan] = _plans(db_url, [sql], [args])
    else:
        from rolodex.kit.db import sqlite_path

        with sqlite3.connect(sqlite_path(db_url)) as conn:
            rows = conn.execute(f"EXPLAIN QUERY PLAN {sql.text}", args).fetchall()
        plan = "\n".join(str(r[-1]) for r in rows)
    assert "ix_person_live" in plan, plan


# -- every filter operator and every ordering, on a seeded workspace -------------
SEED = 20_000  # records of each object in the workspace under test
OTHER = 10_000  # and in another workspace, which no plan may read

_SEED_SQL = {
    "person": """
        INSERT INTO person (workspace_id, id, name, first_name, last_name, email, job_title,
                            location, phone, tags, created_at, updated_at, deleted_at)
        SELECT %(ws)s, gen_random_uuid(),
               CASE WHEN i %% 10 = 0 THEN NULL ELSE 'First' || i || ' Last' || i END,
               CASE WHEN i %% 10 = 0 THEN NULL ELSE 'First' || i END,
               CASE WHEN i %% 10 = 0 THEN NULL ELSE 'Last' || i END,
               CASE WHEN i %% 7 = 0 THEN NULL ELSE 'Person' || i || '@Example.com' END,
               CASE WHEN i %% 9 = 0 THEN NULL ELSE 'Title ' || (i %% 500) END,
               CASE WHEN i %% 9 = 0 THEN NULL ELSE 'City ' || (i %% 300) END,
               CASE WHEN i %% 11 = 0 THEN NULL ELSE '+1 555 ' || lpad(i::text, 7, '0') END,
               CASE WHEN i %% 100 = 0 THEN '["vip"]'::jsonb END,
               now() - i * interval '1 minute', now() - i * interval '1 second',
               CASE WHEN i %% 50 = 0 THEN now() END
        FROM generate_series(1, %(n)s) AS i""",
    "company": """
        INSERT INTO company (workspace_id, id, name, domain, website, employees, tags,
                             created_at, updated_at)
        SELECT %(ws)s, gen_random_uuid(), 'Company ' || i,
               CASE WHEN i %% 7 = 0 THEN NULL ELSE 'company' || i || '.example' END,
               CASE WHEN i %% 7 = 0 THEN NULL ELSE 'https://company' || i || '.example' END,
               CASE WHEN i %% 5 = 0 THEN NULL ELSE i %% 5000 END,
               CASE WHEN i %% 100 = 0 THEN '["partner"]'::jsonb END,
               now() - i * interval '1 minute', now() - i * interval '1 second'
        FROM generate_series(1, %(n)s) AS i""",
    "note": """
        INSERT INTO note (workspace_id, id, title, body, created_at, updated_at)
        SELECT %(ws)s, gen_random_uuid(),
               CASE WHEN i %% 8 = 0 THEN NULL ELSE 'Note ' || i END, 'Body ' || i,
               now() - i * interval '1 minute', now() - i * interval '1 second'
        FROM generate_series(1, %(n)s) AS i""",
    "task": """
        INSERT INTO task (workspace_id, id, title, status, due_date, completed_at, created_at,
                          updated_at)
        SELECT %(ws)s, gen_random_uuid(), 'Task ' || i,
               (ARRAY['TODO', 'IN_PROGRESS', 'DONE'])[1 + i %% 3],
               CASE WHEN i %% 4 = 0 THEN NULL ELSE now() + i * interval '1 hour' END,
               CASE WHEN i %% 3 = 2 THEN now() - i * interval '1 hour' END,
               now() - i * interval '1 minute', now() - i * interval '1 second'
        FROM generate_series(1, %(n)s) AS i""",
    "member": """
        INSERT INTO member (workspace_id, id, name, email, created_at, updated_at)
        SELECT %(ws)s, gen_random_uuid(), 'Member ' || i,
               CASE WHEN i %% 6 = 0 THEN NULL ELSE 'Member' || i || '@Example.com' END,
               now() - i * interval '1 minute', now() - i * interval '1 second'
        FROM generate_series(1, %(n)s) AS i""",
}
PLURALS = {"person": "people", "company": "companies", "note": "notes", "task": "tasks"}
PLURALS["member"] = "members"

# Each filter operator on the fields it is offered for (and indexed on). Not here:
# is NOT_NULL on a field most records fill, whose matches are most of the workspace.
FILTERS: dict[str, list[str]] = {
    "person": [
        "email[eq]:PERSON42@example.com",
        "email[in]:[person42@example.com,Person43@Example.com]",
        "email[like]:%son4242@%",
        "email[ilike]:%SON4242@%",
        "email[contains]:son4242@",
        "email[startsWith]:Person4242@",
        "email[neq]:person42@example.com",
        "name[eq]:First42 Last42",
        "name[in]:[First42 Last42,First43 Last43]",
        "name[gt]:First9999 Last9999",
        "name[gte]:First9999 Last9999",
        "name[lt]:First10 Last10",
        "name[lte]:First10 Last10",
        "name[is]:NULL",
        "name[contains]:st4242 La",
        "name[ilike]:%ST4242 LA%",
        "name[startsWith]:First4242 ",
        "jobTitle[eq]:Title 7",
        "jobTitle[in]:[Title 7,Title 8]",
        "jobTitle[contains]:itle 42",
        "email[gt]:Person9999@",
        "email[lte]:Person10@",
        "email[is]:NULL",
        "firstName[eq]:First42",
        "lastName[in]:[Last42,Last43]",
        "lastName[gte]:Last9999",
        "jobTitle[neq]:Title 7",
        "jobTitle[gt]:Title 99",
        "jobTitle[lt]:Title 1",
        "jobTitle[is]:NULL",
        "jobTitle[like]:Title 42%",
        "jobTitle[ilike]:%ITLE 42%",
        "jobTitle[startsWith]:Title 42",
        "location[eq]:City 7",
        "location[in]:[City 7,City 8]",
        "location[lte]:City 1",
        "location[is]:NULL",
        "phone[eq]:+1 555 0004242",
        "phone[in]:[+1 555 0004242,+1 555 0004243]",
        "phone[gt]:+1 555 0019990",
        "phone[is]:NULL",
        "tags[contains]:vip",
        "tags[is]:NULL",
        "createdAt[gt]:2999-01-01T00:00:00Z",
        "createdAt[lt]:2000-01-01T00:00:00Z",
    ],
    "company": [
        "domain[eq]:COMPANY42.example",
        "domain[in]:[company42.example,company43.example]",
        "domain[contains]:pany4242",
        "domain[startsWith]:company4242",
        "domain[like]:company4242%",
        "domain[neq]:company42.example",
        "domain[gt]:company9999",
        "website[eq]:https://company42.example",
        "employees[is]:NULL",
        "employees[lte]:2",
        "tags[contains]:partner",
        "name[eq]:Company 42",
        "name[ilike]:%pany 4242%",
        "employees[eq]:4242",
        "employees[gt]:4990",
    ],
    "note": [
        "title[eq]:Note 42",
        "title[contains]:ote 4242",
        "title[startsWith]:Note 4242",
        "title[is]:NULL",
    ],
    "task": [
        "title[eq]:Task 42",
        "title[contains]:ask 4242",
        "status[eq]:DONE",
        "dueDate[lt]:2000-01-01T00:00:00Z",
        "completedAt[gt]:2999-01-01T00:00:00Z",
        "completedAt[lte]:2000-01-01T00:00:00Z",
    ],
    "member": [
        "email[eq]:MEMBER42@example.com",
        "email[in]:[member42@example.com,MEMBER43@example.com]",
        "name[contains]:mber 4242",
        "name[eq]:Member 42",
    ],
}
# The fields lists order by, in each direction the API offers.
ORDERED: dict[str, list[str]] = {
    "person": ["name", "firstName", "lastName", "email", "phone", "jobTitle", "location"],
    "company": ["name", "domain", "website", "employees"],
    "note": ["title"],
    "task": ["title", "status", "dueDate", "completedAt"],
    "member": ["name", "email"],
}
SYSTEM_ORDERED = ["id", "createdAt", "updatedAt"]
# Free text with no index unless a workspace marks it indexed (docs/metadata.md):
# long values, which a b-tree refuses, and seldom a list's filter or order.
UNINDEXED = {("company", "address"), ("note", "body"), ("task", "body")}
# Twenty's standard fields (migration 0015): filtered on and ordered by without
# an index of their own, as documented in docs/compatibility.md.
UNINDEXED |= {
    *(("person", n) for n in ("emails", "phones", "city", "avatarUrl", "linkedinLink", "xLink")),
    ("person", "position"),
    *(
        ("company", n)
        for n in ("domainName", "postalAddress", "idealCustomerProfile", "linkedinLink", "xLink")
    ),
}
# Filters most records match: served by walking the list's order index and
# skipping the few misses, not by a range of the field's index.
BROAD = {"neq", "is:NOT_NULL", "status[eq]", "name[is]:NULL", "jobTitle[is]:NULL", "tags[is]:NULL"}
# A broad filter whose bounded total (the InitPlan beside the page: up to 10,001
# matches) PostgreSQL reads from the table: 99% of the rows match and the
# workspace is 2/3 of this small table, so that is its cheapest way to them.
# The page itself walks an index.
COUNT_SCANS = {"tags[is]:NULL"}
DIRECTIONS = ["AscNullsFirst", "AscNullsLast", "DescNullsFirst", "DescNullsLast", "asc", "desc"]


def _seed(db_url: str, ws: str) -> None:
    other = "00000000-0000-7000-8000-000000000042"
    with psycopg.connect(db_url, autocommit=True) as conn:
        for sql in _SEED_SQL.values():
            conn.execute(sql, {"ws": ws, "n": SEED})
            conn.execute(sql, {"ws": other, "n": OTHER})
        for table in _SEED_SQL:
            conn.execute(f"VACUUM ANALYZE {table}")


def _walk(node: dict[str, Any]) -> list[dict[str, Any]]:
    return [node, *(n for child in node.get("Plans", []) for n in _walk(child))]


def _bad_nodes(plan: dict[str, Any], table: str, sortable: int) -> list[str]:
    """What in a plan reads or sorts the workspace: a sequential scan of the table, or
    a sort of more than ``sortable`` rows (a filter's few matches may be sorted by id;
    an ordering sorts nothing: an incremental sort, of ties up to the limit, is no
    ``Sort`` node)."""
    bad = []
    for node in _walk(plan["Plan"]):
        kind = node["Node Type"]
        if kind == "Seq Scan" and node.get("Relation Name") == table:
            bad.append(f"Seq Scan on {table}")
        rows = sum(child["Plan Rows"] for child in node.get("Plans", []))
        if kind == "Sort" and rows > sortable:
            bad.append(f"Sort of {rows} rows by {node.get('Sort Key')}")
    return bad


def _explain(db_url: str, sql: Sql, args: list[Any]) -> dict[str, Any]:
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute(f"PREPARE q AS {sql.text}")
        literals = []
        for a in args:
            row = conn.execute("SELECT quote_nullable(%s::text)", (a,)).fetchone()
            assert row is not None
            literals.append(row[0])
        [[plan]] = conn.execute(f"EXPLAIN (FORMAT JSON) EXECUTE q({', '.join(literals)})")
        return plan[0]  # type: ignore[no-any-return]


def test_every_filter_and_ordering_reads_an_index(
    backend: str, db_url: str, server: LiveServer, client: httpx.Client
) -> None:
    """On a seeded workspace (and another beside it), each filter operator and each
    ordering is served from an index: no plan scans the table or sorts the workspace."""
    if backend != "postgresql":
        pytest.skip("query plans are PostgreSQL's")
    from rolodex.api.rest.grammar import parse_filter
    from rolodex.metadata.registry import standard
    from rolodex.metadata.storage import table_for
    from rolodex.records.sql import FilterWalk

    assert client.get("/rest/people").is_success
    ws = str(next(iter(server.app.state.rolodex.registries._entries)))
    _seed(db_url, ws)
    cache = server.app.state.rolodex.db._cache
    cases: list[tuple[str, dict[str, Any], dict[str, Any]]] = []
    for obj, filters in FILTERS.items():
        cases += [(obj, {"filter": f, "limit": 10}, {"filter": f}) for f in filters]
    for obj, fields in ORDERED.items():
        for name in [*fields, *SYSTEM_ORDERED]:
            for d in DIRECTIONS:
                cases.append((obj, {"order_by": f"{name}[{d}]", "limit": 10}, {}))
    failures = []
    for obj, params, filt in cases:
        before = set(cache)
        r = client.get(f"/rest/{PLURALS[obj]}", params=params)
        assert r.is_success, (params, r.text)
        new = [k for k in cache if k not in before and k[:3] == ("records", obj, "page")]
        if not new:  # the same shape as an earlier case (asc is AscNullsFirst)
            continue
        values: dict[str, Any] = {"ws": ws, "limit": 11}
        if filt:
            walk = FilterWalk(standard().objects[obj], table_for(standard().objects[obj]), False)
            walk.walk(parse_filter(filt["filter"]), build=False)
            values.update(walk.params)
        for key in new:
            sql = cache.get(key)
            assert sql is not None
            args = [values[n] if n in values else sql.defaults[n] for n in sql.names]
            # A contains of a list is a JSON array parameter (tags @> '["vip"]').
            args = [json.dumps(a) if isinstance(a, list) else a for a in args]
            plan = _explain(db_url, sql, args)
            bad = _bad_nodes(plan, obj, SEED // 20 if filt else 0)
            if filt and filt["filter"] in COUNT_SCANS:
                bad = _bad_nodes(_without_count(plan), obj, SEED // 20)
            if filt and not _broad(filt["filter"]):
                column = standard().objects[obj].fields[filt["filter"].split("[")[0]].column
                if not _narrows(plan, str(column)):
                    bad.append(f"no index condition on {column}")
            if bad:
                failures.append(f"{obj} {params}: {', '.join(bad)}")
    assert not failures, "\n".join(failures)


def _without_count(plan: dict[str, Any]) -> dict[str, Any]:
    """The plan with its InitPlan (the total beside the page) left out."""
    top = dict(plan["Plan"])
    top["Plans"] = [p for p in top.get("Plans", []) if p.get("Parent Relationship") != "InitPlan"]
    return {"Plan": top}


def _broad(expr: str) -> bool:
    field, _, rest = expr.partition("[")
    op, _, value = rest.partition("]:")
    return bool({op, f"{op}:{value}", f"{field}[{op}]", f"{field}[{op}]:{value}"} & BROAD)


def _narrows(plan: dict[str, Any], column: str) -> bool:
    """Whether an index is searched by a condition on ``column`` (not merely walked
    with the column checked row by row)."""
    conds = (
        str(n.get("Index Cond", "")) + str(n.get("Recheck Cond", "")) for n in _walk(plan["Plan"])
    )
    return any(column in c for c in conds)


def test_the_plan_cases_cover_every_standard_field() -> None:
    """Each standard field lists filter and order on has its filter and ordering
    cases above, or is one of the few documented as unindexed."""
    from rolodex.metadata.model import FieldType
    from rolodex.metadata.registry import standard

    skip = {FieldType.JSON, FieldType.ACTOR, FieldType.CURRENCY, FieldType.MULTI_SELECT}
    missing = []
    for obj in PLURALS:
        for f in standard().objects[obj].fields.values():
            if f.column is None or f.system or f.type in skip or f.name.endswith("Id"):
                continue
            if (obj, f.name) in UNINDEXED or f.name == "consents":
                continue
            if not any(c.startswith(f"{f.name}[") for c in FILTERS[obj]):
                missing.append(f"{obj}.{f.name}: no filter case")
            if f.type is not FieldType.ARRAY and f.name not in ORDERED[obj]:
                missing.append(f"{obj}.{f.name}: no ordering case")
    assert not missing, "\n".join(missing)


def test_case_insensitive_keys_match_ignoring_case(client: httpx.Client) -> None:
    """``email`` and ``domain`` are unique ignoring case, and equal ignoring case."""
    people = [{"name": "Ada", "email": "Ada@Example.com"}, {"name": "Bo", "email": "bo@x.io"}]
    assert client.post("/rest/batch/people", json=people).status_code == 201

    def names(flt: str) -> list[str]:
        got = client.get("/rest/people", params={"filter": flt})
        assert got.is_success, got.text
        return sorted(p["name"] for p in got.json()["data"]["people"])

    assert names("email[eq]:ada@example.COM") == ["Ada"]
    assert names("email[in]:[ADA@example.com,BO@X.IO]") == ["Ada", "Bo"]
    assert names("email[neq]:ADA@EXAMPLE.COM") == ["Bo"]
    # What is shown is what was written.
    got = client.get("/rest/people", params={"filter": "email[eq]:ada@example.com"}).json()
    assert got["data"]["people"][0]["email"] == "Ada@Example.com"
    assert client.post("/rest/companies", json={"name": "A", "domain": "acme.com"}).is_success
    got = client.get("/rest/companies", params={"filter": "domain[eq]:ACME.com"}).json()
    assert [c["name"] for c in got["data"]["companies"]] == ["A"]
