"""Raw device requests past their keeping age: archived to files, then deleted.

A request older than ``JINHU_DEVICE_REQUEST_KEEP_MONTHS`` (13 by default: a year and
the month it closes) leaves the database for a compressed file, one per device and
month (``<folder>/device-<id>/<YYYY-MM>.jsonl.gz``), one JSON object per request with
every column (the body base64): enough for ``replay_archive`` to put it back under the
same id and parse it again, reaching the same punches (their keys make that a no-op
where they still exist).

What stays:
- punches, outcomes and everything judged from them (they are the attendance record;
  a punch keeps its request's id, which names it in the archive);
- a request with a quarantined line nobody resolved: the raw evidence stays until
  staff settle the line (``quarantine_resolve``);
- requests of the keeping age that are not yet parsed (the sweep parses them first).

How it deletes without blocking ingestion: one batch (``batch`` requests, 500 by
default) per short transaction, archived and flushed to disk *before* the transaction
that deletes it, the batch's ids taken from the ``devreq_device_received`` index. Each
transaction holds row locks on its own few hundred old rows only; devices insert new
rows, which no lock here covers. A crash between the file write and the delete leaves
the rows in the database and the archive holding them twice: the next run writes them
again (files are appended, gzip members concatenate) and replay skips ids it has seen.
"""

from __future__ import annotations

import base64
import datetime as dt
import gzip
import json
import logging
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import connection, transaction
from django.db.models import Exists, OuterRef, QuerySet

from attendance.models import Device, DeviceEvent, DeviceRequest, QuarantinedLine
from jinhu.core import clock
from jinhu.core.periods import Month

log = logging.getLogger(__name__)

#: requests archived and deleted per transaction
BATCH = 500

#: the columns an archived line carries (all of DeviceRequest's)
COLUMNS = (
    "id",
    "device_id",
    "protocol",
    "kind",
    "method",
    "path",
    "query_string",
    "headers",
    "body",
    "body_size",
    "remote_addr",
    "received_at",
    "status",
    "refusal_reason",
    "parsed_at",
    "encoding",
    "line_count",
    "result",
    "clock_offset",
)

_TIMES = ("received_at", "parsed_at")


@dataclass
class RetentionResult:
    archived: int = 0
    deleted: int = 0
    kept_quarantined: int = 0
    kept_unparsed: int = 0
    files: set[str] = field(default_factory=set)

    def as_dict(self) -> dict[str, Any]:
        return {
            "archived": self.archived,
            "deleted": self.deleted,
            "kept_quarantined": self.kept_quarantined,
            "kept_unparsed": self.kept_unparsed,
            "files": sorted(self.files),
        }


def cutoff(*, months: int, now: dt.datetime | None = None) -> dt.datetime:
    """The first instant kept: the start of the local month ``months`` before this one."""
    today = clock.local_date(now or clock.now())
    return clock.start_of_day(Month.of(today).shifted(-months).first)


def _expired(before: dt.datetime) -> tuple[QuerySet[DeviceRequest], QuerySet[DeviceRequest]]:
    """Requests received before ``before``: (held by an unresolved quarantined line, free)."""
    open_lines = Exists(QuarantinedLine.objects.unresolved().filter(request=OuterRef("pk")))
    old = DeviceRequest.objects.filter(received_at__lt=before)
    return old.filter(open_lines), old.filter(~open_lines)


def archive_path(folder: Path, device_id: int | None, month: str) -> Path:
    return folder / (f"device-{device_id}" if device_id else "device-none") / f"{month}.jsonl.gz"


def _line(row: dict[str, Any]) -> bytes:
    out = dict(row)
    out["body"] = base64.b64encode(bytes(row["body"] or b"")).decode("ascii")
    for key in _TIMES:
        if out[key] is not None:
            out[key] = out[key].isoformat()
    return json.dumps(out, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"


def _append(path: Path, lines: list[bytes]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "ab") as raw:
        # One gzip member per batch: a reader sees the concatenation as one stream.
        with gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as packed:
            packed.writelines(lines)
        raw.flush()
        os.fsync(raw.fileno())


def archive_expired(
    folder: Path, *, before: dt.datetime, batch: int = BATCH, pause: float = 0.0
) -> RetentionResult:
    """Archive and delete the requests received before ``before`` (see the module doc).

    ``pause`` seconds between batches leave the disk to ingestion on a busy server.
    """
    result = RetentionResult()
    held, free = _expired(before)
    result.kept_quarantined = held.count()
    result.kept_unparsed = DeviceRequest.objects.unparsed().filter(received_at__lt=before).count()
    eligible = free.exclude(
        pk__in=DeviceRequest.objects.unparsed().filter(received_at__lt=before).values("pk")
    )
    last_id = 0
    while True:
        with transaction.atomic():
            rows = list(
                eligible.filter(pk__gt=last_id)
                .order_by("pk")
                .select_for_update(
                    skip_locked=connection.features.has_select_for_update_skip_locked
                )
                .values(*COLUMNS)[:batch]
            )
            if not rows:
                break
            last_id = rows[-1]["id"]
            groups: dict[Path, list[bytes]] = {}
            for row in rows:
                month = clock.local_date(row["received_at"]).strftime("%Y-%m")
                path = archive_path(folder, row["device_id"], month)
                groups.setdefault(path, []).append(_line(row))
            for path, lines in groups.items():
                _append(path, lines)
                result.files.add(str(path.relative_to(folder)))
            result.archived += len(rows)
            ids = [row["id"] for row in rows]
            # Their derived rows that cascade (events, resolved quarantined lines), then
            # the requests themselves. Punches keep the id (no database constraint): the
            # ORM's PROTECT would refuse, so the delete is a plain one.
            DeviceEvent.objects.filter(request_id__in=ids)._raw_delete(connection.alias)
            QuarantinedLine.objects.filter(request_id__in=ids)._raw_delete(connection.alias)
            result.deleted += DeviceRequest.objects.filter(pk__in=ids)._raw_delete(connection.alias)
        if pause:
            time.sleep(pause)
    if result.deleted:
        log.info("retention: %s device requests archived and deleted", result.deleted)
    return result


def read_archive(path: Path) -> Iterator[dict[str, Any]]:
    """The requests an archive file holds, as rows (the body as bytes, times aware)."""
    with gzip.open(path, "rb") as packed:
        for number, raw in enumerate(packed, start=1):
            if not raw.strip():
                continue
            try:
                row = json.loads(raw)
                row["body"] = base64.b64decode(row["body"])
                for key in _TIMES:
                    if row[key] is not None:
                        row[key] = dt.datetime.fromisoformat(row[key])
            except (ValueError, KeyError) as exc:
                raise ValueError(
                    f"{path}: line {number} is not an archived request: {exc}"
                ) from exc
            yield row


@dataclass
class ReplayResult:
    requests: int = 0
    restored: int = 0
    punches_new: int = 0
    punches_duplicate: int = 0
    quarantined: int = 0


def replay_archive(paths: list[Path]) -> ReplayResult:
    """Put archived requests back (same ids; those present are left alone) and parse them.

    Reaches the same punches the requests made the first time: parsing is keyed, so
    running it twice, or over punches that still exist, adds nothing.
    """
    from attendance.services.ingest.parse import request_parse

    result = ReplayResult()
    seen: set[int] = set()
    devices = set(Device.objects.values_list("pk", flat=True))
    for path in paths:
        batch: list[DeviceRequest] = []
        for row in read_archive(path):
            if row["id"] in seen:
                continue
            seen.add(row["id"])
            if row["device_id"] not in devices:
                row["device_id"] = None  # a device deleted since (as SET_NULL would have done)
            batch.append(DeviceRequest(**{k: row[k] for k in COLUMNS}))
        present = set(
            DeviceRequest.objects.filter(pk__in=[r.pk for r in batch]).values_list("pk", flat=True)
        )
        missing = [r for r in batch if r.pk not in present]
        DeviceRequest.objects.bulk_create(missing, batch_size=500)
        result.restored += len(missing)
        for stored in sorted(batch, key=lambda r: (r.received_at, r.pk)):
            parsed = request_parse(stored.pk, replay=True)
            result.requests += 1
            if parsed is not None:
                result.punches_new += parsed.punches_new
                result.punches_duplicate += parsed.punches_duplicate
                result.quarantined += parsed.quarantined
    if result.restored and connection.vendor == "postgresql":
        # Ids were given: move the sequence past them so new requests do not collide.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence(%s, 'id'), "
                "GREATEST((SELECT max(id) FROM attendance_devicerequest), 1))",
                ["attendance_devicerequest"],
            )
    return result
