"""One Redis client per process, for the coalescing marks of the task queue.

(The cache has its own connection through Django's cache framework; these marks —
"a drain is queued", "these days need judging" — need SET NX and sets, which the
cache API does not offer.) Only used when ``REDIS_URL`` is configured.
"""

from __future__ import annotations

from functools import cache


@cache
def redis_client():
    import redis
    from django.conf import settings

    return redis.Redis.from_url(settings.REDIS_URL)
