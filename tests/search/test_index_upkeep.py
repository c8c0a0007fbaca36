"""The index follows every write path: imports, and the migration's backfill."""

from __future__ import annotations

from pathlib import Path

from alembic import command

from rolodex.auth import service as auth
from rolodex.auth.schemas import SYSTEM
from rolodex.kit.db import Conn
from rolodex.kit.migrate import alembic_config, sync_url, upgrade
from rolodex.metadata.registry import RegistryCache
from rolodex.records.service import RecordService
from tests import factories
from tests.conftest import LiveServer
from tests.importer.helpers import Jobs


def test_imported_records_are_found(db_url: str, tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    path.write_text("Name,Email,Job title\nZoë Ünal,zoe@example.com,Engineer\nAda X,a@x.io,Poet\n")
    Jobs(db_url).imp(path)
    key = factories.make_key(db_url)
    with LiveServer(db_url) as live, factories.http(live.url, key) as client:
        r = client.get("/rest/search", params={"query": "zoe unal"})
        assert [h["label"] for h in r.json()["data"]["search"]] == ["Zoë Ünal"]
        r = client.get("/rest/search", params={"query": "poe"})
        assert [h["label"] for h in r.json()["data"]["search"]] == ["Ada X"]


def test_the_migration_indexes_existing_records(db_url: str) -> None:
    async def seed(conn: Conn) -> None:
        ws, _ = await auth.ensure_default_workspace(conn)
        registry = await RegistryCache(0).get(conn, ws)
        svc = RecordService(conn, registry, ws, SYSTEM)
        await svc.create(registry.object("person"), {"name": "Ada Lovelace"})
        gone = await svc.create(registry.object("person"), {"name": "Ada Gone"})
        await svc.soft_delete(registry.object("person"), gone["id"])
        await svc.create(registry.object("note"), {"title": "Engines", "body": "Bernoulli"})

    factories.run_db(db_url, seed)
    import sqlalchemy as sa

    engine = sa.create_engine(sync_url(db_url), poolclass=sa.pool.NullPool)
    with engine.begin() as conn:
        cfg = alembic_config(db_url)
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0012_compression")
    engine.dispose()
    upgrade(db_url)
    key = factories.make_key(db_url)
    with LiveServer(db_url) as live, factories.http(live.url, key) as client:
        r = client.get("/rest/search", params={"query": "ada"})
        assert [h["label"] for h in r.json()["data"]["search"]] == ["Ada Lovelace"]
        r = client.get("/rest/search", params={"query": "bernoulli"})
        assert [h["label"] for h in r.json()["data"]["search"]] == ["Engines"]
