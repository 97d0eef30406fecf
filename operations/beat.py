"""Beat's scheduler, writing beat's heartbeat as it ticks (settings.CELERY_BEAT_SCHEDULER)."""

from __future__ import annotations

from typing import Any

from celery.beat import PersistentScheduler


class HeartbeatScheduler(PersistentScheduler):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from operations.services.heartbeats import BeatThrottle

        self._heartbeat = BeatThrottle()

    def tick(self, *args: Any, **kwargs: Any) -> float:
        self._heartbeat()
        # Tick at least every 30 s, so the heartbeat stays fresh between due entries.
        return min(super().tick(*args, **kwargs), 30.0)
