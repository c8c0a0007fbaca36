"""Flat fields and their composite twins, kept equal on every write.

A person's ``email`` is its ``emails.primaryEmail``, ``phone`` its
``phones`` (number, with the calling code when there is one), a company's
``domain`` the host of ``domainName.primaryLinkUrl`` and ``address`` its
``postalAddress`` on one line. Objects declare the pairs
(``ObjectDef.mirrors``, metadata/standard.py). Writing the composite sets the
flat field; writing the flat field sets the composite's part and keeps its
other parts; writing both, they must agree.
"""

from __future__ import annotations

from typing import Any

from rolodex.kit.domains import normalise_domain
from rolodex.kit.errors import ValidationError
from rolodex.kit.show import shown
from rolodex.metadata.fieldtypes import kind
from rolodex.metadata.fieldtypes.address import one_line
from rolodex.metadata.model import Mirror, ObjectDef


def _flat(m: Mirror, value: Any) -> Any:
    """The flat value a composite value stands for."""
    if not isinstance(value, dict):
        return None
    if m.form == "phone":
        number, calling = value.get("primaryPhoneNumber"), value.get("primaryPhoneCallingCode")
        if number and calling and not number.startswith("+"):
            return f"{calling} {number}"
        return number
    if m.form == "domain":
        url = value.get("primaryLinkUrl")
        if not url:
            return None
        host = normalise_domain(url)
        if host is None:
            raise ValidationError(
                f"{m.composite}.primaryLinkUrl must be a link to a domain such as "
                f"https://acme.com, got {shown(url)}",
                field=f"{m.composite}.primaryLinkUrl",
            )
        return host
    if m.form == "address":
        return one_line(value)
    return value.get(m.part)


def _composite(m: Mirror, flat: Any, current: Any) -> Any:
    """The composite value after the flat one was written (other parts kept)."""
    cur = dict(current) if isinstance(current, dict) else {}
    if m.form == "phone":
        cur.update(
            primaryPhoneNumber=flat, primaryPhoneCountryCode=None, primaryPhoneCallingCode=None
        )
        cur.setdefault("additionalPhones", [])
        return cur
    if m.form == "domain":
        cur.update(primaryLinkUrl=None if flat is None else f"https://{flat}")
        cur.setdefault("primaryLinkLabel", None)
        cur.setdefault("secondaryLinks", [])
        return cur
    if m.form == "address":
        if flat is None:
            return None
        return {
            "addressStreet1": flat,
            "addressStreet2": None,
            "addressCity": None,
            "addressPostcode": None,
            "addressState": None,
            "addressCountry": None,
            "addressLat": None,
            "addressLng": None,
        }
    cur[m.part] = flat
    return cur


def apply(obj: ObjectDef, values: dict[str, Any], current: dict[str, Any] | None) -> None:
    """Make a write's flat and composite values agree (``current``: the record, on update)."""
    for m in obj.mirrors:
        has_flat, has_comp = m.flat in values, m.composite in values
        if has_comp:
            flat = _flat(m, values[m.composite])
            if has_flat and values[m.flat] != flat:
                raise ValidationError(
                    f"{m.flat} ({shown(values[m.flat])}) must agree with {m.composite} "
                    f"({shown(flat)}); send one of them",
                    field=m.flat,
                )
            values[m.flat] = flat
        elif has_flat:
            old = (current or {}).get(m.composite)
            made = _composite(m, values[m.flat], old)
            f = obj.fields[m.composite]
            # Through the type's check: the parts not set are there, empty.
            values[m.composite] = None if made is None else kind(f).validate(f, made)
