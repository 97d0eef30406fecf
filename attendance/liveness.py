"""When each device was last heard from, without a database write per heartbeat.

Clocks poll every 10–30 s; writing ``last_seen_at`` on each poll would be a
commit per heartbeat for the whole city. Instead each process notes a device
in the shared cache at most every THROTTLE seconds, and a periodic task
(``attendance.devices_flush_liveness``) copies the cache into the database.
Readers take the later of the two.

Without the cache (Redis unreachable: ``TolerantRedisCache.degraded``) heartbeats
still answer, and liveness goes straight to the database instead, at most every
DB_THROTTLE seconds per device and process, so "silent device" stays true.
"""

from __future__ import annotations

import datetime as dt
import time

from django.core.cache import cache

from jinhu.core import clock

THROTTLE = 5.0  # seconds between cache writes for one device, per process
DB_THROTTLE = 60.0  # seconds between database writes for one device, without the cache
_noted: dict[int, float] = {}
_noted_db: dict[int, float] = {}


def _key(device_id: int) -> str:
    return f"device-seen:{device_id}"


def seen(device_id: int, *, when: dt.datetime | None = None) -> None:
    now = time.monotonic()
    if when is None and now - _noted.get(device_id, -THROTTLE) < THROTTLE:
        return
    _noted[device_id] = now
    moment = when or clock.now()
    cache.set(_key(device_id), moment.timestamp(), 14 * 24 * 3600)
    if getattr(cache, "degraded", False) and now - _noted_db.get(device_id, -DB_THROTTLE) >= (
        DB_THROTTLE
    ):
        from attendance.models import Device

        _noted_db[device_id] = now
        Device.objects.filter(pk=device_id).update(last_seen_at=moment)


def heard_within(device, seconds: float) -> bool:
    """Whether ``device`` was heard from in the last ``seconds`` (before this request)."""
    latest = last_seen([device])[device.pk]
    return latest is not None and (clock.now() - latest).total_seconds() <= seconds


def last_seen(devices) -> dict[int, dt.datetime | None]:
    """{device id: last heard} for Device rows, merging the cache and the database."""
    devices = list(devices)
    cached = cache.get_many([_key(d.pk) for d in devices]) if devices else {}
    result: dict[int, dt.datetime | None] = {}
    for device in devices:
        stamp = cached.get(_key(device.pk))
        from_cache = dt.datetime.fromtimestamp(stamp, tz=dt.UTC) if stamp else None
        candidates = [m for m in (device.last_seen_at, from_cache) if m is not None]
        result[device.pk] = max(candidates) if candidates else None
    return result


def flush() -> int:
    """Copy cached liveness into Device.last_seen_at (periodic; idempotent)."""
    from attendance.models import Device

    devices = list(Device.objects.exclude(status="rejected").only("pk", "last_seen_at"))
    latest = last_seen(devices)
    changed = []
    for device in devices:
        if latest[device.pk] and latest[device.pk] != device.last_seen_at:
            device.last_seen_at = latest[device.pk]
            changed.append(device)
    Device.objects.bulk_update(changed, ["last_seen_at"])
    return len(changed)


def clear_local() -> None:
    _noted.clear()
    _noted_db.clear()
