"""Company domains: what users paste (``https://www.Acme.com/about``) as one host name.

Normalising before storing is what makes a domain unique in practice:
``www.acme.com``, ``ACME.com.`` and ``https://acme.com:443/`` are one company.
"""

from __future__ import annotations

import re

_SCHEME = re.compile(r"^[a-z][a-z0-9+.\-]*://")
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_TLD = re.compile(r"^(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$")


def normalise_domain(text: str) -> str | None:
    """The host name ``text`` names, lowercase, without ``www.``; None if it names none.

    Strips surrounding space, a scheme (``https://``), user info, a path,
    query or fragment, a port and a trailing dot. Internationalised names are
    kept in Unicode, whichever form they came in (``xn--mnchen-3ya.de`` is
    stored as ``münchen.de``), so the two forms are one domain; each label
    must encode to a valid IDNA label, the whole name to at most 253
    characters, and the last label be letters (no IP addresses).
    """
    host = text.strip().lower()
    host = _SCHEME.sub("", host, count=1)
    host = re.split(r"[/?#]", host, maxsplit=1)[0]
    host = host.rsplit("@", 1)[-1]
    if ":" in host:
        host, _, port = host.partition(":")
        if not port.isdigit():
            return None
    host = host.rstrip(".")
    if host.startswith("www.") and host.count(".") >= 2:
        host = host[4:]
    labels = host.split(".")
    if len(labels) < 2:
        return None
    ascii_labels, shown_labels = [], []
    for label in labels:
        try:
            ascii_label = label if label.isascii() else label.encode("idna").decode("ascii")
            if not _LABEL.match(ascii_label):
                return None
            shown = ascii_label.encode().decode("idna") if "xn--" in ascii_label else ascii_label
        except UnicodeError:
            return None
        ascii_labels.append(ascii_label)
        shown_labels.append(shown.lower())
    if not _TLD.match(ascii_labels[-1]) or len(".".join(ascii_labels)) > 253:
        return None
    return ".".join(shown_labels)
