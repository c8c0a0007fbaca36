"""Signatures on real deliveries, checked by the standardwebhooks package and by the seed's
Node.js verification code run with ``node``."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import shutil
import subprocess
from typing import Any

import httpx
import pytest
from standardwebhooks import Webhook as StandardWebhook

from tests import factories
from tests.webhooks.helpers import make_hook
from tests.webhooks.receiver import Receiver, Reply, Request

NODE = shutil.which("node")

# Seed 001's validateWebhookSignature with its TypeScript annotations removed, and seed
# 004's example signature (which signs a double-encoded string), side by side.
NODE_SCRIPT = r"""
const crypto = require('crypto');

function validateWebhookSignature(req, secret) {
  const signature = req.headers['x-twenty-webhook-signature'];
  const timestamp = req.headers['x-twenty-webhook-timestamp'];
  const payload = JSON.stringify(req.body);

  const stringToSign = `${timestamp}:${payload}`;
  const computedSignature = crypto
    .createHmac('sha256', secret)
    .update(stringToSign)
    .digest('hex');

  return crypto.timingSafeEqual(
    Buffer.from(signature),
    Buffer.from(computedSignature)
  );
}

function seed004Signature(req, secret) {
  const timestamp = req.headers['x-twenty-webhook-timestamp'];
  const payload = JSON.stringify(req.body);
  const stringToSign = `${timestamp}:${JSON.stringify(payload)}`;
  return crypto.createHmac("sha256", secret).update(stringToSign).digest("hex");
}

const cases = JSON.parse(require('fs').readFileSync(0, 'utf8'));
const out = cases.map(({headers, raw, secret}) => {
  const req = {headers, body: JSON.parse(raw)};  // what express.json() hands a handler
  return {
    valid: validateWebhookSignature(req, secret),
    seed004: seed004Signature(req, secret) === headers['x-twenty-webhook-signature'],
  };
});
process.stdout.write(JSON.stringify(out));
"""


def run_node(cases: list[dict[str, Any]]) -> list[dict[str, bool]]:
    assert NODE is not None
    done = subprocess.run(
        [NODE, "-e", NODE_SCRIPT],
        input=json.dumps(cases).encode(),
        capture_output=True,
        timeout=30,
        check=True,
    )
    return list(json.loads(done.stdout))


def standard_secret(secret: str) -> str:
    """The secret to give a Standard Webhooks library (user secrets are raw UTF-8 keys)."""
    if secret.startswith("whsec_"):
        return secret
    return "whsec_" + base64.b64encode(secret.encode()).decode()


def twenty_ok(req: Request, secret: str, header: str = "X-Twenty-Webhook-Signature") -> bool:
    ts = req.header("X-Twenty-Webhook-Timestamp") or ""
    mac = hmac.new(secret.encode(), ts.encode() + b":" + req.body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(mac, req.header(header) or "")


JOB = "Ingénieure ☕ \u2028 <b>&</b>"
NAME = 'Zoë 😀 Ünïcødé — 東京 "quoted" \\ </script> \u2028 end'


def test_every_scheme_verifies(client: httpx.Client) -> None:
    def respond(req: Request, _n: int) -> Reply:
        first = sum(1 for r in rx.requests if r.path == req.path) == 1
        return Reply(500) if req.path.endswith("/superoffice") and first else Reply()

    with Receiver(respond) as rx:
        hooks = {
            "rolodex": make_hook(client, f"{rx.url}/rolodex", operations=["person.*"]),
            "twenty": make_hook(
                client,
                f"{rx.url}/twenty",
                operations=["person.*"],
                format="twenty",
                secret="your-secret",
            ),
            "superoffice": make_hook(
                client,
                f"{rx.url}/superoffice",
                operations=["person.changed", "person.created"],
                format="superoffice",
                name="Name you provided",
            ),
        }
        secrets = {k: h["secret"] for k, h in hooks.items()}
        person = factories.person(client, name=NAME, tags=["naïve", "🎉"])
        client.patch(f"/rest/people/{person['id']}", json={"jobTitle": JOB})
        requests = rx.wait_for(7)  # 2 + 2 + 2 and one failed superoffice attempt
        cases = []
        for req in requests:
            fmt = req.path.rsplit("/", 1)[-1]
            secret = secrets[fmt]
            headers = {k.lower(): v for k, v in req.headers.items()}
            StandardWebhook(standard_secret(secret)).verify(req.body, headers)
            assert twenty_ok(req, secret)
            assert len(req.header("X-Twenty-Webhook-Timestamp") or "") == 13  # milliseconds
            assert req.header("User-Agent") == "Rolodex-Webhooks/0.1.0"
            assert req.header("webhook-id") == req.header("X-Rolodex-Event-Id")
            cases.append({"headers": headers, "raw": req.body.decode(), "secret": secret})
        if NODE is not None:
            results = run_node(cases)
            assert all(r["valid"] for r in results), results
            assert not any(r["seed004"] for r in results)  # seed 004's example is wrong

        by = {fmt: [r for r in requests if r.path.endswith(fmt)] for fmt in hooks}
        created = by["rolodex"][0].json()
        assert created["data"]["name"] == person["name"]
        assert created["data"]["tags"] == ["naïve", "🎉"]
        assert "Zoë 😀 Ünïcødé — 東京".encode() in by["rolodex"][0].body  # unescaped UTF-8
        assert by["rolodex"][1].json()["data"]["jobTitle"] == JOB

        twenty = [r.json() for r in by["twenty"]]
        assert twenty[0]["eventName"] == "person.created"
        # Twenty's own record shape: name in parts (records/twenty.py).
        assert twenty[0]["record"]["name"] == {
            "firstName": person["firstName"],
            "lastName": person["lastName"],
        }
        assert twenty[1]["updatedFields"] == ["jobTitle"]
        assert twenty[0]["targetUrl"] == f"{rx.url}/twenty"
        assert twenty[0]["objectMetadata"]["nameSingular"] == "person"

        so = by["superoffice"]
        assert len(so) == 3 and so[0].body == so[1].body  # a retry sends the same bytes
        assert so[0].header("X-Superoffice-Signature") == so[1].header("X-Superoffice-Signature")
        for req in so:
            assert req.header("Content-Type") == "application/json; charset=utf-8"
            expected = base64.b64encode(
                hmac.new(secrets["superoffice"].encode(), req.body, hashlib.sha256).digest()
            ).decode()
            assert req.header("X-Superoffice-Signature") == expected
            body = req.json()
            assert req.header("X-Superoffice-Event") == body["Event"]
            assert req.header("X-Superoffice-Eventid") == body["EventId"]
            assert body["WebhookName"] == "Name you provided"
        assert [r.json()["Event"] for r in so[1:]] == ["person.created", "person.changed"]
        assert so[2].json()["Changes"] == ["jobTitle"]


def test_rotation_signs_with_both_secrets(client: httpx.Client) -> None:
    with Receiver() as rx:
        h = make_hook(client, rx.url, operations=["person.created"], secret="old-secret")
        r = client.post(f"/rest/webhooks/{h['id']}/rotate-secret")
        new = r.json()["data"]["rotateWebhookSecret"]["secret"]
        factories.person(client, name="After rotation")
        (req,) = rx.wait_for(1)
        headers = {k.lower(): v for k, v in req.headers.items()}
        assert len(headers["webhook-signature"].split(" ")) == 2
        StandardWebhook(new).verify(req.body, headers)
        StandardWebhook(standard_secret("old-secret")).verify(req.body, headers)
        assert twenty_ok(req, new)
        assert twenty_ok(req, "old-secret", "X-Twenty-Webhook-Signature-Previous")
        with pytest.raises(Exception, match="signature"):
            StandardWebhook(standard_secret("wrong")).verify(req.body, headers)


@pytest.mark.skipif(NODE is None, reason="node is not installed, so seed 001's code cannot run")
def test_node_is_used() -> None:
    """The Node.js check above really ran (it is skipped only when node is missing)."""
    assert run_node([]) == []
