"""Thin Celery tasks for the duty system: ids and dates in, one service call each.

Every task is safe to run twice (claims, unique keys, recomputation), so
``acks_late`` is on and a worker killed mid-task loses nothing.
"""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.db import OperationalError

from attendance import liveness
from attendance.services import devices, ingest, outcomes, rosters
from villages.models import Village

RETRY = {
    "autoretry_for": (OperationalError,),
    "retry_backoff": True,
    "retry_jitter": True,
    "max_retries": 5,
}


@shared_task(name="attendance.slots_extend_horizon")
def slots_extend_horizon() -> int:
    """Nightly: keep every village's duty slots materialised weeks ahead."""
    return rosters.slots_extend_horizon()


@shared_task(name="attendance.request_parse", **RETRY)
def request_parse(request_id: int) -> dict | None:
    """Parse one stored device request (one task per request, never per event)."""
    result = ingest.request_parse(request_id)
    return result.as_dict() if result else None


@shared_task(name="attendance.attlog_drain", **RETRY)
def attlog_drain() -> int:
    """Parse every pending ZKTeco ATTLOG upload, many per statement (PostgreSQL)."""
    return ingest.attlog_drain()


@shared_task(name="attendance.requests_parse_stragglers")
def requests_parse_stragglers() -> int:
    """Safety net: requests stored but never parsed (a lost task) are parsed now."""
    from django.db import connection

    from attendance.models import DeviceRequest

    if connection.vendor == "postgresql":
        ingest.attlog_drain()
    ids = list(
        DeviceRequest.objects.unparsed()
        .filter(device__status="active")
        .values_list("pk", flat=True)[:1000]
    )
    for pk in ids:
        ingest.request_parse(pk)
    return len(ids)


@shared_task(name="attendance.outcomes_judge", **RETRY)
def outcomes_judge(village_id: int, days: list[str]) -> dict | None:
    village = Village.objects.filter(pk=village_id).first()
    if village is None:
        return None
    return outcomes.outcomes_judge(village, [dt.date.fromisoformat(d) for d in days])


@shared_task(name="attendance.outcomes_judge_dirty", **RETRY)
def outcomes_judge_dirty(village_id: int) -> dict | None:
    """Judge the days marked dirty for a village (coalesces floods of uploads)."""
    return outcomes.outcomes_judge_dirty(village_id)


@shared_task(name="attendance.outcomes_judge_recent")
def outcomes_judge_recent() -> int:
    liveness.flush()
    return outcomes.outcomes_judge_recent()


@shared_task(name="attendance.devices_flush_liveness")
def devices_flush_liveness() -> int:
    return liveness.flush()


@shared_task(name="attendance.commands_retry_stale")
def commands_retry_stale() -> int:
    return devices.commands_retry_stale()


@shared_task(name="attendance.reconciliation_queue")
def reconciliation_queue() -> int:
    """Nightly: ask every active clock for yesterday's count (VERIFY SUM ATTLOG)."""
    return devices.reconciliation_queue_all()
