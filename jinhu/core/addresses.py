"""Whether a URL points at this machine only (a loopback or unspecified host): such an
address printed on a poster opens nothing on a resident's phone."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit


def is_local_only(url: str) -> bool:
    """True for an empty URL, ``localhost``, a loopback or an unspecified address."""
    host = (urlsplit(url).hostname or "").strip("[]").lower()
    if not host or host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False  # a name: resolvable from the residents' phones, we must assume
    return address.is_loopback or address.is_unspecified
