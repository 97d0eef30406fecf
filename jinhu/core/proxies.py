"""The client's address, believed only from proxies we run.

``X-Forwarded-For`` is a list anyone can write; each proxy appends (or, at the edge,
overwrites it with) the address *it* saw. So the list is read right to left, and only
while the hop that wrote an entry is one of ours: the rightmost address that is not a
trusted proxy is the client. A request that does not come from a trusted proxy is the
client itself, whatever its headers claim.

Pure functions, no Django: the middleware (``jinhu.core.middleware``) applies them once
per request, and everything else (login throttling, audit, device admission) reads
``REMOTE_ADDR`` afterwards.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address

#: hops read at most (a longer chain is a forged one)
MAX_HOPS = 16


def networks(values: Iterable[str]) -> tuple[Network, ...]:
    """``["10.0.0.5", "172.31.240.0/24", "::1"]`` as networks (a bare address is a /32 or
    /128). A value that is not an address is an error: a typo here must not open the door."""
    parsed = []
    for value in values:
        text = value.strip()
        if not text:
            continue
        try:
            parsed.append(ipaddress.ip_network(text, strict=False))
        except ValueError:
            raise ValueError(f"not an address or network: {text!r}") from None
    return tuple(parsed)


def parse_address(text: str) -> Address | None:
    """An address as proxies write it: ``1.2.3.4``, ``1.2.3.4:5678``, ``::1``,
    ``[2001:db8::1]:443``; None for anything else (``unknown``, names, garbage)."""
    text = text.strip().strip('"')
    if text.startswith("["):
        text = text[1:].split("]", 1)[0]
    elif text.count(":") == 1:
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    mapped = getattr(address, "ipv4_mapped", None)
    return mapped or address


def is_trusted(address: Address | None, trusted: tuple[Network, ...]) -> bool:
    return address is not None and any(address in network for network in trusted)


def client_address(peer: str, forwarded_for: str | None, trusted: tuple[Network, ...]) -> str:
    """The address of the client, given the direct peer and ``X-Forwarded-For``.

    - peer not a trusted proxy: the peer (the header is ignored);
    - otherwise the rightmost entry that is not a trusted proxy;
    - an entry that is not an address stops the walk: the hop that wrote it is the
      last one we can vouch for, so its address is used (never nothing);
    - every entry trusted (or no header): the leftmost trusted hop.
    """
    current = parse_address(peer)
    if not is_trusted(current, trusted) or not forwarded_for:
        return str(current) if current is not None else peer
    hops = [part for part in forwarded_for.split(",") if part.strip()][-MAX_HOPS:]
    for entry in reversed(hops):
        address = parse_address(entry)
        if address is None:
            break
        current = address
        if not is_trusted(address, trusted):
            break
    return str(current)
