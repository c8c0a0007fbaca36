"""The synchronous resources: ``client.people``, ``client.metadata``, ``client.webhooks``...

Each method builds its ``Call`` (see ``_calls``) and runs it through the
client, which owns retries and error mapping. ``aio_resources`` mirrors this
module method for method.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import datetime
from typing import Any

from rolodex.client import _calls as c
from rolodex.client._base import Call
from rolodex.client._query import FilterArg, OrderArg
from rolodex.client.models import Listing, Page, Record

Run = Callable[[Call], Any]
DEFAULT_PAGE_SIZE = 100


class Records:
    """The records of one object (``people``, ``companies``, a custom ``deals``...)."""

    def __init__(self, run: Run, plural: str) -> None:
        self._run = run
        self.plural = plural

    def __repr__(self) -> str:
        return f"<Records {self.plural}>"

    def create(self, data: Mapping[str, Any] | None = None, /, **fields: Any) -> Record:
        """Create a record from a dict and/or keyword fields; returns it as stored.

        Give ``id`` (a UUID) to make the create safe to repeat after a lost response.
        """
        return self._run(c.create_record(self.plural, c.merge(data, fields), upsert=False))

    def upsert(self, data: Mapping[str, Any] | None = None, /, **fields: Any) -> Record:
        """Create, or update the record with the same unique key (a person's email...)."""
        return self._run(c.create_record(self.plural, c.merge(data, fields), upsert=True))

    def batch_create(
        self, records: Iterable[Mapping[str, Any]], *, upsert: bool = False
    ) -> builtins.list[Record]:
        """Create up to 2,000 records at once, all or none."""
        return self._run(c.batch_create(self.plural, c.records_of(records), upsert=upsert))

    def get(self, id: str, /, *, depth: int = 0) -> Record:
        """One record; ``depth=1`` embeds related records."""
        return self._run(c.get_record(self.plural, id, depth))

    def update(self, id: str, data: Mapping[str, Any] | None = None, /, **fields: Any) -> Record:
        """Change some fields (``None`` clears one); returns the updated record."""
        return self._run(c.update_record(self.plural, id, c.merge(data, fields)))

    def delete(self, id: str, /, *, soft: bool = False) -> dict[str, Any]:
        """Delete for good, or with ``soft=True`` hide it (restorable)."""
        return self._run(c.delete_record(self.plural, id, soft=soft))

    def restore(self, id: str, /) -> Record:
        """Bring back a soft-deleted record."""
        return self._run(c.restore_record(self.plural, id))

    def list(
        self,
        *,
        filter: FilterArg = None,
        order_by: OrderArg = None,
        limit: int | None = None,
        starting_after: str | None = None,
        ending_before: str | None = None,
        depth: int | None = None,
        count: str | None = None,
    ) -> Page:
        """One page of records (``limit`` default 60, at most 200); ``count`` is
        ``"estimate"`` (the server's default), ``"exact"`` or ``"none"``."""
        call = c.list_records(
            self.plural,
            filter=filter,
            order_by=order_by,
            limit=limit,
            starting_after=starting_after,
            ending_before=ending_before,
            depth=depth,
            count=count,
        )
        return self._run(call)

    def iterate(
        self,
        *,
        filter: FilterArg = None,
        order_by: OrderArg = None,
        page_size: int = DEFAULT_PAGE_SIZE,
        depth: int | None = None,
    ) -> Iterator[Record]:
        """Every matching record, fetching pages of ``page_size`` as it goes."""
        cursor: str | None = None
        while True:
            page = self.list(
                filter=filter,
                order_by=order_by,
                limit=page_size,
                starting_after=cursor,
                depth=depth,
            )
            yield from page.records
            cursor = page.next_cursor
            if cursor is None or not page.records:
                return

    def timeline(
        self, id: str, /, *, limit: int | None = None, starting_after: str | None = None
    ) -> Page:
        """The record's events, newest first (``next_cursor`` pages on)."""
        return self._run(c.timeline(self.plural, id, limit=limit, starting_after=starting_after))


class Metadata:
    """Objects, fields and picklists: ``/rest/metadata``."""

    def __init__(self, run: Run) -> None:
        self._run = run

    def objects(self) -> list[dict[str, Any]]:
        return self._run(c.get(f"{c.META}/objects", c.key("objects")))

    def object(self, name: str) -> dict[str, Any]:
        """One object by singular or plural name, with its fields."""
        return self._run(c.get(f"{c.META}/objects/{c.seg(name)}", c.key("object")))

    def picklists(self) -> list[dict[str, Any]]:
        return self._run(c.get(f"{c.META}/picklists", c.key("picklists")))

    def fields(
        self, object_name: str | None = None, *, include_inactive: bool = False
    ) -> list[dict[str, Any]]:
        params = {"object": object_name, "includeInactive": "true" if include_inactive else None}
        return self._run(c.get(f"{c.META}/fields", c.key("fields"), params))

    def field(self, id: str) -> dict[str, Any]:
        return self._run(c.get(f"{c.META}/fields/{c.seg(id)}", c.key("field")))

    def create_field(self, object_name: str, name: str, type: str, **extra: Any) -> dict[str, Any]:
        """A custom field; ``extra`` holds ``label``, ``options``, ``is_unique``..."""
        return self._run(c.create_field(object_name, name, type, extra))

    def update_field(self, id: str, **changes: Any) -> dict[str, Any]:
        return self._run(c.update_field(id, changes))

    def delete_field(self, id: str, *, purge: bool = False) -> dict[str, Any]:
        """Deactivate a field (data kept); ``purge=True`` on a deactivated one erases its data."""
        return self._run(c.delete_field(id, purge))

    def restore_field(self, id: str) -> dict[str, Any]:
        return self._run(c.post(f"{c.META}/fields/{c.seg(id)}/restore", c.key("restoreField")))

    def create_object(
        self, name_singular: str, name_plural: str | None = None, **extra: Any
    ) -> dict[str, Any]:
        """A custom object (``deal``/``deals``); ``extra`` holds ``label_singular``..."""
        return self._run(c.create_object(name_singular, {"namePlural": name_plural, **extra}))

    def delete_object(self, name: str, *, purge: bool = False) -> dict[str, Any]:
        params = {"purge": "true"} if purge else None
        path = f"{c.META}/objects/{c.seg(name)}"
        return self._run(
            Call("DELETE", path, params, idempotent=True, unwrap=c.key("deleteObject"))
        )


class Consents:
    """A person's consents: ``/rest/people/{id}/consents``."""

    def __init__(self, run: Run) -> None:
        self._run = run

    def list(self, person_id: str) -> builtins.list[dict[str, Any]]:
        path = f"/rest/people/{c.seg(person_id)}/consents"
        return self._run(c.get(path, c.key("consents")))

    def give(
        self,
        person_id: str,
        *,
        purpose: str,
        legal_basis: str | None = None,
        source: str | None = None,
        comment: str | None = None,
    ) -> dict[str, Any]:
        body = {"purpose": purpose, "legalBasis": legal_basis, "source": source, "comment": comment}
        body = {k: v for k, v in body.items() if v is not None}
        return self._run(c.give_consent(person_id, body))

    def withdraw(self, person_id: str, purpose: str, *, remove: bool = False) -> dict[str, Any]:
        """Withdraw (kept with ``withdrawnAt``), or with ``remove=True`` erase the consent."""
        return self._run(c.withdraw_consent(person_id, purpose, remove))

    def options(self) -> dict[str, Any]:
        """The purposes and legal bases this workspace accepts."""
        return self._run(c.get(f"{c.META}/consent-options", c.key("consentOptions")))


class Keys:
    """API keys: ``/rest/keys``."""

    def __init__(self, run: Run) -> None:
        self._run = run

    def list(self) -> builtins.list[dict[str, Any]]:
        return self._run(c.get("/rest/keys", c.key("keys")))

    def create(
        self,
        name: str,
        *,
        scopes: Iterable[str] | None = None,
        expires_at: datetime | str | None = None,
    ) -> dict[str, Any]:
        """A new key; its secret is in ``["key"]`` of this result and nowhere else."""
        body: dict[str, Any] = {"name": name}
        if scopes is not None:
            body["scopes"] = builtins.list(scopes)
        if expires_at is not None:
            body["expiresAt"] = c.iso(expires_at)
        return self._run(c.post("/rest/keys", c.key("createKey"), body))

    def revoke(self, id: str) -> dict[str, Any]:
        path = f"/rest/keys/{c.seg(id)}"
        return self._run(Call("DELETE", path, idempotent=True, unwrap=c.key("revokeKey")))


class Webhooks:
    """Webhook subscriptions and their delivery log: ``/rest/webhooks``."""

    def __init__(self, run: Run) -> None:
        self._run = run

    def _path(self, id: str, *rest: str) -> str:
        return "/".join([c.HOOKS, c.seg(id), *rest])

    def list(self, *, limit: int | None = None, offset: int | None = None) -> Listing:
        params = {"limit": limit, "offset": offset}
        return self._run(c.get(c.HOOKS, c.listing("webhooks"), params))

    def get(self, id: str) -> dict[str, Any]:
        return self._run(c.get(self._path(id), c.key("webhook")))

    def create(
        self,
        target_url: str,
        *,
        subscriptions: builtins.list[Any] | None = None,
        name: str | None = None,
        format: str | None = None,
        secret: str | None = None,
        **extra: Any,
    ) -> dict[str, Any]:
        """A webhook; the result's ``secret`` is shown here (and on rotation) only."""
        body = c.webhook_body(
            {"target_url": target_url, "subscriptions": subscriptions, "name": name,
             "format": format, "secret": secret, **extra}
        )  # fmt: skip
        return self._run(c.post(c.HOOKS, c.key("createWebhook"), body))

    def update(self, id: str, **changes: Any) -> dict[str, Any]:
        call = Call(
            "PATCH", self._path(id), json=c.camel_keys(changes), idempotent=True,
            unwrap=c.key("updateWebhook"),
        )  # fmt: skip
        return self._run(call)

    def delete(self, id: str) -> dict[str, Any]:
        call = Call("DELETE", self._path(id), idempotent=True, unwrap=c.key("deleteWebhook"))
        return self._run(call)

    def rotate_secret(
        self, id: str, *, secret: str | None = None, grace_seconds: float | None = None
    ) -> dict[str, Any]:
        """A new secret (generated unless given); the old one keeps signing for the grace."""
        body = c.webhook_body({"secret": secret, "grace_seconds": grace_seconds})
        return self._run(
            c.post(self._path(id, "rotate-secret"), c.key("rotateWebhookSecret"), body)
        )

    def deliveries(
        self,
        id: str,
        *,
        status: str | None = None,
        limit: int | None = None,
        offset: int | None = None,
    ) -> Listing:
        params = {"status": status, "limit": limit, "offset": offset}
        return self._run(c.get(self._path(id, "deliveries"), c.listing("deliveries"), params))

    def resend(self, id: str, delivery_id: str) -> dict[str, Any]:
        path = self._path(id, "deliveries", c.seg(delivery_id), "resend")
        return self._run(c.post(path, c.key("delivery")))

    def recover(
        self, id: str, *, since: datetime | str, until: datetime | str | None = None
    ) -> int:
        """Requeue the failed deliveries created in ``[since, until]``; returns how many."""
        body = c.webhook_body({"since": c.iso(since), "until": c.iso(until)})
        return self._run(c.post(self._path(id, "recover"), c.key("requeued"), body))

    def test(self, id: str, *, event_type: str | None = None) -> dict[str, Any]:
        """Send a sample event (``person.created`` unless ``event_type`` is given)."""
        body = c.webhook_body({"event_type": event_type})
        return self._run(c.post(self._path(id, "test"), c.key("delivery"), body))
