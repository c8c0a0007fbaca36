"""A write whose answer is lost is repeated under one Idempotency-Key and lands once.

Against the live server: a transport that delivers the request and then loses
its answer (a read timeout after the server replied), so the client repeats it.
"""

from __future__ import annotations

import httpx

from rolodex import Client
from tests.client.scripted import Reply, Scripted, error
from tests.conftest import LiveServer


class LoseFirstAnswer(httpx.HTTPTransport):
    """Sends every request; throws away the answer to the first write."""

    def __init__(self) -> None:
        super().__init__()
        self.lost = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = super().handle_request(request)
        if request.method == "POST" and self.lost == 0:
            response.read()
            self.lost += 1
            raise httpx.ReadTimeout("answer lost", request=request)
        return response


def test_a_create_whose_answer_was_lost_lands_once(server: LiveServer, api_key: str) -> None:
    transport = LoseFirstAnswer()
    with Client(api_key, server.url, backoff=0.01, transport=transport) as c:
        created = c.people.create(name="Ada Lovelace")
        assert transport.lost == 1
        people = c.people.list(filter="name[eq]:Ada Lovelace")
    assert [p["id"] for p in people] == [created["id"]]


def test_a_repeat_that_finds_the_first_attempt_running_waits() -> None:
    in_flight = error(409, "IDEMPOTENCY_KEY_IN_FLIGHT", "still in progress")
    created = Reply(201, {"data": {"createPerson": {"id": "p1", "name": "Ada"}}})
    unavailable = error(503, "UNAVAILABLE", "try later")
    with (
        Scripted(unavailable, in_flight, created) as srv,
        Client("k", srv.url, backoff=0.01) as c,
    ):
        assert c.people.create(name="Ada")["id"] == "p1"
    assert len({seen.headers.get("Idempotency-Key") for seen in srv.seen}) == 1
    assert len(srv.seen) == 3
