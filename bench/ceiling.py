"""The ceiling: a bare Starlette endpoint returning one fixed person, as Rolodex would.

No database, no authentication, no routing beyond one path. Whatever this
reaches with one granian worker is the most a Python endpoint can do on the
machine, and bench/rest.py reports Rolodex's figures as a ratio of it.

Serve it from the repository root with:
    granian --interface asgi --workers 1 bench.ceiling:app
"""

from __future__ import annotations

from typing import Any

import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

_ACTOR = {"type": "apiKey", "id": "01a20256-a8c6-7030-af39-2cbc66d42bf1", "name": "first key"}

# The same fields, and about the same size, as Rolodex's GET /rest/people/{id}.
PERSON: dict[str, Any] = {
    "data": {
        "person": {
            "id": "01a20256-b67a-7020-949b-7b13fd7933fa",
            "name": "Ada Lovelace",
            "firstName": "Ada",
            "lastName": "Lovelace",
            "email": "ada.lovelace@example.com",
            "phone": "+44 20 7946 0000",
            "jobTitle": "Engineer",
            "location": "London",
            "tags": ["vip"],
            "companyId": "01a20256-b688-7007-9539-35cbe31359b9",
            "ownerId": None,
            "createdAt": "2026-11-22T08:19:26.970Z",
            "updatedAt": "2026-11-22T08:19:26.970Z",
            "deletedAt": None,
            "createdBy": _ACTOR,
            "updatedBy": _ACTOR,
        }
    }
}


async def person(request: Request) -> Response:
    # Serialised per request, as a real endpoint must.
    return Response(orjson.dumps(PERSON), media_type="application/json")


app = Starlette(routes=[Route("/person", person, methods=["GET"])])
