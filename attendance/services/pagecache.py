"""The public pages' cache: shared (Redis) with a small per-process layer in front.

Each village has a version in the shared cache; a page is stored under a key
that includes it, so bumping the version (roster or absence changed)
invalidates every cached page of the village without racing a request that
is still rendering the old one. Reading the version from Redis on every hit
halved the cached page's throughput on this machine (bench/public_page.py), so
each process remembers a village's version for VERSION_TTL seconds and keeps
recent bodies in memory: another worker shows a change at most that late; the
process that made the change shows it at once.
"""

from __future__ import annotations

import time
import uuid
from collections import OrderedDict
from collections.abc import Callable

from django.core.cache import cache

VERSION_TTL = 2.0  # seconds another worker may show the page from before a change
BODY_TTL = 60  # seconds a rendered page is kept (clock-in and leave status stay fresh)
_LOCAL_LIMIT = 512

_versions: dict[str, tuple[float, str]] = {}
_bodies: OrderedDict[str, tuple[float, bytes]] = OrderedDict()


def _version_key(village_code: str) -> str:
    return f"duty-public-version:{village_code}"


def version(village_code: str) -> str:
    now = time.monotonic()
    hit = _versions.get(village_code)
    if hit is not None and now - hit[0] < VERSION_TTL:
        return hit[1]
    value = cache.get(_version_key(village_code)) or "0"
    _versions[village_code] = (now, value)
    return value


def bump(village_code: str) -> None:
    """Invalidate every cached public page of a village."""
    cache.set(_version_key(village_code), uuid.uuid4().hex, None)
    _versions.pop(village_code, None)


def clear_local() -> None:
    _versions.clear()
    _bodies.clear()


def get_or_build(key: str, build: Callable[[], bytes | str | None]) -> bytes | str | None:
    """The body under ``key``: from this process, the shared cache, or ``build()``."""
    now = time.monotonic()
    local = _bodies.get(key)
    if local is not None and now - local[0] < BODY_TTL:
        return local[1]
    body = cache.get(key)
    if body is None:
        body = build()
        if body is None:
            return None
        cache.set(key, body, BODY_TTL)
    _bodies[key] = (now, body)
    _bodies.move_to_end(key)
    while len(_bodies) > _LOCAL_LIMIT:
        _bodies.popitem(last=False)
    return body  # type: ignore[no-any-return]  # (the cache returns what was put)
