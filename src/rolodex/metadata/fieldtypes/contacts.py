"""EMAILS, PHONES and LINKS: a primary value and a list of others, as Twenty writes them."""

from __future__ import annotations

from rolodex.metadata.fieldtypes.composite import (
    CompositeKind,
    Sub,
    _Bad,
    email,
    list_of,
    list_sub,
    phone,
    record_of,
    text,
    text_sub,
    url,
)
from rolodex.metadata.model import FieldType

_CALLING = "+33"


def calling_code(value: object) -> str | None:
    """``+33``: a plus and one to four digits (an ITU calling code)."""
    out = text(value)
    out = out.strip() if out else out
    if not out:
        return None
    if not (out.startswith("+") and out[1:].isdigit() and 1 <= len(out) - 1 <= 4):
        raise _Bad("a calling code such as +33")
    return out


def country(value: object) -> str | None:
    """``FR``: two letters (ISO 3166-1 alpha-2), upper-cased."""
    out = text(value)
    out = out.strip().upper() if out else out
    if not out:
        return None
    if len(out) != 2 or not out.isascii() or not out.isalpha():
        raise _Bad("a two-letter country code such as FR")
    return out


class EmailsKind(CompositeKind):
    type = FieldType.EMAILS
    subs = {
        "primaryEmail": text_sub("ada@example.com", email),
        "additionalEmails": list_sub(
            list_of(email, "email addresses"),
            {"type": "string"},
            ["ada.lovelace@example.org"],
        ),
    }
    primary = "primaryEmail"
    graphql_name = "Emails"
    graphql_filter = ("EmailsFilter", None)


_PHONE_ITEM = record_of(
    {"number": phone, "countryCode": country, "callingCode": calling_code},
    "an object {number, countryCode, callingCode}",
)


class PhonesKind(CompositeKind):
    type = FieldType.PHONES
    subs = {
        "primaryPhoneNumber": text_sub("612345678", phone),
        "primaryPhoneCountryCode": text_sub("FR", country),
        "primaryPhoneCallingCode": text_sub(_CALLING, calling_code),
        "additionalPhones": list_sub(
            list_of(_PHONE_ITEM, "phones {number, countryCode, callingCode}"),
            {
                "type": "object",
                "properties": {
                    "number": {"type": ["string", "null"]},
                    "countryCode": {"type": ["string", "null"]},
                    "callingCode": {"type": ["string", "null"]},
                },
            },
            [],
        ),
    }
    primary = "primaryPhoneNumber"
    graphql_name = "Phones"
    graphql_filter = ("PhonesFilter", None)


_LINK_ITEM = record_of({"url": url, "label": text}, "an object {url, label}")


class LinksKind(CompositeKind):
    type = FieldType.LINKS
    subs = {
        "primaryLinkUrl": text_sub("https://example.com", url),
        "primaryLinkLabel": text_sub("Example"),
        "secondaryLinks": list_sub(
            list_of(_LINK_ITEM, "links {url, label}"),
            {
                "type": "object",
                "properties": {
                    "url": {"type": ["string", "null"]},
                    "label": {"type": ["string", "null"]},
                },
            },
            [],
        ),
    }
    primary = "primaryLinkUrl"
    graphql_name = "Links"
    graphql_filter = ("LinksFilter", None)


__all__ = ["EmailsKind", "LinksKind", "PhonesKind", "Sub"]
