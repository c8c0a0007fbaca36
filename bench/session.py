"""What the workspace session costs a request: its opener against the hand-written one.

Run from the repository root with ``.venv/bin/python bench/session.py [N]``.
On a fresh PostgreSQL database (``rolodex_bench_session``) it seeds 200
people, then times GET by id, a 60-record list and a single create, each
through the opener every REST handler used to write (a connection or a
transaction, the cached registry, a ``RecordService``) and through
``Sessions.open`` (a read session's write-refusing connection, the lazily
built record service, the after-commit list), interleaved in six rounds of
``N`` (2,000) calls in one process. It prints the median CPU and wall time per
call of each; CPU time is the figure to compare on a shared machine.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time

import psycopg

from rolodex.auth import service as auth
from rolodex.auth.schemas import Actor
from rolodex.kit.db import Database
from rolodex.kit.migrate import upgrade
from rolodex.metadata.registry import RegistryCache
from rolodex.records.query import ListQuery
from rolodex.records.service import RecordService
from rolodex.session import WRITE, LocalPrincipal, Sessions

ADMIN = "postgresql://postgres@127.0.0.1:5432/test"
NAME = "rolodex_bench_session"
URL = f"postgresql://postgres@127.0.0.1:5432/{NAME}"
ACTOR = Actor("apiKey", "k", "bench")


def admin(sql):
    with psycopg.connect(ADMIN, autocommit=True) as c:
        c.execute(sql)


async def main(n):
    db = Database(URL, pool_size=4)
    await db.open()
    cache = RegistryCache(1.0)
    sessions = Sessions(db, cache)
    async with db.transaction() as conn:
        ws = await auth.create_workspace(conn, "micro")
    p = LocalPrincipal(ws, ACTOR)
    async with sessions.open(p, WRITE) as s:
        obj = s.registry.object("person")
        ids = [
            r["id"]
            for r in await s.records.create_many(
                obj,
                [
                    {"firstName": f"P{i}", "lastName": "X", "jobTitle": "Engineer"}
                    for i in range(200)
                ],
            )
        ]
    q = ListQuery(limit=60)

    # "old": the opener each handler wrote by hand; "new": the workspace session.
    async def old_get(i):
        async with db.connect() as conn:
            reg = await cache.get(conn, ws)
            await RecordService(conn, reg, ws, ACTOR).get(reg.by_plural("people"), ids[i % 200])

    async def new_get(i):
        async with sessions.open(p) as s:
            await s.records.get(s.registry.by_plural("people"), ids[i % 200])

    async def old_list(i):
        async with db.connect() as conn:
            reg = await cache.get(conn, ws)
            await RecordService(conn, reg, ws, ACTOR).page(reg.by_plural("people"), q)

    async def new_list(i):
        async with sessions.open(p) as s:
            await s.records.page(s.registry.by_plural("people"), q)

    async def old_create(i):
        async with db.transaction() as conn:
            reg = await cache.get(conn, ws)
            await RecordService(conn, reg, ws, ACTOR).create(
                reg.by_plural("people"), {"firstName": "N", "lastName": str(i)}
            )

    async def new_create(i):
        async with sessions.open(p, WRITE) as s:
            await s.records.create(
                s.registry.by_plural("people"), {"firstName": "N", "lastName": str(i)}
            )

    pairs = {
        "GET by id": (old_get, new_get),
        "list (60)": (old_list, new_list),
        "create": (old_create, new_create),
    }
    res = {k: {"old": [], "new": []} for k in pairs}
    for rnd in range(6):
        for label, (o, nw) in pairs.items():
            reps = n if label != "list (60)" else n // 4
            for side, fn in (
                (("old", o), ("new", nw)) if rnd % 2 == 0 else (("new", nw), ("old", o))
            ):
                for i in range(50):
                    await fn(i)
                t0 = time.process_time()
                w0 = time.perf_counter()
                for i in range(reps):
                    await fn(i)
                res[label][side].append(
                    (
                        (time.process_time() - t0) / reps * 1e6,
                        (time.perf_counter() - w0) / reps * 1e6,
                    )
                )
    await db.close()
    print(
        f"{'':12} {'old CPU us':>11} {'new CPU us':>11} {'new/old':>8}   "
        f"{'old wall us':>11} {'new wall us':>11}"
    )
    for label, r in res.items():
        oc = statistics.median(x[0] for x in r["old"])
        nc = statistics.median(x[0] for x in r["new"])
        ow = statistics.median(x[1] for x in r["old"])
        nw_ = statistics.median(x[1] for x in r["new"])
        print(f"{label:12} {oc:11.1f} {nc:11.1f} {nc / oc:8.3f}   {ow:11.1f} {nw_:11.1f}")


if __name__ == "__main__":
    admin(f'DROP DATABASE IF EXISTS "{NAME}" WITH (FORCE)')
    admin(f'CREATE DATABASE "{NAME}"')
    try:
        upgrade(URL)
        asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000))
    finally:
        admin(f'DROP DATABASE IF EXISTS "{NAME}" WITH (FORCE)')
