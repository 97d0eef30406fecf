"""Parsing stored requests: one at a time (any protocol), in batches (ATTLOG on
PostgreSQL), and the sweep that makes sure nothing stored stays unparsed."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import connection, transaction

from attendance.core.protocols import Malformed, decode, hikvision, zkteco
from attendance.models import Device, DeviceRequest
from attendance.services.ingest import attlog_sql, claim
from attendance.services.ingest.records import Context, ParseResult
from attendance.services.ingest.writes import rows_write
from attendance.services.outcomes import outcomes_judge_later
from jinhu.core import clock

log = logging.getLogger(__name__)

#: uploads per set-based statement (500-line uploads: 50,000 lines)
DRAIN_BATCH = 100
#: the sweep leaves requests younger than this to the task queued for them
SWEEP_GRACE = dt.timedelta(seconds=20)
#: requests parsed one by one per sweep (the rest wait for the next minute)
SWEEP_LIMIT = 2000

_TEXT_PARSERS: dict[str, Callable[[str], list[Any]]] = {
    "attlog": zkteco.parse_attlog,
    "operlog": zkteco.parse_operlog,
    "rtlog": zkteco.parse_rtlog,
}


def request_parse(request_id: int, *, replay: bool = False) -> ParseResult | None:
    """Parse one stored request into rows, in one transaction with its claim.

    Returns None when there is nothing to do (parsed already, being parsed by
    another worker, refused, or its device is no longer active). Safe to run
    twice and to replay: every row is keyed.
    """
    with transaction.atomic():
        stored = claim.claim_one(request_id, replay=replay)
        if stored is None:
            return None
        claim.no_flush_wait()
        device = stored.device
        assert device is not None  # (claim_one takes requests of registered devices)
        records = _records(stored)
        ctx = Context.of(stored, device)
        result = rows_write(ctx, records)
        note_clock_offset(device, stored.clock_offset)
        claim.finish(stored, result, replay=replay)
        outcomes_judge_later(ctx.village_id, result.days)
    return result


def _records(stored: DeviceRequest) -> list[Any]:
    """The request's body as protocol records (a body that is no event: one malformed)."""
    body = bytes(stored.body)
    if stored.kind == "hik_event":
        stored.encoding = "utf-8"
        try:
            return hikvision.parse(
                stored.headers.get("CONTENT_TYPE", ""),
                body,
                keep_pictures=settings.JINHU_DEVICE_KEEP_PICTURES,
            )
        except hikvision.BodyError as exc:
            return [Malformed(1, body[:500].decode("utf-8", "replace"), str(exc))]
    text, stored.encoding = decode(body)
    parsed: list[Any] = _TEXT_PARSERS[stored.kind](text)
    return parsed


def note_clock_offset(device: Device, offset: int | None) -> None:
    """The device panel shows the clock offset its latest real-time upload measured."""
    if offset is not None and offset != device.clock_skew_seconds:
        Device.objects.filter(pk=device.pk).update(clock_skew_seconds=offset)
        device.clock_skew_seconds = offset


def attlog_drain() -> int:
    """Parse every pending ATTLOG upload: eligible ones set-based, the rest one by one."""
    parsed = 0
    if connection.vendor == "postgresql":
        while True:
            with transaction.atomic():
                claimed = attlog_sql.claim(DRAIN_BATCH)
                if not claimed:
                    break
                claim.no_flush_wait()
                attlog_sql.attlog_parse_batch(claimed)
            parsed += len(claimed)
    # Uploads the SQL path does not take (other encodings, zones; everything on SQLite).
    # (Not the ones stored since its last claim: the drain they queued takes them.
    # Parsing those here, one by one, made a stream of uploads five times slower.)
    rest = claim.unparsed_ids(received_before=clock.now(), limit=DRAIN_BATCH * 10, kind="attlog")
    if connection.vendor == "postgresql":
        rest = attlog_sql.not_eligible(rest)
    for pk in rest:
        if request_parse(pk) is not None:
            parsed += 1
    return parsed


def ingest_sweep(*, grace: dt.timedelta = SWEEP_GRACE) -> dict[str, int]:
    """Parse whatever is stored and unparsed; judge whatever is marked for judging.

    Runs every minute (beat) and whenever a worker (re)connects to the broker, so
    work whose task was lost (a killed worker, a Redis outage, a broker restart)
    is done within a minute without anyone acting.
    """
    from attendance.services.outcomes import outcomes_judge_pending_all

    parsed = 0
    if connection.vendor == "postgresql":
        parsed += attlog_drain()
    for pk in claim.unparsed_ids(received_before=clock.now() - grace, limit=SWEEP_LIMIT):
        try:
            if request_parse(pk) is not None:
                parsed += 1
        except Exception:
            # One poisoned request must not stop the sweep: it stays unparsed (and
            # visible on the device panel) and is tried again next time.
            log.exception("request %s could not be parsed; it stays queued", pk)
    judged = outcomes_judge_pending_all(marked_before=clock.now() - grace)
    return {"parsed": parsed, "villages_judged": judged}
