"""Bodies: JSON exactly as JavaScript writes it, and the three formats."""

from __future__ import annotations

import json
import random
import shutil
import struct
import subprocess

import pytest

from rolodex.webhooks.payloads import canonical, js_dumps, js_number, render, superoffice, twenty

NODE = shutil.which("node")
needs_node = pytest.mark.skipif(NODE is None, reason="node is not installed")


def node_roundtrip(texts: list[str]) -> list[str]:
    """JSON.stringify(JSON.parse(text)) for each text, run by Node.js."""
    script = (
        "const input = JSON.parse(require('fs').readFileSync(0, 'utf8'));"
        "process.stdout.write(JSON.stringify(input.map(t => JSON.stringify(JSON.parse(t)))));"
    )
    out = subprocess.run(
        [str(NODE), "-e", script],
        input=json.dumps(texts).encode(),
        capture_output=True,
        check=True,
        timeout=30,
    )
    return list(json.loads(out.stdout))


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (1.0, "1"),
        (-0.0, "0"),
        (1e21, "1e+21"),
        (1e20, "100000000000000000000"),
        (1e-7, "1e-7"),
        (1.5e-7, "1.5e-7"),
        (0.000001, "0.000001"),
        (123.456, "123.456"),
        (2.5e-300, "2.5e-300"),
        (1.7976931348623157e308, "1.7976931348623157e+308"),
        (float("nan"), "null"),
        (float("inf"), "null"),
    ],
)
def test_numbers_as_javascript_prints_them(value: float, text: str) -> None:
    assert js_number(value) == text


def test_documents_are_compact_utf8_and_ordered_like_javascript() -> None:
    doc = {"b": 1.0, "2": "two", "a": [1e21, "é😀\u2028"], "1": None, "big": 2**60}
    text = js_dumps(doc).decode()
    assert text == '{"1":null,"2":"two","b":1,"a":[1e+21,"é😀\u2028"],"big":1152921504606847000}'


@needs_node
def test_javascript_round_trip_gives_back_the_same_bytes() -> None:
    rng = random.Random(7)
    docs: list[object] = [
        {"name": 'Zoë 😀 "quoted" \\ back\nslash\t\u0001', "n": 1.0, "m": -0.0},
        {"floats": [0.1, 1e21, 1e-7, 5e-324, 123456789012345680000.0, 1.5, 2**53 + 2.0]},
        {"ints": [2**53 - 1, 2**53 + 1, -(2**63), 10**20]},
        {"10": 1, "9": 2, "x": {"0": [], "01": {}, "4294967295": 1}},
        ["\u2028\u2029", "\x7f", "</script>", "日本語"],
    ]
    for _ in range(300):
        bits = struct.unpack("d", struct.pack("Q", rng.getrandbits(64)))[0]
        docs.append({"v": bits, "w": rng.random() * 10 ** rng.randint(-25, 25)})
    texts = [js_dumps(d).decode() for d in docs]
    assert node_roundtrip(texts) == texts


EVENT = {
    "id": "0190f7a4-0000-7000-8000-000000000001",
    "type": "person.updated",
    "object_name": "person",
    "record_id": "0190f7a4-0000-7000-8000-0000000000aa",
    "occurred_at": "2025-10-31T10:30:45.123Z",
    "actor": {"type": "apiKey", "id": "k1", "name": "zapier"},
    "record": {"id": "0190f7a4-0000-7000-8000-0000000000aa", "name": "Ada", "email": "a@x.io"},
    "changes": ["email"],
    "previous": {"email": "old@x.io"},
}
HOOK = {"id": "h1", "workspace_id": "w1", "name": "CRM sync", "target_url": "https://x.io/h"}


def test_canonical_is_twentys_shape_plus_context() -> None:
    data = {**EVENT["record"], "company": {"id": "c1", "name": "Acme"}}
    body = canonical(EVENT, HOOK, "person.changed", data)
    assert list(body)[:3] == ["event", "data", "timestamp"]
    assert body["event"] == "person.changed"
    assert body["data"]["company"] == {"id": "c1", "name": "Acme"}
    assert body["eventId"] == EVENT["id"]
    assert body["previous"] == {"email": "old@x.io"}
    assert body["webhookName"] == "CRM sync"


def test_twenty_format() -> None:
    body = twenty(EVENT, HOOK, "person.updated", "obj-1")
    assert list(body) == [
        "targetUrl",
        "eventName",
        "objectMetadata",
        "workspaceId",
        "webhookId",
        "eventDate",
        "record",
        "userId",
        "workspaceMemberId",
        "updatedFields",
    ]
    assert body["objectMetadata"] == {"id": "obj-1", "nameSingular": "person"}
    assert body["updatedFields"] == ["email"]
    created = twenty({**EVENT, "previous": None}, HOOK, "person.created", "obj-1")
    assert "updatedFields" not in created


def test_superoffice_format_has_values_only_on_delete() -> None:
    body = superoffice(EVENT, HOOK, "person.changed")
    assert list(body) == [
        "EventId",
        "Timestamp",
        "Changes",
        "Event",
        "PrimaryKey",
        "Entity",
        "ContextIdentifier",
        "ChangedByAssociateId",
        "WebhookName",
    ]
    deleted = superoffice(EVENT, HOOK, "person.deleted")
    assert list(deleted)[3] == "Values"
    assert deleted["Values"]["email"] == "a@x.io"


def test_render_is_stable_bytes() -> None:
    one = render("rolodex", EVENT, HOOK, "person.updated")
    two = render("rolodex", EVENT, HOOK, "person.updated")
    assert one == two
    assert json.loads(one)["event"] == "person.updated"


def test_the_parts_an_events_webhooks_share_are_the_same_bytes() -> None:
    """Fan-out writes an event's record, actor, changes and previous values once for
    all of its webhooks (``shared``): each body is byte for byte what it is alone."""
    data = {**EVENT["record"], "score": 1.5e-7, "10": "x", "2": None, "company": {"id": "c1"}}
    hooks = [HOOK, {**HOOK, "id": "h2", "name": "Other"}, {**HOOK, "id": "h3"}]
    shared: dict[str, object] = {}
    for hook in hooks:
        for name in ("person.updated", "person.changed"):
            alone = render("rolodex", EVENT, hook, name, data=data)
            assert render("rolodex", EVENT, hook, name, data=data, shared=shared) == alone
            assert json.loads(alone)["webhookId"] == hook["id"]
    assert set(shared) == {"data", "actor", "changes", "previous"}
    other = {**data, "name": "Grace"}  # another event's record in the same memo
    assert render("rolodex", EVENT, HOOK, "x", data=other, shared=shared) == render(
        "rolodex", EVENT, HOOK, "x", data=other
    )
