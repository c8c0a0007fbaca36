"""Attio's Python SDK (``attio`` on PyPI), unchanged, against a real server's /v2.

Webhook CRUD through the SDK's own methods and models, its typed errors
parsed from our 4xx answers, and a receiver written the way Attio's guide
says verifying what the SDK-created webhook is sent.
"""

from __future__ import annotations

import hashlib
import hmac

import pytest

from tests import factories
from tests.conftest import LiveServer
from tests.webhooks.receiver import Receiver

attio_sdk = pytest.importorskip("attio")
from attio import SDK, errors  # noqa: E402


def sdk(server: LiveServer, key: str) -> SDK:
    # No retries: a test must see the first answer.
    return SDK(oauth2=key, server_url=server.url, retry_config=None)


def test_webhook_crud_and_typed_errors(server: LiveServer, api_key: str) -> None:
    client = sdk(server, api_key)
    with Receiver() as rx, factories.http(server.url, api_key) as rest:
        created = client.webhooks.post_v2_webhooks(
            data={
                "target_url": rx.url,
                "subscriptions": [
                    {
                        "event_type": "record.created",
                        "filter": {
                            "$and": [
                                {"field": "id.object_id", "operator": "equals", "value": "people"}
                            ]
                        },
                    }
                ],
            }
        ).data
        hook_id = created.id.webhook_id
        assert created.status == "active"
        assert created.subscriptions[0].event_type == "record.created"
        secret = created.secret

        got = client.webhooks.get_v2_webhooks_webhook_id_(webhook_id=hook_id).data
        assert got.target_url == rx.url and got.id.workspace_id == created.id.workspace_id
        listed = client.webhooks.get_v2_webhooks(limit=10, offset=0).data
        assert [h.id.webhook_id for h in listed] == [hook_id]

        # The receiver works unchanged: Attio's body, Attio's signature.
        ada = factories.person(rest, name="Ada Lovelace")
        factories.company(rest, name="Acme")  # filtered out by the object filter
        (req,) = rx.wait_for(1)
        expected = hmac.new(secret.encode(), req.body, hashlib.sha256).hexdigest()
        assert req.header("Attio-Signature") == expected
        event = req.json()["events"][0]
        assert req.json()["webhook_id"] == hook_id
        assert event["event_type"] == "record.created" and event["id"]["record_id"] == ada["id"]

        patched = client.webhooks.patch_v2_webhooks_webhook_id_(
            webhook_id=hook_id,
            data={
                "subscriptions": [
                    {"event_type": "note.created", "filter": None},
                    {"event_type": "task.deleted", "filter": None},
                ]
            },
        ).data
        assert [s.event_type for s in patched.subscriptions] == ["note.created", "task.deleted"]

        # A 400 is the SDK's typed validation error, parsed from our body.
        with pytest.raises(errors.PostV2WebhooksValidationTypeError) as bad:
            client.webhooks.post_v2_webhooks(
                data={"target_url": "ftp://example.com/x", "subscriptions": []}
            )
        assert bad.value.data.status_code == 400
        assert bad.value.data.type == "invalid_request_error"
        assert bad.value.data.code == "validation_type"
        assert "target_url" in bad.value.data.message

        # Attio's uniqueness rule, as its typed 409.
        with pytest.raises(errors.PostV2WebhooksUniquenessConflictError) as taken:
            client.webhooks.post_v2_webhooks(
                data={
                    "target_url": rx.url,
                    "subscriptions": [{"event_type": "note.created", "filter": None}],
                }
            )
        assert taken.value.data.code == "uniqueness_conflict"

        client.webhooks.delete_v2_webhooks_webhook_id_(webhook_id=hook_id)
        # 404s are typed too, on get, patch and delete.
        with pytest.raises(errors.GetV2WebhooksWebhookIDNotFoundError) as missing:
            client.webhooks.get_v2_webhooks_webhook_id_(webhook_id=hook_id)
        assert missing.value.data.code == "not_found"
        assert missing.value.data.status_code == 404
        with pytest.raises(errors.PatchV2WebhooksWebhookIDNotFoundError):
            client.webhooks.patch_v2_webhooks_webhook_id_(webhook_id=hook_id, data={})
        with pytest.raises(errors.DeleteV2WebhooksWebhookIDNotFoundError):
            client.webhooks.delete_v2_webhooks_webhook_id_(webhook_id=hook_id)


def test_unauthenticated_is_an_sdk_error_with_attio_body(server: LiveServer) -> None:
    with pytest.raises(errors.SDKError) as failed:
        sdk(server, "not-a-key").webhooks.get_v2_webhooks()
    assert failed.value.status_code == 401
    body = failed.value.raw_response.json()
    assert (body["type"], body["code"]) == ("auth_error", "unauthorized")
