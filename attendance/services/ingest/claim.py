"""The one claim discipline: a request is parsed in the transaction that claims it.

``claim_one`` locks the request row (``SELECT … FOR UPDATE SKIP LOCKED``: another
worker skips it instead of waiting) inside the caller's transaction; ``finish``
marks it parsed in the same transaction, after its rows are written. If anything
fails in between (a database error, a killed worker whose connection drops), the
transaction rolls back: no rows, no mark, no lock, and the next sweep parses it.
The set-based path claims its batches the same way (``attlog_sql.claim``).
(SQLite has no row locks; it serialises writers, which gives the same result.)
"""

from __future__ import annotations

import datetime as dt

from django.db import connection, transaction

from attendance.models import PARSED_KINDS, DeviceRequest, DeviceStatus, RequestStatus
from attendance.services.ingest.records import ParseResult
from jinhu.core import clock


def no_flush_wait() -> None:
    """Let the parse transaction commit without waiting for its WAL to reach the disk.

    Safe because the claim commits with the rows: a server crash in the short window
    before the WAL writer flushes loses both the rows and the "parsed" mark, and the
    sweep parses the request again. The raw request itself was committed durably
    (synchronously) before the device was answered. Later transactions that build on
    these rows (judging) commit synchronously, which flushes the WAL up to them, this
    commit included.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit = off")


def claim_one(request_id: int, *, replay: bool = False) -> DeviceRequest | None:
    """The request, locked for parsing, or None (already parsed, being parsed, not ours).

    A replay claims a parsed request again (its rows are keyed, so nothing doubles).
    """
    assert transaction.get_connection().in_atomic_block, "claim inside the parse transaction"
    requests = (
        DeviceRequest.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("device")
        .filter(
            pk=request_id,
            status=RequestStatus.ACCEPTED,
            kind__in=PARSED_KINDS,
            device__status=DeviceStatus.ACTIVE,
        )
    )
    if not replay:
        requests = requests.filter(parsed_at__isnull=True)
    return requests.first()


def finish(stored: DeviceRequest, result: ParseResult, *, replay: bool = False) -> None:
    """Mark the request parsed with its counts, in the transaction that wrote its rows.

    A replay keeps the first parse's counts and time: the state it reaches is the same.
    """
    fields = ["encoding"]
    if stored.parsed_at is None:
        stored.parsed_at = clock.now()
        fields.append("parsed_at")
    if not (replay and stored.result):
        stored.result = result.as_dict()
        fields.append("result")
    stored.save(update_fields=fields)


def unparsed_ids(*, received_before: dt.datetime, limit: int, kind: str | None = None) -> list[int]:
    """Stored, accepted requests of active devices that no parse has committed yet."""
    requests = DeviceRequest.objects.unparsed().filter(
        device__status=DeviceStatus.ACTIVE, received_at__lt=received_before
    )
    if kind:
        requests = requests.filter(kind=kind)
    return list(requests.order_by("pk").values_list("pk", flat=True)[:limit])
