"""Thin Celery tasks for the duty system: ids and dates in, one service call each.

Every task is safe to run twice (row-lock claims committed with their rows, unique
keys, recomputation), so ``acks_late`` is on. A task that dies half-way (a killed
worker, a lost database connection) rolls its transaction back and leaves its work
in the database, where ``ingest_sweep`` finds it within a minute: every minute from
beat, and whenever a worker connects to the broker (``jinhu/celery.py``).
``tests/devices/test_faults.py`` proves it.
"""

from __future__ import annotations

import datetime as dt

from celery import shared_task

from attendance.services import devices, liveness, outcomes, rosters
from attendance.services.ingest import parse
from jinhu.core import queue

RETRY = queue.retrying(5)


@shared_task(name="attendance.slots_extend_horizon")
def slots_extend_horizon() -> int:
    """Nightly: keep every village's duty slots materialised weeks ahead."""
    return rosters.slots_extend_horizon()


@shared_task(name="attendance.request_parse", **RETRY)
def request_parse(request_id: int) -> dict | None:
    """Parse one stored device request (one task per request, never per event)."""
    result = parse.request_parse(request_id)
    return result.as_dict() if result else None


@shared_task(name="attendance.attlog_drain", **RETRY)
def attlog_drain() -> int:
    """Parse every pending ZKTeco ATTLOG upload, many per statement (PostgreSQL)."""
    queue.started("attlog-drain")
    return parse.attlog_drain()


@shared_task(name="attendance.ingest_sweep", **RETRY)
def ingest_sweep(grace_seconds: int = 20) -> dict:
    """Stored but unparsed requests, and marked but unjudged days: done now.

    Beat's minutely run leaves the last ``grace_seconds`` to the tasks queued for them;
    a worker that just connected passes 0 (whatever is stored is its to do).
    """
    return parse.ingest_sweep(grace=dt.timedelta(seconds=grace_seconds))


@shared_task(name="attendance.outcomes_judge_pending", **RETRY)
def outcomes_judge_pending(village_id: int) -> dict | None:
    """Judge the days marked for a village (coalesces floods of uploads)."""
    queue.started(f"judge:{village_id}")
    return outcomes.outcomes_judge_pending(village_id)


@shared_task(name="attendance.outcomes_judge_recent")
def outcomes_judge_recent() -> int:
    liveness.flush()
    return outcomes.outcomes_judge_recent()


@shared_task(name="attendance.devices_flush_liveness")
def devices_flush_liveness() -> int:
    return liveness.flush()


@shared_task(name="attendance.devices_expire_pending")
def devices_expire_pending() -> int:
    return devices.devices_expire_pending()


@shared_task(name="attendance.commands_retry_stale")
def commands_retry_stale() -> int:
    return devices.commands_retry_stale()


@shared_task(name="attendance.reconciliation_queue")
def reconciliation_queue() -> int:
    """Nightly: ask every active clock for yesterday's count (VERIFY SUM ATTLOG)."""
    return devices.reconciliation_queue_all()


@shared_task(name="attendance.requests_archive")
def requests_archive() -> dict:
    """Nightly: raw device requests past their keeping age go to the archive folder."""
    from pathlib import Path

    from django.conf import settings

    from attendance.services import retention

    before = retention.cutoff(months=settings.JINHU_DEVICE_REQUEST_KEEP_MONTHS)
    return retention.archive_expired(Path(settings.JINHU_ARCHIVE_DIR), before=before).as_dict()


@shared_task(name="attendance.promise_refresh_year")
def promise_refresh_year() -> int:
    """Just after midnight: the current year's duty-promise counts, as of the new day
    (slots excused in advance count from their day on)."""
    from attendance.services.tallies import promise_refresh
    from jinhu.core import clock

    return promise_refresh(years=[clock.today().year])
