"""Consent for GDPR and marketing: what a person agreed to, on which legal basis.

A consent per (person, purpose) is given, changed, withdrawn (kept, with
``withdrawnAt``) or removed. The person's ``consents`` field lists the
purposes in force, so people can be filtered by it, and every change emits
``person.consented`` or ``person.unconsented`` as SuperOffice does.

Consents belong to the object whose definition declares ``Behaviour.CONSENT``
(people); the ``consents`` field is written through the record service
(``RecordService.set_managed``), which checks it, applies the object's rules
and writes the event with the change.
"""

from __future__ import annotations

import uuid
from typing import Any

from rolodex.auth.schemas import Actor
from rolodex.consent import repository
from rolodex.kit import clock, decode
from rolodex.kit.db import Conn, Row
from rolodex.kit.errors import NotFound, ValidationError
from rolodex.kit.ids import parse_uuid, uuid7
from rolodex.kit.show import shown
from rolodex.metadata.model import Behaviour, ObjectDef
from rolodex.metadata.registry import Registry
from rolodex.records.service import RecordService

SETTING = "consent"
DEFAULTS = {
    "purposes": ["newsletter", "marketing-email", "sales-calls", "product-updates", "events"],
    # The lawful bases of GDPR article 6.
    "legalBases": [
        "consent",
        "contract",
        "legal-obligation",
        "vital-interests",
        "public-task",
        "legitimate-interest",
    ],
}
FIELDS = ("purpose", "legalBasis", "source", "comment")


def to_dict(row: Row) -> dict[str, Any]:
    return {
        "id": str(row["id"]),
        "personId": str(row["person_id"]),
        "purpose": row["purpose"],
        "legalBasis": row["legal_basis"],
        "source": row["source"],
        "comment": row["comment"],
        "recordedBy": decode.json(row["recorded_by"]),
        "givenAt": decode.iso(row["given_at"]),
        "withdrawnAt": decode.iso(row["withdrawn_at"]),
        "active": row["withdrawn_at"] is None,
    }


def _options(value: Any, field: str) -> list[str]:
    if (
        not isinstance(value, list)
        or not value
        or len(value) > 200
        or not all(isinstance(v, str) and 0 < len(v.strip()) <= 100 for v in value)
    ):
        raise ValidationError(f"{field} must be a list of 1 to 200 non-empty strings", field=field)
    return list(dict.fromkeys(v.strip() for v in value))


class ConsentService:
    """Consents of one workspace's people, on the caller's transaction."""

    def __init__(
        self,
        conn: Conn,
        registry: Registry,
        workspace_id: uuid.UUID,
        actor: Actor,
        records: RecordService | None = None,
    ) -> None:
        self.conn = conn
        self.registry = registry
        self.ws = workspace_id
        self.actor = actor
        self.records = records or RecordService(conn, registry, workspace_id, actor)

    async def options(self) -> dict[str, list[str]]:
        stored = await repository.get_setting(self.conn, self.ws, SETTING)
        return {**DEFAULTS, **(stored or {})}

    async def set_options(self, body: Any) -> dict[str, list[str]]:
        if not isinstance(body, dict) or set(body) - {"purposes", "legalBases"}:
            raise ValidationError("The body is {purposes: [...], legalBases: [...]}")
        current = await self.options()
        for key in ("purposes", "legalBases"):
            if key in body:
                current[key] = _options(body[key], key)
        await repository.put_setting(self.conn, self.ws, SETTING, current, clock.now())
        return current

    async def of_person(self, person_id: Any) -> list[dict[str, Any]]:
        person = await self._person(person_id)
        rows = await repository.for_person(self.conn, self.ws, uuid.UUID(person["id"]))
        return [to_dict(r) for r in rows]

    async def give(self, person_id: Any, body: Any) -> dict[str, Any]:
        """Give or change the consent for ``body.purpose``; a withdrawn one is given anew."""
        if not isinstance(body, dict):
            raise ValidationError("The body is {purpose, legalBasis, source?, comment?}")
        unknown = set(body) - set(FIELDS)
        if unknown:
            name = sorted(unknown)[0]
            raise ValidationError(
                f"Unknown field {shown(name)}; use {', '.join(FIELDS)}", field=name
            )
        options = await self.options()
        values = {k: body.get(k) for k in FIELDS}
        for key, allowed in (
            ("purpose", options["purposes"]),
            ("legalBasis", options["legalBases"]),
        ):
            if values[key] is None:
                raise ValidationError(
                    f"{key} is required: one of {', '.join(allowed)} (see "
                    "/rest/metadata/consent-options)",
                    field=key,
                    allowed=allowed,
                )
            if values[key] not in allowed:
                raise ValidationError(
                    f"{key} must be one of {', '.join(allowed)} (see "
                    f"/rest/metadata/consent-options); got {shown(values[key])}",
                    field=key,
                    allowed=allowed,
                )
        for key in ("source", "comment"):
            text = values[key]
            if text is not None and (not isinstance(text, str) or len(text) > 2000):
                raise ValidationError(
                    f"{key} must be a string of at most 2000 characters", field=key
                )
        person = await self._person(person_id, lock=True)
        pid = uuid.UUID(person["id"])
        existing = {r["purpose"]: r for r in await repository.for_person(self.conn, self.ws, pid)}
        row = existing.get(values["purpose"])
        now = clock.now()
        if row is None:
            cid = uuid7()
            await repository.insert(
                self.conn,
                {
                    "workspace_id": self.ws,
                    "id": cid,
                    "person_id": pid,
                    "purpose": values["purpose"],
                    "legal_basis": values["legalBasis"],
                    "source": values["source"],
                    "comment": values["comment"],
                    "recorded_by": self.actor.to_dict(),
                    "given_at": now,
                    "withdrawn_at": None,
                    "updated_at": now,
                },
            )
            changes, previous = [*FIELDS, "givenAt"], None
        else:
            before = to_dict(row)
            changes = [k for k in FIELDS if before[k] != values[k]]
            if row["withdrawn_at"] is not None:
                changes += ["givenAt", "withdrawnAt"]
            if not changes:
                return before
            previous = {k: before[k] for k in changes}
            cid = row["id"]
            await repository.update(
                self.conn,
                self.ws,
                cid,
                {
                    "legal_basis": values["legalBasis"],
                    "source": values["source"],
                    "comment": values["comment"],
                    "recorded_by": self.actor.to_dict(),
                    "given_at": now if row["withdrawn_at"] is not None else row["given_at"],
                    "withdrawn_at": None,
                    "updated_at": now,
                },
            )
        await self._emit(pid, "consented", changes, previous)
        return next(c for c in await self.of_person(pid) if c["purpose"] == values["purpose"])

    async def withdraw(self, person_id: Any, purpose: str, *, remove: bool) -> dict[str, Any]:
        """Withdraw a consent (kept, with withdrawnAt) or, with ``remove``, erase it."""
        person = await self._person(person_id, lock=True)
        pid = uuid.UUID(person["id"])
        rows = {r["purpose"]: r for r in await repository.for_person(self.conn, self.ws, pid)}
        row = rows.get(purpose)
        if row is None:
            raise NotFound(f"The person has no consent for {shown(purpose)}.", field="purpose")
        before = to_dict(row)
        if remove:
            await repository.delete(self.conn, self.ws, row["id"])
            await self._emit(pid, "unconsented", [*FIELDS], {k: before[k] for k in FIELDS})
            return {**before, "active": False, "removed": True}
        if row["withdrawn_at"] is None:
            await repository.update(
                self.conn,
                self.ws,
                row["id"],
                {"withdrawn_at": clock.now(), "updated_at": clock.now()},
            )
            await self._emit(pid, "unconsented", ["withdrawnAt"], {"withdrawnAt": None})
        return next(c for c in await self.of_person(pid) if c["purpose"] == purpose)

    # -- helpers ------------------------------------------------------------------
    def _object(self) -> ObjectDef:
        """The object consents are given on: the one declaring ``Behaviour.CONSENT``."""
        for obj in self.registry.objects.values():
            if Behaviour.CONSENT in obj.behaviours:
                return obj
        raise NotFound("No object takes consents in this workspace.")

    async def _person(self, person_id: Any, *, lock: bool = False) -> dict[str, Any]:
        obj = self._object()
        rid = parse_uuid(person_id)
        row = await self.records.repo(obj).get(rid, lock=lock)
        if row is None:
            raise NotFound(f"No {obj.name} with id {rid}.", field="id")
        return self.records.serialise(obj, row)

    async def _emit(
        self, pid: uuid.UUID, action: str, changes: list[str], previous: dict[str, Any] | None
    ) -> None:
        """Refresh the person's ``consents`` field, with the event, through the record service."""
        rows = await repository.for_person(self.conn, self.ws, pid)
        active = sorted(r["purpose"] for r in rows if r["withdrawn_at"] is None)
        await self.records.set_managed(
            self._object(),
            pid,
            {"consents": active},
            action=action,
            changes=changes,
            previous=previous,
        )
