"""Consents in the OpenAPI document: a person's consents and the workspace's options.

The shapes follow consent/service.py.
"""

from __future__ import annotations

from rolodex.api.rest.openapi_common import (
    AUTH,
    BODY,
    BOOL_FLAG,
    TIME,
    UUID,
    Schema,
    closed,
    data,
    errors,
    nullable,
    ok,
    op,
    path_param,
    query,
    ref,
)
from rolodex.api.rest.openapi_metadata import one

CONSENT = "Consents"
READ, WRITE = "Needs scope `metadata:read`.", "Needs scope `metadata:read-write`."

_STRINGS: Schema = {
    "type": "array",
    "items": {"type": "string", "minLength": 1, "maxLength": 100, "pattern": r"\S"},
    "minItems": 1,
    "maxItems": 200,
}
CONSENT_OPTIONS: Schema = {
    "type": "object",
    "properties": {
        "purposes": {"type": "array", "items": {"type": "string"}},
        "legalBases": {"type": "array", "items": {"type": "string"}},
    },
    "required": ["purposes", "legalBases"],
}
CONSENT_OPTIONS_INPUT = closed({"purposes": _STRINGS, "legalBases": _STRINGS})
_NOTE: Schema = {"type": ["string", "null"], "maxLength": 2000}
CONSENT_INPUT = closed(
    {
        "purpose": {"type": "string", "description": "One of the workspace's purposes."},
        "legalBasis": {"type": "string", "description": "One of the workspace's legal bases."},
        "source": _NOTE,
        "comment": _NOTE,
    },
    ["purpose", "legalBasis"],
    description="`purpose` and `legalBasis` take the values of "
    "`GET /rest/metadata/consent-options`.",
)
CONSENT_OUT: Schema = {
    "type": "object",
    "properties": {
        "id": UUID,
        "personId": UUID,
        "purpose": {"type": "string"},
        "legalBasis": {"type": "string"},
        "source": {"type": ["string", "null"]},
        "comment": {"type": ["string", "null"]},
        "recordedBy": {"type": ["object", "null"]},
        "givenAt": nullable(TIME),
        "withdrawnAt": nullable(TIME),
        "active": {"type": "boolean"},
        "removed": {"type": "boolean"},
    },
    "required": ["id", "personId", "purpose", "legalBasis", "active"],
}


def consent_schemas() -> dict[str, Schema]:
    return {
        "ConsentOptions": CONSENT_OPTIONS,
        "ConsentOptionsInput": CONSENT_OPTIONS_INPUT,
        "ConsentInput": CONSENT_INPUT,
        "Consent": CONSENT_OUT,
    }


def consent_paths() -> dict[str, Schema]:
    person = path_param("id", UUID, "The person's id.")
    options = op(
        CONSENT,
        "setConsentOptions",
        "Set the purposes and legal bases",
        {"200": one("consentOptions", "ConsentOptions"), **errors(*BODY)},
        "Those left out keep their values. " + WRITE,
        ref("ConsentOptionsInput"),
    )
    return {
        "/rest/metadata/consent-options": {
            "get": op(
                CONSENT,
                "getConsentOptions",
                "The purposes and legal bases consents may name",
                {"200": one("consentOptions", "ConsentOptions"), **errors(*AUTH)},
                READ,
            ),
            "put": options,
            "patch": {**options, "operationId": "updateConsentOptions"},
        },
        "/rest/people/{id}/consents": {
            "parameters": [person],
            "get": op(
                CONSENT,
                "listConsents",
                "A person's consents",
                {
                    "200": ok(data("consents", {"type": "array", "items": ref("Consent")})),
                    **errors(*AUTH, 404),
                },
                "Needs scope `record:read`.",
            ),
            "post": op(
                CONSENT,
                "giveConsent",
                "Give or change a consent",
                {"201": one("consent", "Consent", "Recorded"), **errors(*BODY, 404)},
                "A withdrawn consent for the same purpose is given anew. "
                "Needs scope `record:read-write`.",
                ref("ConsentInput"),
            ),
        },
        "/rest/people/{id}/consents/{purpose}": {
            "parameters": [person, path_param("purpose", {"type": "string"})],
            "delete": op(
                CONSENT,
                "withdrawConsent",
                "Withdraw a consent",
                {"200": one("consent", "Consent"), **errors(*AUTH, 404)},
                "Kept, with `withdrawnAt`; `remove=true` erases it instead. "
                "Needs scope `record:read-write`.",
                parameters=[query("remove", BOOL_FLAG, "Erase the consent.")],
            ),
        },
    }
