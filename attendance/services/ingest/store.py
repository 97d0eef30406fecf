"""Appending raw device requests (the durable record everything else is derived from)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import connection, transaction

from attendance.core.protocols import zkteco
from attendance.models import (
    PARSED_KINDS,
    Device,
    DeviceCommand,
    DeviceRequest,
    Punch,
    RequestStatus,
)
from attendance.services.ingest import records
from jinhu.core import clock, queue
from jinhu.core.redact import redact

#: request headers worth keeping (no cookies or credentials: devices send none, and a
#: request that does must not leave them in a table)
SAFE_HEADERS = (
    "CONTENT_TYPE",
    "CONTENT_LENGTH",
    "HTTP_USER_AGENT",
    "HTTP_HOST",
    "JINHU_PROXY_PEER",  # (the proxy it came through: REMOTE_ADDR is the device)
    "HTTP_DATE",
)


def headers_of(meta: dict[str, Any]) -> dict[str, str]:
    return {k: redact(str(meta[k]))[:500] for k in SAFE_HEADERS if k in meta}


@transaction.atomic(savepoint=False)  # (inside the view's transaction: no savepoint round trips)
def request_store(
    *,
    device: Device | None,
    protocol: str,
    kind: str,
    method: str,
    path: str,
    query_string: str,
    headers: dict[str, Any],
    body: bytes,
    remote_addr: str | None,
    status: str = RequestStatus.ACCEPTED,
    refusal_reason: str = "",
    received_at: dt.datetime | None = None,
    line_count: int = 0,
    encoding: str = "",
    clock_offset: int | None = None,
    keep_bytes: int | None = None,
) -> DeviceRequest:
    """Append the raw request; queue its parsing once the transaction commits.

    ``keep_bytes`` keeps only a prefix of the body (refused traffic); the size
    received is recorded either way. Paths are stored with any device token redacted.
    """
    stored = DeviceRequest.objects.create(
        device=device,
        protocol=protocol,
        kind=kind,
        method=method,
        path=redact(path)[:200],
        query_string=redact(query_string)[:2000],
        headers=headers,
        body=body if keep_bytes is None else body[:keep_bytes],
        body_size=len(body),
        remote_addr=remote_addr,
        received_at=received_at or clock.now(),
        status=status,
        refusal_reason=refusal_reason[:200],
        line_count=line_count,
        encoding=encoding,
        clock_offset=clock_offset,
    )
    if status == RequestStatus.ACCEPTED and kind in PARSED_KINDS:
        parse_later(stored)
    return stored


#: a backfill asked of a device this recently explains old lines in its uploads
BACKFILL_WINDOW = dt.timedelta(hours=2)


def clock_offset_of(
    device: Device, text: str, *, received_at: dt.datetime, follows_poll: bool
) -> int | None:
    """The clock offset an ATTLOG upload shows (``records.clock_offset``), unless its old
    lines have another explanation: the batch was sent before (its newest line is
    stored already: a device resending what it did not see acknowledged), or the portal
    asked the device for old records (``DATA QUERY``). Both are looked up only when
    the offset is beyond the tolerance, which a healthy clock never is.
    """
    if not follows_poll:
        return None  # (and no need to look at the lines: most uploads of a backlog)
    span = zkteco.time_span(text)
    offset = records.clock_offset(
        span, zone=device.zone, received_at=received_at, follows_poll=follows_poll
    )
    if span is None or not records.is_skewed(offset):
        return offset
    pin, raw_time = span.newest_fields[0], span.newest_fields[1]
    # (The content key's prefix: punch_content_unique serves it.)
    resent = Punch.objects.filter(device=device, pin=pin, raw_time=raw_time).exists()
    backfill = DeviceCommand.objects.filter(
        device=device,
        kind=DeviceCommand.Kind.DATA_QUERY,
        sent_at__gte=received_at - BACKFILL_WINDOW,
    ).exists()
    return None if resent or backfill else offset


def parse_later(stored: DeviceRequest) -> None:
    """Queue the parse of a stored request once the transaction commits.

    ZKTeco ATTLOG uploads on PostgreSQL are parsed in batches (``attlog_drain``,
    coalesced: at most one waiting): a backlog of thousands of posts is then a few
    set-based statements instead of thousands of tasks. Everything else gets one
    task per request.
    """
    if stored.kind == "attlog" and connection.vendor == "postgresql":
        queue.enqueue_on_commit("attendance.attlog_drain", coalesce="attlog-drain")
    else:
        queue.enqueue_on_commit("attendance.request_parse", stored.pk)
