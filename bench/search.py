"""Search latency on PostgreSQL at scale, and what keeping the index costs a write.

Run from the repository root with ``.venv/bin/python bench/search.py``
(``--people 100000``, ``--runs 200``). It creates a fresh
``rolodex_bench_search`` database, migrates it, and inserts ``--people``
people straight into ``person`` with one ``INSERT ... SELECT`` (names from 40
first and 40 last names, some accented, and a serial number), their search
documents likewise (the names are ASCII once folded, so ``lower()`` folds
them as search/text.py does), then ``VACUUM ANALYZE``. It times, in process
through the search service (no HTTP), taking turns: an exact full name, a
rare surname prefix, a common first-name prefix (a fortieth of the people),
a two-letter prefix matching most of them, an email, and two words, beside
a plain page of 20 people through the record service, for reference. Then it
times a create of one person and a batch of 1,000 through the record
service, with the index and with its writes skipped, to show their cost.
``--keep`` reuses the database of the last run instead of seeding again.
It prints p50 and p99 per case; the exit code is 1 only when the run fails.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

import psycopg  # noqa: E402

from rolodex.auth.schemas import SYSTEM  # noqa: E402
from rolodex.kit.db import Database  # noqa: E402
from rolodex.kit.migrate import upgrade  # noqa: E402
from rolodex.metadata.registry import RegistryCache  # noqa: E402
from rolodex.records.query import ListQuery  # noqa: E402
from rolodex.records.service import RecordService  # noqa: E402
from rolodex.search import service as search_service  # noqa: E402
from rolodex.search import text  # noqa: E402
from rolodex.search.service import Search  # noqa: E402

DB_NAME = "rolodex_bench_search"
ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
DB_URL = f"postgresql://postgres@127.0.0.1:5432/{DB_NAME}"
FIRST = [
    "Ada",
    "Grace",
    "Alan",
    "Zoë",
    "Linus",
    "Barbara",
    "Edsger",
    "Donald",
    "Margaret",
    "Ken",
    "Dennis",
    "Frances",
    "Radia",
    "Hedy",
    "Katherine",
    "Dorothy",
    "John",
    "Claude",
    "Tim",
    "Vint",
    "Bjarne",
    "Guido",
    "James",
    "Anita",
    "Shafi",
    "Leslie",
    "Niklaus",
    "Tony",
    "Robin",
    "Jean",
    "Sophie",
    "Marie",
    "Émile",
    "Chloé",
    "Noël",
    "Björn",
    "Søren",
    "Łukasz",
    "Ana",
    "Inès",
]
LAST = [
    "Lovelace",
    "Hopper",
    "Turing",
    "Kravitz",
    "Torvalds",
    "Liskov",
    "Dijkstra",
    "Knuth",
    "Hamilton",
    "Thompson",
    "Ritchie",
    "Allen",
    "Perlman",
    "Lamarr",
    "Johnson",
    "Vaughan",
    "McCarthy",
    "Shannon",
    "Berners",
    "Cerf",
    "Stroustrup",
    "Rossum",
    "Gosling",
    "Borg",
    "Goldwasser",
    "Lamport",
    "Wirth",
    "Hoare",
    "Milner",
    "Sammet",
    "Wilson",
    "Curie",
    "Zola",
    "Dubois",
    "Lefèvre",
    "Öberg",
    "Kierkegaard",
    "Wałęsa",
    "Müller",
    "Núñez",
]
SEED = """
INSERT INTO person (workspace_id, id, name, first_name, last_name, email, job_title,
                    custom, created_at, updated_at)
SELECT %(ws)s, (lpad(to_hex(g), 8, '0') || '-0000-7000-8000-000000000000')::uuid,
       f || ' ' || l || ' ' || g, f, l || ' ' || g, 'person' || g || '@example.com',
       (ARRAY['Engineer','Designer','Founder','Analyst'])[1 + g %% 4], '{}'::jsonb,
       now(), now()
FROM (SELECT g, (%(first)s::text[])[1 + g %% 40] AS f,
             (%(last)s::text[])[1 + (g / 40) %% 40] AS l
      FROM generate_series(1, %(n)s) AS g) s
"""
DOCS = """
INSERT INTO search_document (workspace_id, record_id, object_name, label, label_words, body)
SELECT workspace_id, id, 'person', name, lower(%(fold)s),
       lower(%(fold)s || ' ' || replace(replace(email, '@', ' '), '.', ' ') || ' ' || job_title)
FROM person WHERE workspace_id = %(ws)s
"""
LIST = "plain list of 20"
CASES = {
    "exact name": "Ada Lovelace 40000",
    "rare prefix": "kierk",
    "common first name": "grace",
    "two letters": "jo",
    "email": "person4242@example.com",
    "two words": "zoe krav",
}


def seed(n: int) -> str:
    with psycopg.connect(ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DB_NAME}"')
    upgrade(DB_URL)
    with psycopg.connect(DB_URL, autocommit=True) as conn:
        (ws,) = conn.execute(
            "INSERT INTO workspace (id, name, metadata_version, created_at) "
            "VALUES (gen_random_uuid(), 'bench', 0, now()) RETURNING id"
        ).fetchone()  # type: ignore[misc]
        conn.execute(SEED, {"ws": ws, "n": n, "first": FIRST, "last": LAST})
        # Folding as search/text.py does, for these names: accents off, then lowercase.
        odd = sorted({c for name in FIRST + LAST for c in name if not c.isascii()})
        plain = "".join(text.fold(c) for c in odd)
        assert len(plain) == len(odd), "each accented letter folds to one letter"
        fold = f"translate(name, '{''.join(odd)}', '{plain}')"
        conn.execute(DOCS.replace("%(fold)s", fold), {"ws": ws})
        conn.execute("VACUUM ANALYZE person")
        conn.execute("VACUUM ANALYZE search_document")
    return str(ws)


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p))]


async def measure(ws_text: str, runs: int) -> None:
    import uuid

    ws = uuid.UUID(ws_text)
    db = Database(DB_URL, pool_size=2)
    await db.open()
    try:
        async with db.connect() as conn:
            registry = await RegistryCache(0).get(conn, ws)
            svc = Search(conn, registry, ws)
            times: dict[str, list[float]] = {name: [] for name in CASES}
            found: dict[str, int] = {}
            records = RecordService(conn, registry, ws, SYSTEM)
            person = registry.object("person")
            plain = ListQuery(limit=20, with_total=False)
            times[LIST] = []

            async def run(name: str) -> int:
                if name == LIST:  # the reference: a plain page of 20 people
                    return len((await records.page(person, plain)).records)
                return len((await svc.search(CASES[name], ["people"], 20))[0])

            for name in times:  # warm the statement cache and the buffers
                found[name] = await run(name)
            for _ in range(runs):
                for name in times:
                    t = time.perf_counter()
                    await run(name)
                    times[name].append((time.perf_counter() - t) * 1000)
            print(f"{'search (limit 20)':<22} {'p50 ms':>8} {'p99 ms':>8}  hits")
            for name, values in times.items():
                print(
                    f"{name:<22} {statistics.median(values):8.2f} {pct(values, 0.99):8.2f}"
                    f"  {found[name]}  ({CASES.get(name, 'no query')!r})"
                )
        await writes(db, ws, registry)
    finally:
        await db.close()


async def writes(db: Database, ws: Any, registry: Any) -> None:
    person = registry.object("person")
    counter = [0]
    run = os.urandom(4).hex()  # a run of its own, so --keep does not clash with the last one

    async def batch(size: int) -> float:
        counter[0] += 1
        items = [
            {"name": f"Bench Person {counter[0]}-{i}", "email": f"b{run}.{counter[0]}.{i}@bench.io"}
            for i in range(size)
        ]
        t = time.perf_counter()
        async with db.transaction() as conn:
            svc = RecordService(conn, registry, ws, SYSTEM)
            if size == 1:  # a single create: the record, events and document in one statement
                await svc.create(person, items[0])
            else:
                await svc.create_many(person, items)
        return (time.perf_counter() - t) * 1000

    cls = search_service.SearchIndex
    real = (cls.index, cls.rows)

    async def no_index(self: Any, obj: Any, records: Any) -> None:
        return None

    def no_rows(self: Any, obj: Any, records: Any) -> list[dict[str, Any]]:
        return []

    def use(index: Any, rows: Any) -> None:
        cls.index, cls.rows = index, rows  # type: ignore[method-assign]

    print(f"\n{'write':<22} {'p50 ms':>8} {'p50 ms':>8}")
    print(f"{'':<22} {'indexed':>8} {'skipped':>8}")
    for size, rounds in ((1, 200), (1000, 10)):
        on: list[float] = []
        off: list[float] = []
        for _ in range(rounds):  # taking turns, so drift hits both alike
            use(*real)
            on.append(await batch(size))
            use(no_index, no_rows)
            off.append(await batch(size))
        use(*real)
        label = "create 1 person" if size == 1 else f"batch of {size}"
        print(f"{label:<22} {statistics.median(on):8.2f} {statistics.median(off):8.2f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--keep", action="store_true", help="reuse the last run's database")
    args = parser.parse_args()
    t = time.perf_counter()
    if args.keep:
        with psycopg.connect(DB_URL) as conn:
            (ws,) = conn.execute("SELECT id::text FROM workspace LIMIT 1").fetchone()  # type: ignore[misc]
        print("kept the database of the last run")
    else:
        ws = seed(args.people)
        print(f"seeded {args.people:,} people and documents in {time.perf_counter() - t:.1f} s")
    asyncio.run(measure(ws, args.runs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
