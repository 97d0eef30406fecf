"""One Redis client per process, for the coalescing marks of the task queue.

(The cache has its own connection through Django's cache framework; these marks,
"a drain is queued" and "a judge is queued", need ``SET NX``, which the cache API
does not offer.) Redis is an accelerator: every caller treats a failure here as
"no mark", and the database keeps the work that the mark only summarises.
"""

from __future__ import annotations

from functools import cache

#: seconds to wait for Redis before treating it as unreachable (a device is waiting)
CONNECT_TIMEOUT = 0.5
SOCKET_TIMEOUT = 1.0


@cache
def client(url: str):
    import redis

    return redis.Redis.from_url(
        url, socket_connect_timeout=CONNECT_TIMEOUT, socket_timeout=SOCKET_TIMEOUT
    )


def mark_set(url: str, key: str, ttl: int) -> bool:
    """Set ``key`` unless it exists (``SET NX EX``); True if this call set it."""
    return bool(client(url).set(key, 1, nx=True, ex=ttl))


def mark_clear(url: str, key: str) -> None:
    client(url).delete(key)


def queue_depth(url: str, queue: str = "celery") -> int:
    """Messages waiting in a Celery queue on Redis (kombu keeps one list per priority
    step: the queue's own name and ``<name>\\x06\\x16<step>``)."""
    keys = [queue] + [f"{queue}\x06\x16{step}" for step in range(1, 10)]
    with client(url).pipeline(transaction=False) as pipe:
        for key in keys:
            pipe.llen(key)
        return sum(int(n) for n in pipe.execute())
