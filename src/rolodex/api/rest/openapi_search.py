"""``GET /rest/search`` in the OpenAPI document."""

from __future__ import annotations

from rolodex.api.rest.openapi_common import AUTH, UUID, Schema, data, errors, ok, op, query, ref
from rolodex.search.service import DEFAULT_LIMIT, MAX_LIMIT
from rolodex.search.text import MAX_QUERY

SEARCH_HIT: Schema = {
    "type": "object",
    "description": "A record that matches, best first.",
    "properties": {
        "object": {"type": "string", "description": "The object's plural name (`people`)."},
        "objectNameSingular": {"type": "string", "description": "Its singular (`person`)."},
        "id": UUID,
        "label": {"type": "string", "description": "What names the record (a name, a title)."},
        "score": {"type": "number", "description": "Higher is better; compare within a result."},
    },
    "required": ["object", "objectNameSingular", "id", "label", "score"],
}


def search_schemas() -> dict[str, Schema]:
    return {"SearchHit": SEARCH_HIT}


def search_paths() -> dict[str, Schema]:
    page = {
        "type": "object",
        "properties": {"hasNextPage": {"type": "boolean"}},
        "required": ["hasNextPage"],
    }
    body = data("search", {"type": "array", "items": ref("SearchHit")}, pageInfo=page)
    return {
        "/rest/search": {
            "get": op(
                "Search",
                "search",
                "Search records across objects",
                {"200": ok(body), **errors(*AUTH)},
                "Ranked hits over names, emails, domains, job titles, note and task text, "
                "custom objects' names and custom text fields marked `isSearchable`. Every "
                "word of `query` must begin a word of the record, ignoring case and accents "
                "(`lov` finds Lovelace, `zoe` finds Zoë). Needs scope `record:read`.",
                parameters=[
                    query(
                        "query",
                        {"type": "string", "minLength": 1, "maxLength": MAX_QUERY},
                        "The words to find; it must hold a letter or digit.",
                        required=True,
                    ),
                    query(
                        "objects",
                        {"type": "string"},
                        "Comma-separated objects to search (`people,companies`); all by default.",
                    ),
                    query(
                        "limit",
                        {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT},
                        f"At most this many hits (default {DEFAULT_LIMIT}).",
                    ),
                ],
            )
        }
    }
