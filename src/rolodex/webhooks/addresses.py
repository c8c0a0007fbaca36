"""Which IP addresses webhooks may connect to: explicit ranges, IPv4 found inside IPv6.

Refusals go by an explicit list of ranges (private, loopback, link-local,
shared CGNAT, multicast, reserved, benchmarking, documentation, unique- and
site-local, transition prefixes), not by ``ipaddress``'s ``is_global`` alone,
whose answers differ between Python versions (``fec0::/10`` and
``64:ff9b::/96`` count as global). An IPv6 address that spells an IPv4 one
(IPv4-mapped, -compatible, -translated, NAT64 ``64:ff9b::/96``) is judged as
that IPv4 address; 6to4, Teredo and local-use NAT64 prefixes are refused
whole, since they tunnel to an IPv4 address the caller chose. Anything the
list misses and ``is_global`` also calls non-public is refused too.

``ROLODEX_WEBHOOK_ALLOW_PRIVATE=1`` allows every address; a comma-separated
list of CIDRs allows those ranges (matched against the address and any IPv4
inside it). It is read on every check.
"""

from __future__ import annotations

import ipaddress
import os
import re
import socket

IP = ipaddress.IPv4Address | ipaddress.IPv6Address
Net = ipaddress.IPv4Network | ipaddress.IPv6Network

_DENIED: list[tuple[Net, str]] = [
    (ipaddress.ip_network(net), kind)
    for net, kind in (
        ("0.0.0.0/8", "a 'this network'"),
        ("10.0.0.0/8", "a private"),
        ("100.64.0.0/10", "a shared (CGNAT)"),
        ("127.0.0.0/8", "a loopback"),
        ("169.254.0.0/16", "a link-local"),
        ("172.16.0.0/12", "a private"),
        ("192.0.0.0/24", "an IETF protocol"),
        ("192.0.2.0/24", "a documentation"),
        ("192.88.99.0/24", "a 6to4 relay"),
        ("192.168.0.0/16", "a private"),
        ("198.18.0.0/15", "a benchmarking"),
        ("198.51.100.0/24", "a documentation"),
        ("203.0.113.0/24", "a documentation"),
        ("224.0.0.0/4", "a multicast"),
        ("240.0.0.0/4", "a reserved"),
        ("::/128", "an unspecified"),
        ("::1/128", "a loopback"),
        ("64:ff9b:1::/48", "a local-use NAT64"),
        ("100::/64", "a discard-only"),
        ("2001::/32", "a Teredo"),
        ("2001::/23", "an IETF protocol"),
        ("2001:db8::/32", "a documentation"),
        ("2002::/16", "a 6to4"),
        ("3fff::/20", "a documentation"),
        ("5f00::/16", "a segment routing"),
        ("fc00::/7", "a unique-local"),
        ("fe80::/10", "a link-local"),
        ("fec0::/10", "a site-local"),
        ("ff00::/8", "a multicast"),
    )
]
# IPv6 forms that are only another spelling of an IPv4 address (its low 32 bits).
_SPELLINGS = [
    ipaddress.IPv6Network(n) for n in ("::ffff:0:0/96", "::ffff:0:0:0/96", "::/96", "64:ff9b::/96")
]
_LOCAL_NAT64 = ipaddress.IPv6Network("64:ff9b:1::/48")
# inet_aton's forms: 1 to 4 parts, each decimal, octal (leading 0) or hex (0x).
_ATON = re.compile(r"^(0x[0-9a-f]*|[0-9]+)(\.(0x[0-9a-f]*|[0-9]+)){0,3}$", re.IGNORECASE)


def parse_literal(host: str) -> IP | None:
    """The address a URL's host names literally, in any form a C resolver reads.

    ``[::1]``, ``169.254.169.254``, and the forms ``inet_aton`` accepts:
    ``2852039166``, ``0xa9fea9fe``, ``0251.0376.0251.0376``, ``169.254.43518``.
    """
    host = host.strip("[]")
    try:
        return ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        pass
    if _ATON.match(host):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            return None
    return None


def embedded_ipv4(ip: IP) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses inside an IPv6 one (mapped, translated, NAT64, 6to4, Teredo)."""
    if isinstance(ip, ipaddress.IPv4Address):
        return []
    found: list[ipaddress.IPv4Address] = []
    low = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if _spelled(ip) is not None or ip in _LOCAL_NAT64:
        found.append(low)
    if ip.sixtofour is not None:
        found.append(ip.sixtofour)
    if ip.teredo is not None:
        found.extend(ip.teredo)
    return found


def _allowance() -> tuple[bool, list[Net]]:
    raw = os.environ.get("ROLODEX_WEBHOOK_ALLOW_PRIVATE", "").strip()
    if raw.lower() in ("1", "true", "yes", "all", "*"):
        return True, []
    nets: list[Net] = []
    for part in raw.split(","):
        if part.strip():
            try:
                nets.append(ipaddress.ip_network(part.strip(), strict=False))
            except ValueError:
                continue  # a typo must not open everything; it opens nothing
    return False, nets


def _kind(ip: IP) -> str | None:
    """What the denied range ``ip`` is in is called ("a private"), or None."""
    for net, kind in _DENIED:
        if ip.version == net.version and ip in net:
            return kind
    return None


def _spelled(ip: IP) -> ipaddress.IPv4Address | None:
    spelled = isinstance(ip, ipaddress.IPv6Address) and int(ip) > 1
    if spelled and any(ip in net for net in _SPELLINGS):
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def refusal(address: str) -> str | None:
    """Why webhooks may not connect to ``address``, or None if they may."""
    ip = parse_literal(address)
    if ip is None:
        return f"{address!r} is not an IP address"
    inner = embedded_ipv4(ip)
    everything, nets = _allowance()
    candidates = (ip, *inner)
    if everything or any(a in n for a in candidates for n in nets if a.version == n.version):
        return None
    judged: IP = _spelled(ip) or ip
    kind = _kind(ip) or (_kind(judged) if judged is not ip else None)
    if kind is None and not judged.is_global:
        kind = "a non-public"
    if kind is None:
        return None
    shown = f"{ip} ({', '.join(str(a) for a in inner)})" if inner else str(ip)
    return (
        f"{shown} is {kind} address; webhooks may not reach it "
        "(set ROLODEX_WEBHOOK_ALLOW_PRIVATE to allow it)"
    )
