"""Consent errors say what is needed, never "got None"."""

from __future__ import annotations

import httpx
from tests import factories
from tests.api.test_errors import check_error


def test_a_missing_legal_basis_is_required_not_none(client: httpx.Client) -> None:
    p = factories.person(client)
    url = f"/rest/people/{p['id']}/consents"
    for body, field in (
        ({"purpose": "newsletter"}, "legalBasis"),
        ({"purpose": "newsletter", "legalBasis": None}, "legalBasis"),
        ({"legalBasis": "consent"}, "purpose"),
    ):
        err = check_error(client.post(url, json=body), 400)
        assert err["field"] == field
        assert "None" not in err["message"] and f"{field} is required" in err["message"], err
        assert "consent" in err["allowed"] or "newsletter" in err["allowed"]
    err = check_error(
        client.post(url, json={"purpose": "newsletter", "legalBasis": ["x"] * 500}), 400
    )
    assert "None" not in err["message"] and len(err["message"]) < 300
    err = check_error(
        client.post(url, json={"purpose": "newsletter", "legalBasis": "consent", "x" * 5000: 1}),
        400,
    )
    assert len(err["message"]) < 300
