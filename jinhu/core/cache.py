"""Django's Redis cache, degraded instead of failing when Redis is unreachable.

The cache only accelerates: the public duty page is rebuilt from the database,
liveness falls back to the database, device lookups are memoised in process.
With the stock backend a Redis outage turned every one of those into a 500
(the resident's page, the device panel, heartbeats). Here a failed call logs
once, answers as a miss (``get`` → default, ``add`` → False, writes dropped),
and for ``RETRY_AFTER`` seconds the backend does not try Redis at all, so a
stopped server costs no timeout per request. ``degraded`` tells callers (the
liveness fallback) that writes are currently being dropped.
"""

from __future__ import annotations

import logging
import time
from functools import wraps
from typing import Any

from django.core.cache.backends.redis import RedisCache

log = logging.getLogger(__name__)

#: seconds after a failure during which Redis is not tried again (per process)
RETRY_AFTER = 5.0

_FALLBACK: dict[str, Any] = {
    "add": False,
    "get": None,
    "set": None,
    "touch": False,
    "delete": False,
    "get_many": {},
    "has_key": False,
    "set_many": [],
    "delete_many": None,
    "clear": None,
}


def _tolerant(name: str):
    method = getattr(RedisCache, name)

    @wraps(method)
    def call(self, *args, **kwargs):
        fallback = _FALLBACK[name]
        if name == "get":
            fallback = kwargs.get("default", args[1] if len(args) > 1 else None)
        if time.monotonic() < self._down_until:
            return fallback
        try:
            return method(self, *args, **kwargs)
        except Exception as exc:  # redis.RedisError, OSError: whatever the client raises
            if not self.degraded:
                log.warning(
                    "cache unavailable (%s: %s); serving without it", type(exc).__name__, exc
                )
            self._down_until = time.monotonic() + RETRY_AFTER
            return fallback

    return call


class TolerantRedisCache(RedisCache):
    _down_until = 0.0

    @property
    def degraded(self) -> bool:
        """Whether the last attempt failed recently (writes are being dropped)."""
        return time.monotonic() < self._down_until

    def reset(self) -> None:
        """Try Redis again at the next call (tests, and after an operator fixed it)."""
        self._down_until = 0.0


for _name in _FALLBACK:
    setattr(TolerantRedisCache, _name, _tolerant(_name))
