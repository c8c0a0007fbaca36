"""Fan-out: turning committed outbox events into deliveries, one per subscribed webhook.

Record writes only insert ``event`` rows. This step claims the unprocessed
ones in sequence order, matches them against each workspace's live webhooks
(queried per batch, so a webhook is live the moment it commits), builds and
serialises each body once, inserts the deliveries and marks the events done,
all in one transaction: an event is fanned out exactly once or not at all.

A transaction's work is bounded by events x webhooks: it takes events until
it has made ``fanout_rows`` deliveries (fewer events when many webhooks
match), and streams the rows into the queue ``insert_chunk`` at a time, so
neither its memory nor the wait for the first delivery grows with the
number of webhooks.
"""

from __future__ import annotations

import time
import uuid
from collections import defaultdict
from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from rolodex.kit import clock
from rolodex.kit.db import Conn, Database
from rolodex.kit.ids import uuid7
from rolodex.metadata.model import FieldType
from rolodex.metadata.registry import Registry, RegistryCache
from rolodex.records.repository import RecordRepository
from rolodex.records.schemas import serializer
from rolodex.webhooks import attio, catalogue, matching, payloads, queue
from rolodex.webhooks import repository as repo
from rolodex.webhooks.config import WebhookConfig
from rolodex.webhooks.schemas import Webhook, from_row


def prepare(event: dict[str, Any]) -> dict[str, Any]:
    """An outbox row as payload builders read it: strings for ids and instants."""
    occurred = event["occurred_at"]
    return {
        "id": str(event["id"]),
        "workspace_id": str(event["workspace_id"]),
        "type": event["type"],
        "object_name": event["object_name"],
        "record_id": str(event["record_id"]) if event.get("record_id") is not None else None,
        "occurred_at": clock.iso(occurred) if isinstance(occurred, datetime) else occurred,
        "actor": event.get("actor"),
        "record": event.get("record"),
        "changes": event.get("changes") or [],
        "previous": event.get("previous"),
        "seq": event.get("seq"),
    }


async def embed(
    conn: Conn, registry: Registry, ws: uuid.UUID, events: Sequence[dict[str, Any]]
) -> None:
    """Set each event's ``data``: its record with to-one relations as ``{id, name}``.

    One query per (target object) for the whole batch; a missing record is null.
    """
    wanted: dict[str, set[str]] = defaultdict(set)
    for ev in events:
        obj = registry.objects.get(ev["object_name"])
        record = ev.get("record")
        if obj is None or not isinstance(record, dict):
            continue
        for f in catalogue.to_one(obj):
            assert f.relation is not None
            value = record.get(f.relation.join_field)
            if value:
                wanted[f.relation.target].add(str(value))
    names: dict[tuple[str, str], dict[str, Any]] = {}
    for target_name, ids in wanted.items():
        target = registry.objects.get(target_name)
        if target is None:
            continue
        parsed = []
        for i in sorted(ids):
            try:
                parsed.append(uuid.UUID(i))
            except ValueError:
                continue
        rows = await RecordRepository(conn, target, ws).get_many(parsed)
        serialise = serializer(target)
        for row in rows:
            rec = serialise(row, conn.sqlite)
            names[(target_name, rec["id"])] = {"id": rec["id"], "name": rec.get(target.label_field)}
    for ev in events:
        obj = registry.objects.get(ev["object_name"])
        record = ev.get("record")
        if obj is None or not isinstance(record, dict):
            ev["data"] = record
            continue
        # The REST API's field order (JSONB on PostgreSQL does not keep it).
        ordered = {
            name: record[name]
            for name, f in obj.fields.items()
            if f.type is not FieldType.RELATION and name in record
        }
        for k, v in record.items():
            ordered.setdefault(k, v)
        ev["record"] = ordered
        data = dict(ordered)
        for f in catalogue.to_one(obj):
            assert f.relation is not None
            value = record.get(f.relation.join_field)
            data[f.name] = names.get((f.relation.target, str(value))) if value else None
        ev["data"] = data


def delivery_row(
    hook: Webhook,
    event: dict[str, Any],
    name: str,
    body: str,
    now: datetime,
    config: WebhookConfig,
) -> dict[str, Any]:
    """A new pending delivery of ``body`` (due after the schedule's first delay)."""
    return {
        "workspace_id": hook.workspace_id,
        "id": uuid7(),
        "webhook_id": hook.id,
        "event_id": uuid.UUID(event["id"]),
        "event_seq": event.get("seq"),
        "event_type": name,
        "object_name": event.get("object_name"),
        "record_id": uuid.UUID(event["record_id"]) if event.get("record_id") else None,
        "body": body,
        "status": "pending",
        "attempts": 0,
        "tries": 0,
        "next_attempt_at": now + timedelta(seconds=config.schedule[0]),
        "locked_until": None,
        "lease_owner": None,
        "last_attempt_at": None,
        "response_status": None,
        "error": None,
        "created_at": now,
        "completed_at": None,
    }


def render_for(
    hook: Webhook,
    event: dict[str, Any],
    name: str,
    registry: Registry | None,
    attio_events: list[dict[str, Any]] | None = None,
    shared: dict[str, Any] | None = None,
) -> tuple[dict[str, Any], str]:
    """The canonical payload and the body in ``hook``'s format (``shared``: see
    ``payloads.render``)."""
    ctx = hook.context()
    canonical = payloads.canonical(event, ctx, name, event.get("data"))
    obj = registry.objects.get(event["object_name"]) if registry else None
    attio_body = None
    if hook.format == "attio":
        attio_events = attio_events or attio.events(event, registry, ctx["workspace_id"])
        attio_body = attio.body(ctx, attio_events)
    body = payloads.render(
        hook.format,
        event,
        ctx,
        name,
        object_id=catalogue.object_id(obj, event["object_name"]),
        canonical_body=canonical,
        attio_body=attio_body,
        shared=shared,
    )
    return canonical, body


class Rendering:
    """One event for one webhook: the name it matches and its bodies, built on first use."""

    def __init__(
        self,
        hook: Webhook,
        event: dict[str, Any],
        registry: Registry | None,
        shared: dict[str, Any] | None = None,
    ) -> None:
        self.hook = hook
        self.event = event
        self.registry = registry
        self.shared = shared
        self.built: dict[str, tuple[dict[str, Any], str]] = {}
        self._attio: list[dict[str, Any]] | None = None

    def _build(self, name: str) -> tuple[dict[str, Any], str]:
        if name not in self.built:
            # Only an Attio body is made of Attio events; with 1,000 webhooks of other
            # formats, making them for each was a sixteenth of the fan-out's CPU.
            attio_events = self._attio_events() if self.hook.format == "attio" else None
            self.built[name] = render_for(
                self.hook, self.event, name, self.registry, attio_events, self.shared
            )
        return self.built[name]

    def _attio_events(self) -> list[dict[str, Any]]:
        if self._attio is None:
            self._attio = attio.events(self.event, self.registry)
        return self._attio

    def canonical(self, name: str) -> dict[str, Any]:
        return self._build(name)[0]

    def attio_views(self, name: str) -> list[dict[str, Any]]:
        """What an Attio subscription's filter reads, one view per Attio event."""
        canonical = self.canonical(name)
        return [attio.filter_view(e, canonical) for e in self._attio_events()]

    def match(self) -> tuple[str, str] | None:
        """``(name, body)`` of the first subscription that takes the event, or None."""
        subs = matching.resolved(self.hook.subscriptions, self.registry, self.hook.cache)
        name = matching.match(subs, self.event["type"], self.canonical, self.attio_views)
        if name is None:
            return None
        return name, self._build(name)[1]


def iter_deliveries(
    hooks: Sequence[Webhook],
    event: dict[str, Any],
    registry: Registry,
    now: datetime,
    config: WebhookConfig,
) -> Iterator[dict[str, Any]]:
    """The deliveries of ``event``, one per matching webhook, in ``hooks``' order."""
    actor = event.get("actor")
    if isinstance(actor, dict) and actor.get("deliver") is False:
        return  # kept in the log, never delivered (an import run with --no-webhooks)
    occurred = event["occurred_at"]
    shared: dict[str, Any] = {}
    for hook in hooks:
        if clock.iso(hook.created_at) > occurred:
            continue  # a webhook receives what happens after it exists
        matched = Rendering(hook, event, registry, shared).match()
        if matched is None:
            continue
        name, body = matched
        yield delivery_row(hook, event, name, body, now, config)


class _Stream:
    """Delivery rows on their way into the queue, inserted ``chunk`` at a time.

    Only one chunk of rendered bodies is held at once, however many webhooks
    and events the transaction covers.
    """

    def __init__(self, conn: Conn, chunk: int) -> None:
        self.conn = conn
        self.chunk = max(chunk, 1)
        self.pending: list[dict[str, Any]] = []
        self.total = 0

    async def add(self, row: dict[str, Any]) -> None:
        self.pending.append(row)
        self.total += 1
        if len(self.pending) >= self.chunk:
            await self.flush()

    async def flush(self) -> None:
        if self.pending:
            await queue.insert(self.conn, self.pending)
            self.pending = []


class _Workspace:
    """What fan-out needs about one workspace within one transaction."""

    def __init__(self, hooks: list[Webhook], registry: Registry | None) -> None:
        self.hooks = hooks
        self.registry = registry


# Delivery rows per event seen in the last transaction, per database: how many
# events the next one claims, so a workspace with many webhooks is fanned out
# a few events at a time rather than by loading a full batch it cannot finish.
_per_event: dict[str, float] = {}


def _events_to_claim(db: Database, config: WebhookConfig) -> int:
    ratio = _per_event.get(db.url, 0.0)
    if ratio <= 1.0:
        return config.batch
    return max(1, min(config.batch, int(config.fanout_rows / ratio) + 1))


class FanOut(NamedTuple):
    """What one fan-out transaction did."""

    events: int  # events fanned out
    deliveries: int  # deliveries queued for them
    more: bool  # whether events may be waiting behind them (the batch was full)


async def fan_out_once(
    db: Database, registries: RegistryCache, config: WebhookConfig, *, probe: bool = True
) -> FanOut:
    """Fan out one bounded batch: the events processed, the deliveries created.

    ``probe`` first asks, outside a transaction, whether any event waits: the
    usual answer on a poll is no, which then costs no transaction and no
    lock. A caller whose last batch was full knows there is more and passes
    ``probe=False``.

    Events are taken in sequence order and each is fanned out whole, to
    every matching webhook, in this one transaction; the transaction stops
    taking events once it has made ``config.fanout_rows`` deliveries, so its
    work is bounded by events x webhooks (at most ``fanout_rows`` plus one
    event's webhooks). The events it did not reach stay unprocessed and come
    first in the next transaction, which keeps each webhook's deliveries in
    sequence order.
    """
    if probe:
        async with db.connect() as conn:
            if not await repo.has_unfanned_events(conn):
                return FanOut(0, 0, False)
    async with db.transaction() as conn:
        if not await repo.try_fan_out_lock(conn):
            return FanOut(0, 0, False)  # another worker is fanning out
        claim = _events_to_claim(db, config)
        events = await repo.claim_events(conn, claim)
        if not events:
            return FanOut(0, 0, False)
        now = clock.now()
        prepared = [prepare(ev) for ev in events]
        by_ws: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for ev in prepared:
            by_ws[ev["workspace_id"]].append(ev)
        seen: dict[str, _Workspace] = {}
        stream = _Stream(conn, config.insert_chunk)
        done: list[dict[str, Any]] = []
        for raw, ev in zip(events, prepared, strict=True):
            if done and stream.total >= config.fanout_rows:
                break
            ws_text = ev["workspace_id"]
            workspace = seen.get(ws_text)
            if workspace is None:
                workspace = seen[ws_text] = await _workspace(
                    conn, registries, uuid.UUID(ws_text), by_ws[ws_text]
                )
            if workspace.hooks and workspace.registry is not None:
                for row in iter_deliveries(workspace.hooks, ev, workspace.registry, now, config):
                    await stream.add(row)
            done.append(raw)
        await stream.flush()
        if stream.total:
            if not db.sqlite:
                await _keep_statistics(conn, stream.total)
            await repo.notify(conn, "rolodex_deliveries")
        await repo.mark_fanned_out(conn, done)
    _per_event[db.url] = stream.total / len(done)
    return FanOut(len(done), stream.total, len(events) == claim or len(done) < len(events))


async def _workspace(
    conn: Conn, registries: RegistryCache, ws: uuid.UUID, events: list[dict[str, Any]]
) -> _Workspace:
    """The live webhooks of ``ws`` and, when it has any, its events' documents and
    embedded records (events of a workspace with no webhooks are never read whole)."""
    hooks = [from_row(r) for r in await repo.live_webhooks(conn, ws)]
    if not hooks:
        return _Workspace([], None)
    documents = await repo.event_documents(conn, ws, [ev["seq"] for ev in events])
    for ev in events:
        ev.update(documents.get(ev["seq"], {}))
        ev["changes"] = ev.get("changes") or []
    registry = await registries.get(conn, ws)
    await embed(conn, registry, ws, events)
    return _Workspace(hooks, registry)


_inserted: dict[str, list[float]] = {}


async def _keep_statistics(conn: Conn, count: int) -> None:
    """ANALYZE the queue after a burst of deliveries (at most every 10 s).

    Autovacuum analyzes within a minute or so; until then a queue that grew
    from nothing to thousands of rows is planned as if empty, and the claim's
    per-record check can pick an index that makes each claim scan the whole
    backlog. It runs inside the fan-out transaction, before the commit that
    wakes the senders (the statistics then count the rows about to be
    committed): run after it, the first claims, already woken, planned with
    the old statistics and took seconds while the first batches went in.
    """
    state = _inserted.setdefault(conn.db.url, [0.0, 0.0])  # [rows since, last analyze]
    state[0] += count
    now = time.monotonic()
    if state[0] >= 1000 and now - state[1] >= 10:
        state[0], state[1] = 0.0, now
        await queue.analyze(conn)
