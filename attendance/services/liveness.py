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
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.core.cache import cache

from jinhu.core import clock

if TYPE_CHECKING:
    from attendance.models import Device

THROTTLE = 5.0  # seconds between cache writes for one device, per process
DB_THROTTLE = 60.0  # seconds between database writes for one device, without the cache
_noted: dict[int, tuple[float, bool]] = {}
_noted_db: dict[int, float] = {}


def _key(device_id: int) -> str:
    return f"device-seen:{device_id}"


def seen(device_id: int, *, when: dt.datetime | None = None, upload: bool = False) -> None:
    """Note that the device was heard from: by a poll (heartbeat), or by an ``upload``.

    What the last contact was matters to clock-skew detection: a clock in real-time
    mode polls while idle and posts each punch as it happens, so an upload that
    follows a poll is real-time, while uploads back to back (or after a silence) are
    a backlog (``follows_poll``). Polls are throttled per process; a change of kind is
    written at once.
    """
    now = time.monotonic()
    last = _noted.get(device_id)
    if when is None and last is not None and last[1] == upload and now - last[0] < THROTTLE:
        return
    _noted[device_id] = (now, upload)
    moment = when or clock.now()
    cache.set(_key(device_id), (moment.timestamp(), upload), 14 * 24 * 3600)
    if getattr(cache, "degraded", False) and now - _noted_db.get(device_id, -DB_THROTTLE) >= (
        DB_THROTTLE
    ):
        from attendance.models import Device

        _noted_db[device_id] = now
        Device.objects.filter(pk=device_id).update(last_seen_at=moment)


def _stamp(value: object) -> tuple[float, bool | None] | None:
    if value is None:
        return None
    if isinstance(value, tuple):
        return value[0], value[1]
    if isinstance(value, int | float):
        return float(value), None  # (written by an earlier version: a bare timestamp)
    return None


def follows_poll(device: Device, within: float) -> bool:
    """Whether the device's last contact, at most ``within`` seconds ago, was a poll.

    Unknown (no cache) is False: only uploads known to be real-time are measured. An
    upload this process noted a moment ago answers without asking the cache (a backlog
    arrives as uploads back to back).
    """
    last = _noted.get(device.pk)
    if last is not None and last[1] and time.monotonic() - last[0] < THROTTLE:
        return False
    stamp = _stamp(cache.get(_key(device.pk)))
    if stamp is None or stamp[1] is not False:
        return False
    return clock.now().timestamp() - stamp[0] <= within


def last_seen(devices: Iterable[Device]) -> dict[int, dt.datetime | None]:
    """{device id: last heard} for Device rows, merging the cache and the database."""
    devices = list(devices)
    cached = cache.get_many([_key(d.pk) for d in devices]) if devices else {}
    result: dict[int, dt.datetime | None] = {}
    for device in devices:
        stamp = _stamp(cached.get(_key(device.pk)))
        from_cache = dt.datetime.fromtimestamp(stamp[0], tz=dt.UTC) if stamp else None
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
