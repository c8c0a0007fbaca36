"""The Python client's ``search``, sync and async."""

from __future__ import annotations

from rolodex import AsyncClient, Client
from tests.conftest import LiveServer


def test_client_search(server: LiveServer, api_key: str) -> None:
    with Client(api_key, server.url, backoff=0.01) as rdx:
        ada = rdx.people.create(name="Ada Lovelace")
        rdx.companies.create(name="Lovelace Labs")
        hits = rdx.search("lov", objects=["people"], limit=5)
        assert [(h["object"], h["id"], h["label"]) for h in hits] == [
            ("people", ada["id"], "Ada Lovelace")
        ]
        assert {h["label"] for h in rdx.search("lovelace")} == {"Ada Lovelace", "Lovelace Labs"}

    import asyncio

    async def main() -> list[str]:
        async with AsyncClient(api_key, server.url, backoff=0.01) as arx:
            return [h["label"] for h in await arx.search("labs", objects="companies")]

    assert asyncio.run(main()) == ["Lovelace Labs"]
