"""Creates write in few statements on PostgreSQL: a batch as one, a record with its event as one.

Statement-level triggers record ``statement_timestamp()`` (the time the
server received the client's statement) for every statement that inserts
into ``person`` or ``event``: rows inserted by the same client statement
share one timestamp.
"""

from __future__ import annotations

from typing import Any

import httpx
import psycopg
import pytest
from tests import factories

TRIGGERS = """
CREATE TABLE insert_log (tbl text, at timestamptz);
CREATE FUNCTION log_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO insert_log VALUES (TG_TABLE_NAME, statement_timestamp());
  RETURN NULL;
END $$;
CREATE TRIGGER log_person AFTER INSERT ON person FOR EACH STATEMENT EXECUTE FUNCTION log_insert();
CREATE TRIGGER log_event AFTER INSERT ON event FOR EACH STATEMENT EXECUTE FUNCTION log_insert();
"""


@pytest.fixture
def logged(backend: str, db_url: str) -> str:
    if backend != "postgresql":
        pytest.skip("SQLite runs in process: statements cost no round trip")
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute(TRIGGERS)
    return db_url


def statements(db_url: str) -> list[tuple[Any, ...]]:
    """(table, client statement) per inserting statement, and clear the log."""
    with psycopg.connect(db_url, autocommit=True) as conn:
        rows = conn.execute("SELECT tbl, at FROM insert_log ORDER BY at, tbl").fetchall()
        conn.execute("DELETE FROM insert_log")
    return [tuple(r) for r in rows]


def test_a_batch_is_one_insert_and_its_events_one_more(logged: str, client: httpx.Client) -> None:
    statements(logged)
    people = [{"name": f"P {n}", "email": f"p{n}@batch.example"} for n in range(25)]
    r = client.post("/rest/batch/people", json=people)
    assert r.status_code == 201, r.text
    log = statements(logged)
    assert [t for t, _ in log] == ["person", "event"]
    events = [e for e in factories.events(logged) if e["type"] == "person.created"]
    assert len(events) == 25
    by_seq = sorted(events, key=lambda e: e["seq"])
    assert [e["record"]["email"] for e in by_seq] == [p["email"] for p in people]


def test_a_single_create_writes_record_and_event_in_one_statement(
    logged: str, client: httpx.Client
) -> None:
    statements(logged)
    person = factories.person(client, name="Ada Lovelace", email="ada@one.example")
    log = statements(logged)
    assert sorted(t for t, _ in log) == ["event", "person"]
    assert log[0][1] == log[1][1], log  # one client statement
    events = [e for e in factories.events(logged) if str(e["record_id"]) == person["id"]]
    assert [e["type"] for e in events] == ["person.created"]


def test_a_single_create_that_clashes_writes_no_event(logged: str, client: httpx.Client) -> None:
    first = factories.person(client, name="Ada", email="ada@clash.example")
    before = len(factories.events(logged))
    r = client.post("/rest/people", json={"name": "Other", "email": "ADA@clash.example"})
    assert r.status_code == 409, r.text
    assert r.json()["field"] == "email" and r.json()["existingId"] == first["id"]
    assert len(factories.events(logged)) == before
