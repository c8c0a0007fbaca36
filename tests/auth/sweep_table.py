"""The route sweep's table: for every route, the scope it needs and how to call it
with another workspace's ids (tests/auth/test_route_sweep.py).

Strings in calls are ``str.format`` templates over the victim workspace's ids
(``{person}``, ``{webhook}``, ...). ``expect`` is what the attacker must get:

- ``404``: not found, as if the id did not exist;
- ``refused``: a 4xx (the request names something the caller cannot see);
- ``absent``: any answer but a 5xx, as long as it holds none of the victim's data.

Every answer is also checked for the victim's ids and marker, whatever ``expect``.
A route found in the app but missing here fails the sweep: add it here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rolodex.auth.scopes import Scope

MARK = "zqxvmark"  # in every name the victim gives; never in the attacker's data

R, RW = Scope.RECORD_READ, Scope.RECORD_WRITE
M, MW = Scope.METADATA_READ, Scope.METADATA_WRITE
W, WW = Scope.WEBHOOK_READ, Scope.WEBHOOK_WRITE
K, KW = Scope.KEY_READ, Scope.KEY_WRITE
OP = Scope.WORKSPACE_ADMIN
# Operator routes: the attacker's ``all`` key is refused them all (403); the
# operator-only key is tried on an id no workspace has, so the victim is untouched.
NO_WS = "00000000-0000-7000-8000-000000000000"


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    body: Any = None
    params: dict[str, str] | None = None
    expect: str = "404"


# (plural, the victim's id of one of its records, a create body naming the victim's records)
OBJECTS: list[tuple[str, str, dict[str, Any]]] = [
    ("people", "person", {"name": "intruder", "companyId": "{company}", "ownerId": "{member}"}),
    ("companies", "company", {"name": "intruder", "ownerId": "{member}"}),
    (
        "notes",
        "note",
        {"title": "x", "personId": "{person}", "companyId": "{company}", "authorId": "{member}"},
    ),
    ("tasks", "task", {"title": "x", "personId": "{person}", "assigneeId": "{member}"}),
    ("members", "member", {"name": "intruder"}),
    ("{objects}", "thing", {"name": "intruder"}),  # the victim's custom object
]


# A field each object's records have, to update.
EDITS = {"people": "jobTitle", "notes": "title", "tasks": "title"}


def _records() -> dict[tuple[str, str], tuple[Scope | None, list[Call]]]:
    one, many = "/rest/{objects:objects}/{id}", "/rest/{objects:objects}"
    restore = one + "/restore"
    t: dict[tuple[str, str], tuple[Scope | None, list[Call]]] = {}

    def each(make: Any) -> list[Call]:
        return [make(plural, ident, body) for plural, ident, body in OBJECTS]

    t[("GET", one)] = (R, each(lambda p, i, b: Call("GET", f"/rest/{p}/{{{i}}}")))
    t[("GET", many)] = (
        R,
        [
            *each(
                lambda p, i, b: Call("GET", f"/rest/{p}", expect="404" if "{" in p else "absent")
            ),
            Call("GET", "/rest/people", params={"filter": "id[eq]:{person}"}, expect="absent"),
            Call("GET", "/rest/notes", params={"filter": "personId[eq]:{person}"}, expect="absent"),
        ],
    )
    t[("POST", many)] = (
        RW,
        each(
            lambda p, i, b: Call(
                "POST", f"/rest/{p}", b, expect="absent" if p == "members" else "refused"
            )
        ),
    )
    for method in ("PATCH", "PUT"):
        t[(method, one)] = (
            RW,
            each(
                lambda p, i, b, m=method: Call(m, f"/rest/{p}/{{{i}}}", {EDITS.get(p, "name"): "x"})
            ),
        )
    t[("DELETE", one)] = (
        RW,
        [
            *each(lambda p, i, b: Call("DELETE", f"/rest/{p}/{{{i}}}")),
            Call("DELETE", "/rest/people/{person}", params={"soft_delete": "true"}),
        ],
    )
    for method in ("PATCH", "POST"):
        t[(method, restore)] = (
            RW,
            [
                Call(method, "/rest/people/{gone}/restore"),
                *each(lambda p, i, b, m=method: Call(m, f"/rest/{p}/{{{i}}}/restore")),
            ],
        )
    t[("POST", "/rest/batch/{objects}")] = (
        RW,
        [Call("POST", f"/rest/batch/{p}", [b], expect="refused") for p, _, b in OBJECTS[:4]],
    )
    t[("PATCH", "/rest/batch/{objects}")] = (
        RW,
        [
            Call("PATCH", f"/rest/batch/{p}", [{"id": f"{{{i}}}", EDITS.get(p, "name"): "x"}])
            for p, i, _ in OBJECTS[:4]
        ],
    )
    t[("DELETE", "/rest/batch/{objects}")] = (
        RW,
        [
            *(Call("DELETE", f"/rest/batch/{p}", {"ids": [f"{{{i}}}"]}) for p, i, _ in OBJECTS[:4]),
            Call(
                "DELETE",
                "/rest/batch/people",
                {"filter": "id[eq]:{person}", "expectedCount": 1},
                expect="refused",
            ),
        ],
    )
    t[("GET", "/rest/{objects:objects}/duplicates")] = (
        R,
        each(
            lambda p, i, b: Call(
                "GET", f"/rest/{p}/duplicates", expect="404" if "{" in p else "absent"
            )
        ),
    )
    t[("POST", "/rest/{objects:objects}/merge")] = (
        RW,
        [
            Call(
                "POST",
                "/rest/people/merge",
                {"primaryId": "{person}", "duplicateIds": ["{gone}"]},
                expect="refused",
            ),
            Call(
                "POST",
                "/rest/companies/merge",
                {"primaryId": "{company}", "duplicateIds": ["{company}"]},
                expect="refused",
            ),
        ],
    )
    t[("GET", "/rest/{objects:objects}/aggregate")] = (
        R,
        [
            *each(
                lambda p, i, b: Call(
                    "GET", f"/rest/{p}/aggregate", expect="404" if "{" in p else "absent"
                )
            ),
            Call(
                "GET",
                "/rest/people/aggregate",
                params={"group_by": "companyId,jobTitle", "filter": "id[eq]:{person}"},
                expect="absent",
            ),
        ],
    )
    t[("GET", "/rest/{objects}/{id}/timeline")] = (
        R,
        each(lambda p, i, b: Call("GET", f"/rest/{p}/{{{i}}}/timeline", expect="absent")),
    )
    return t


def _others() -> dict[tuple[str, str], tuple[Scope | None, list[Call]]]:
    consents = "/rest/people/{id}/consents"
    objects, fields = "/rest/metadata/objects", "/rest/metadata/fields"
    hooks, hook = "/rest/webhooks", "/rest/webhooks/{id}"
    delivery = hook + "/deliveries/{delivery_id}"
    v2 = "/v2/webhooks/{webhook_id}"
    new_object = {"nameSingular": "sweepthing", "namePlural": "sweepthings"}
    target = {"targetUrl": "https://example.com/sweep"}
    ok = "absent"
    return {
        ("GET", "/rest/search"): (
            R,
            [
                Call("GET", "/rest/search", params={"query": MARK}, expect=ok),
                Call("GET", "/rest/search", params={"query": "secret"}, expect=ok),
            ],
        ),
        ("GET", consents): (R, [Call("GET", "/rest/people/{person}/consents")]),
        ("POST", consents): (
            RW,
            [
                Call(
                    "POST",
                    "/rest/people/{person}/consents",
                    {"purpose": "newsletter", "legalBasis": "consent"},
                )
            ],
        ),
        ("DELETE", consents + "/{purpose}"): (
            RW,
            [
                Call("DELETE", "/rest/people/{person}/consents/{purpose}"),
                Call("DELETE", "/rest/people/{person}/consents/{purpose}", params={"remove": "1"}),
            ],
        ),
        ("GET", "/rest/metadata/consent-options"): (
            M,
            [Call("GET", "/rest/metadata/consent-options", expect=ok)],
        ),
        **{
            (m, "/rest/metadata/consent-options"): (
                MW,
                [Call(m, "/rest/metadata/consent-options", {"purposes": ["newsletter"]}, None, ok)],
            )
            for m in ("PUT", "PATCH")
        },
        ("GET", objects): (M, [Call("GET", objects, expect=ok)]),
        ("POST", objects): (MW, [Call("POST", objects, new_object, expect=ok)]),
        ("GET", objects + "/{name}"): (
            M,
            [Call("GET", objects + "/{object}"), Call("GET", objects + "/{objects}")],
        ),
        ("PATCH", objects + "/{name}"): (
            MW,
            [Call("PATCH", objects + "/{object}", {"labelSingular": "x"})],
        ),
        ("DELETE", objects + "/{name}"): (MW, [Call("DELETE", objects + "/{object}")]),
        ("POST", objects + "/{name}/restore"): (
            MW,
            [Call("POST", objects + "/{object}/restore")],
        ),
        ("GET", "/rest/metadata/picklists"): (
            M,
            [Call("GET", "/rest/metadata/picklists", None, None, ok)],
        ),
        ("GET", fields): (
            M,
            [
                Call("GET", fields, expect=ok),
                Call("GET", fields, params={"objectName": "{object}"}, expect=ok),
            ],
        ),
        ("POST", fields): (
            MW,
            [
                Call(
                    "POST",
                    fields,
                    {"objectName": "{object}", "name": "x", "type": "TEXT"},
                    None,
                    "refused",
                )
            ],
        ),
        ("GET", fields + "/{id}"): (M, [Call("GET", fields + "/{field}")]),
        ("PATCH", fields + "/{id}"): (MW, [Call("PATCH", fields + "/{field}", {"label": "x"})]),
        ("DELETE", fields + "/{id}"): (
            MW,
            [
                Call("DELETE", fields + "/{field}"),
                Call("DELETE", fields + "/{field}", params={"purge": "true"}),
            ],
        ),
        ("POST", fields + "/{id}/restore"): (MW, [Call("POST", fields + "/{field}/restore")]),
        ("GET", "/rest/keys"): (K, [Call("GET", "/rest/keys", expect=ok)]),
        ("POST", "/rest/keys"): (KW, [Call("POST", "/rest/keys", {"name": "sweep"}, expect=ok)]),
        ("DELETE", "/rest/keys/{id}"): (KW, [Call("DELETE", "/rest/keys/{key}")]),
        ("GET", hooks): (W, [Call("GET", hooks, expect=ok)]),
        ("POST", hooks): (WW, [Call("POST", hooks, target, expect=ok)]),
        ("GET", hooks + "/event-types"): (W, [Call("GET", hooks + "/event-types", expect=ok)]),
        ("GET", hook): (W, [Call("GET", "/rest/webhooks/{webhook}")]),
        **{
            (m, hook): (WW, [Call(m, "/rest/webhooks/{webhook}", {"name": "x"})])
            for m in ("PATCH", "PUT")
        },
        ("DELETE", hook): (WW, [Call("DELETE", "/rest/webhooks/{webhook}")]),
        ("POST", hook + "/rotate-secret"): (
            WW,
            [Call("POST", "/rest/webhooks/{webhook}/rotate-secret")],
        ),
        ("GET", hook + "/deliveries"): (W, [Call("GET", "/rest/webhooks/{webhook}/deliveries")]),
        ("GET", delivery): (
            W,
            [
                Call("GET", "/rest/webhooks/{webhook}/deliveries/{delivery}"),
                Call("GET", "/rest/webhooks/{mine}/deliveries/{delivery}"),
            ],
        ),
        ("POST", delivery + "/resend"): (
            WW,
            [
                Call("POST", "/rest/webhooks/{webhook}/deliveries/{delivery}/resend"),
                Call("POST", "/rest/webhooks/{mine}/deliveries/{delivery}/resend"),
            ],
        ),
        ("POST", hook + "/recover"): (
            WW,
            [Call("POST", "/rest/webhooks/{webhook}/recover", {"since": "2020-01-01T00:00:00Z"})],
        ),
        ("POST", hook + "/test"): (WW, [Call("POST", "/rest/webhooks/{webhook}/test")]),
        ("GET", "/v2/webhooks"): (W, [Call("GET", "/v2/webhooks", expect=ok)]),
        ("POST", "/v2/webhooks"): (
            WW,
            [
                Call(
                    "POST",
                    "/v2/webhooks",
                    {"data": {"target_url": "https://example.com/v2", "subscriptions": []}},
                    expect=ok,
                )
            ],
        ),
        ("GET", v2): (W, [Call("GET", "/v2/webhooks/{webhook}")]),
        ("PATCH", v2): (
            WW,
            [Call("PATCH", "/v2/webhooks/{webhook}", {"data": {"subscriptions": []}})],
        ),
        ("DELETE", v2): (WW, [Call("DELETE", "/v2/webhooks/{webhook}")]),
        ("GET", "/rest/workspaces"): (OP, [Call("GET", "/rest/workspaces", expect="refused")]),
        ("POST", "/rest/workspaces"): (
            OP,
            [Call("POST", "/rest/workspaces", {"name": "sweep-ws"}, expect="refused")],
        ),
        **{
            (m, "/rest/workspaces/{id}"): (
                OP,
                [Call(m, f"/rest/workspaces/{NO_WS}", body, expect="refused")],
            )
            for m, body in (("GET", None), ("PATCH", {"status": "suspended"}), ("DELETE", None))
        },
        ("POST", "/rest/workspaces/{id}/keys"): (
            OP,
            [Call("POST", f"/rest/workspaces/{NO_WS}/keys", {"name": "x"}, expect="refused")],
        ),
        # Public, and holding no workspace's data unless a key is sent (then the caller's).
        ("GET", "/healthz"): (None, [Call("GET", "/healthz", expect=ok)]),
        ("GET", "/readyz"): (None, [Call("GET", "/readyz", expect=ok)]),
        ("GET", "/rest/docs"): (None, [Call("GET", "/rest/docs", expect=ok)]),
        ("GET", "/rest/open-api"): (None, [Call("GET", "/rest/open-api", expect=ok)]),
        ("GET", "/rest/openapi.json"): (None, [Call("GET", "/rest/openapi.json", expect=ok)]),
        # The landing and the pages' static files: the same for everyone, no data.
        ("GET", "/"): (None, [Call("GET", "/", expect=ok)]),
        ("GET", "/rest"): (None, [Call("GET", "/rest", expect=ok)]),
        ("GET", "/assets/{path:path}"): (None, [Call("GET", "/assets/pages.css", expect=ok)]),
    }


# Swept apart: GraphQL by its operations, the event stream by reading it.
SPECIAL = {("GET", "/graphql"), ("POST", "/graphql"), ("GET", "/rest/events/stream")}
STREAM_SCOPE = W
REST: dict[tuple[str, str], tuple[Scope | None, list[Call]]] = {**_records(), **_others()}


@dataclass(frozen=True)
class Op:
    scope: Scope
    args: str  # the field's arguments in GraphQL syntax, formatted like Call strings
    expect: str = "absent"  # or "refused": an error and no data for the field


def graphql_ops(objects: list[tuple[str, str]]) -> dict[str, Op]:
    """Root fields of Query and Mutation by name, for ``objects`` (singular, plural)."""
    bodies = {p: b for p, _, b in OBJECTS}
    ops: dict[str, Op] = {}
    for name, plural in objects:
        cap, cap_plural = name[:1].upper() + name[1:], plural[:1].upper() + plural[1:]
        standard = plural in bodies
        ident = f'"{{{name}}}"' if standard else '"{thing}"'
        body = bodies.get(plural, {"name": "intruder"})
        data = "{" + ", ".join(f'{k}: "{v}"' for k, v in body.items()) + "}"
        refused = "refused" if standard and plural != "members" else "absent"
        ops[plural] = Op(R, "")
        ops[name] = Op(R, f"(id: {ident})")
        ops[f"create{cap}"] = Op(RW, f"(data: {data})", refused)
        ops[f"create{cap_plural}"] = Op(RW, f"(data: [{data}])", refused)
        ops[f"batchCreate{cap_plural}"] = Op(RW, f"(data: [{data}])", refused)
        edit = EDITS.get(plural, "name")
        ops[f"{plural}GroupBy"] = Op(R, "(groupBy: [{createdAt: {granularity: DAY}}])")
        ops[f"update{cap}"] = Op(RW, f'(id: {ident}, data: {{{edit}: "x"}})', "refused")
        ops[f"{plural}Duplicates"] = Op(R, "")
        matching = f"filter: {{id: {{eq: {ident}}}}}"
        ops[f"update{cap_plural}"] = Op(RW, f'({matching}, data: {{{edit}: "x"}})')
        ops[f"delete{cap_plural}"] = Op(RW, f"({matching})")
        ops[f"destroy{cap_plural}"] = Op(RW, f"({matching})")
        ops[f"merge{cap_plural}"] = Op(
            RW, f"(primaryId: {ident}, duplicateIds: [{ident}])", "refused"
        )
        for verb in ("delete", "destroy", "softDelete", "restore"):
            ops[f"{verb}{cap}"] = Op(RW, f"(id: {ident})", "refused")
    hook, field, obj_name = '"{webhook}"', '"{field}"', '"{object}"'
    person = '"{person}"'
    ops.update(
        webhooks=Op(W, ""),
        webhook=Op(W, f"(id: {hook})"),
        createWebhook=Op(WW, '(data: {targetUrl: "https://example.com/gql"})'),
        updateWebhook=Op(WW, f'(id: {hook}, data: {{name: "x"}})', "refused"),
        deleteWebhook=Op(WW, f"(id: {hook})", "refused"),
        rotateWebhookSecret=Op(WW, f"(id: {hook})", "refused"),
        customFieldDefinitions=Op(M, ""),
        search=Op(R, f'(query: "{MARK}")'),
        createField=Op(
            MW, f'(data: {{objectName: {obj_name}, name: "x", type: "TEXT"}})', "refused"
        ),
        updateField=Op(MW, f'(id: {field}, data: {{label: "x"}})', "refused"),
        deleteField=Op(MW, f"(id: {field})", "refused"),
        restoreField=Op(MW, f"(id: {field})", "refused"),
        createObject=Op(MW, '(data: {nameSingular: "gqlthing", namePlural: "gqlthings"})'),
        updateObject=Op(MW, f'(name: {obj_name}, data: {{labelSingular: "x"}})', "refused"),
        deleteObject=Op(MW, f"(name: {obj_name})", "refused"),
        restoreObject=Op(MW, f"(name: {obj_name})", "refused"),
        personConsents=Op(R, f"(personId: {person})"),
        consentOptions=Op(M, ""),
        giveConsent=Op(
            RW,
            f'(personId: {person}, data: {{purpose: "newsletter", legalBasis: "consent"}})',
            "refused",
        ),
        withdrawConsent=Op(RW, f'(personId: {person}, purpose: "{{purpose}}")', "refused"),
        setConsentOptions=Op(MW, '(data: {purposes: ["newsletter"]})'),
        recordTimeline=Op(R, f'(object: "person", id: {person})'),
        metadata=Op(M, ""),
    )
    return ops
