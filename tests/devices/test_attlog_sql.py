"""ATTLOG parsed in PostgreSQL reaches exactly the rows of the Python reference parser."""

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone

from attendance.core.protocols import decode, zkteco
from attendance.models import Device, DeviceRequest, Punch, QuarantinedLine
from attendance.services.ingest import attlog_sql, parse

pytestmark = pytest.mark.postgres

RECEIVED = dt.datetime(2026, 11, 3, 10, 0, tzinfo=dt.UTC)

#: awkward lines, each with what it exercises
CORPUS = [
    "1001\t2026-11-03 08:01:02\t0\t1\t0\t0\t0",  # plain, biometric
    "1002\t2026-11-03 08:05:00\t0\t4\t0\t0\t0",  # card: not biometric
    "1001\t2026-11-03 08:01:02\t0\t1\t0\t0\t0",  # repeated in the same upload
    "1003\t2026-11-03 17:31:00\t1\t15\t0\t0\t0\r",  # CRLF
    "",
    "   \t  ",  # blank to both
    "\u00a0",  # blank to Python (NBSP), not to the SQL pattern
    "9999\t2026-11-03 08:10:00\t0\t1",  # unmapped PIN, only four fields
    "1001\t2026-11-03 08:10:00\t0",  # three fields
    " 1002\t2026-11-03 08:11:00 \t0\t1\t0",  # spaces the reference strips
    "1002 3\t2026-11-03 08:12:00\t0\t1",  # bad PIN
    "1234567890123456789012345\t2026-11-03 08:12:00\t0\t1",  # PIN too long
    "张三\t2026-11-03 08:12:00\t0\t1",  # non-ASCII PIN
    "1001\t2026-02-30 08:00:00\t0\t1",  # no such day
    "1001\t2024-02-29 08:00:00\t0\t1",  # leap day (before install)
    "1001\t2025-02-29 08:00:00\t0\t1",  # not a leap year
    "1001\t2026-13-01 08:00:00\t0\t1",  # no such month
    "1001\t2026-11-03 24:00:00\t0\t1",  # no such hour
    "1001\t2026-11-03T08:00:00\t0\t1",  # ISO 'T'
    "1001\t1991-06-01 08:00:00\t0\t1",  # the reference's path (old year)
    "1001\t2031-01-01 08:00:00\t0\t1",  # in the future
    "1001\t2026-11-03 08:20:00\t+1\t1",  # int() accepts '+1'
    "1001\t2026-11-03 08:21:00\t1_0\t1",  # int() accepts '1_0'
    "1001\t2026-11-03 08:22:00\tabc\t1",  # not a number
    "1001\t2026-11-03 08:23:00\t99999\t1",  # beyond smallint
    "1001\t2026-11-03 08:24:00\t-1\t1",  # negative
    "1002\t2026-11-03 08:30:00\t0\t1\t0\t0\t0\t0\t0\t0\t28800",  # TimeOffset +8 h
    "1002\t2026-11-03 08:31:00\t0\t1\t0\t0\t0\t0\t0\t0\t-3600",
    "1002\t2026-11-03 08:32:00\t0\t1\t0\t0\t0\t0\t0\t0\t 28800 ",  # offset with spaces
    "1002\t2026-11-03 08:33:00\t0\t1\t0\t0\t0\t0\t0\t0\t99999",  # offset out of range
    "1002\t2026-11-03 08:34:00\t0\t1\t0\t0\t0\t0\t0\t0\tabc",  # offset not a number
    "1002\t2026-11-03 08:35:00\t0\t1\t0\t0\t0\t0\t0\t0\t   ",  # blank offset
    "1002\t2026-11-03 08:36:00\t0\t1\t0\t0\t0\t0\t0\t0\t",  # empty offset
    "1003\t2026-11-03 08:40:00\t0\t1\tworkcode 工作\tx",  # non-ASCII trailing field
    "0015\t2026-11-03 08:41:00\t0\t1",  # leading zero PIN
    "garbage that is not a record at all",
    "1001\t2026-11-03 08:42:00\t0\t1\r\r",  # several CRs
    "1001\t2026-11-03\r08:43:00\t0\t1",  # a CR inside a field
]
#: a second upload that repeats part of the first and adds its own
SECOND = [CORPUS[0], CORPUS[1], "1003\t2026-11-04 08:00:00\t0\t1", "", "bad\tline"]

PUNCH_FIELDS = (
    "device_id",
    "village_id",
    "source",
    "pin",
    "cadre_id",
    "punched_at",
    "raw_time",
    "status",
    "verify",
    "is_biometric",
    "record_id",
    "request_id",
    "line_no",
    "received_at",
    "flags",
    "needs_review",
    "unmatched_reason",
)


def upload(device, lines, clock_offset=None) -> DeviceRequest:
    body = "\n".join(lines).encode()
    text, encoding = decode(body)
    return DeviceRequest.objects.create(
        device=device,
        protocol="zk",
        kind="attlog",
        method="POST",
        path="/iclock/cdata",
        query_string=f"SN={device.serial_number}&table=ATTLOG",
        body=body,
        received_at=RECEIVED,
        status="accepted",
        encoding=encoding,
        line_count=zkteco.count_lines(text),
        clock_offset=clock_offset,
    )


def state(request_ids):
    punches = sorted(Punch.objects.values_list(*PUNCH_FIELDS), key=repr)
    quarantined = sorted(
        QuarantinedLine.objects.values_list("request_id", "line_no", "raw", "reason")
    )
    results = dict(DeviceRequest.objects.filter(pk__in=request_ids).values_list("pk", "result"))
    return punches, quarantined, results


def reset(request_ids):
    Punch.objects.all().delete()
    QuarantinedLine.objects.all().delete()
    DeviceRequest.objects.filter(pk__in=request_ids).update(parsed_at=None, result={})


def test_sql_path_reaches_the_reference_rows(zk_clock, django_capture_on_commit_callbacks):
    first, second = upload(zk_clock, CORPUS), upload(zk_clock, SECOND)
    # A real-time upload from a clock three hours slow: every line flagged, both paths.
    skewed = upload(
        zk_clock, ["1002\t2026-11-03 07:00:00\t0\t1", "1003\t2026-11-03 07:01:00\t0\t1"], 10740
    )
    ids = [first.pk, second.pk, skewed.pk]

    for pk in ids:
        parse.request_parse(pk)
    reference = state(ids)
    # 22 stored (one of them twice in the first upload, three again in the second, two
    # from the slow clock), 16 quarantined, each with the reference parser's reason.
    assert (len(reference[0]), len(reference[1])) == (22, 16)
    slow = [row for row in reference[0] if row[PUNCH_FIELDS.index("request_id")] == skewed.pk]
    assert all("clock_skew" in row[PUNCH_FIELDS.index("flags")] for row in slow)

    reset(ids)
    with transaction.atomic():
        claimed = attlog_sql.claim(10)
        assert claimed == ids
        attlog_sql.attlog_parse_batch(claimed)
    assert state(ids) == reference
    assert not DeviceRequest.objects.filter(pk__in=ids, parsed_at__isnull=True).exists()


def test_sql_path_leaves_what_it_cannot_parse_exactly(zk_clock, village_a):
    nul = upload(zk_clock, ["1001\t2026-11-03 08:01:02\t0\t1", "x\x00y"])
    single = upload(zk_clock, ["1001\t2026-11-03 08:01:02\t0\t1"])
    gbk = DeviceRequest.objects.create(
        device=zk_clock,
        protocol="zk",
        kind="attlog",
        method="POST",
        path="/iclock/cdata",
        body="1001\t2026-11-03 08:01:02\t0\t1\n张三\tx\n".encode("gbk"),
        received_at=RECEIVED,
        status="accepted",
        encoding="gb18030",
        line_count=2,
    )
    elsewhere = Device.objects.create(
        village=village_a,
        kind="zk_clock",
        serial_number="NYC0001",
        status="active",
        time_zone="America/New_York",
    )
    dst = upload(elsewhere, ["1\t2026-03-08 02:30:00\t0\t1", "1\t2026-11-01 01:30:00\t0\t1"])
    with transaction.atomic():
        # (A single-line upload is parsed here too: its clock is judged when it is stored.)
        assert attlog_sql.claim(10) == [single.pk]
    # The drain hands the others to the reference parser instead.
    assert parse.attlog_drain() == 4
    assert not DeviceRequest.objects.filter(
        pk__in=[nul.pk, single.pk, gbk.pk, dst.pk], parsed_at__isnull=True
    ).exists()
    assert Punch.objects.filter(device=elsewhere).count() == 2


def test_drain_parses_a_backlog_once(zk_clock):
    requests = [
        upload(
            zk_clock,
            [f"1001\t2026-11-{day:02d} 08:0{n}:00\t0\t1" for n in range(5)],
        )
        for day in (3, 4, 5)
    ]
    again = upload(zk_clock, ["1001\t2026-11-03 08:00:00\t0\t1", "1001\t2026-11-03 08:01:00\t0\t1"])
    assert parse.attlog_drain() == 4
    assert Punch.objects.count() == 15
    results = {
        r.pk: r.result for r in DeviceRequest.objects.filter(pk__in=[x.pk for x in requests])
    }
    assert all(r["punches_new"] == 5 for r in results.values())
    again.refresh_from_db()
    assert again.result == {
        "punches_new": 0,
        "punches_duplicate": 2,
        "quarantined": 0,
        "events": 0,
    }
    assert parse.attlog_drain() == 0  # nothing left; running it again changes nothing
    assert Punch.objects.count() == 15
    assert timezone.localtime(Punch.objects.order_by("punched_at").first().punched_at).hour == 8


def test_raw_bodies_are_compressed_with_lz4_where_the_server_has_it(db):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'"
        )
        (has_lz4,) = cursor.fetchone()
        cursor.execute(
            "SELECT attcompression FROM pg_attribute "
            "WHERE attrelid = 'attendance_devicerequest'::regclass AND attname = 'body'"
        )
        (method,) = cursor.fetchone()
    assert method == "l" if has_lz4 else method in ("", "\x00", "p")


def test_fresh_batches_skip_deduplication_and_repeats_fall_back(zk_clock):
    """A batch of new punches is inserted plainly; a batch with a repeat (of a stored
    punch, or inside the batch) falls back to ON CONFLICT, and both reach the rows of
    the reference parser."""
    from django.db import connection

    fresh = [
        upload(zk_clock, [f"1001\t2026-11-{d:02d} 08:0{n}:00\t0\t1" for n in range(5)])
        for d in (3, 4)
    ]
    statements = []

    def spy(execute, sql, params, many, context):
        if "string_to_table" in sql:
            statements.append("ON CONFLICT" in sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(spy):
        assert parse.attlog_drain() == 2
    assert statements == [False]  # one plain insert, no fallback
    resent = upload(
        zk_clock, ["1001\t2026-11-03 08:00:00\t0\t1", "1002\t2026-11-05 08:00:00\t0\t1"]
    )
    twice = upload(zk_clock, ["1003\t2026-11-06 08:00:00\t0\t1", "1003\t2026-11-06 08:00:00\t0\t1"])
    statements.clear()
    with connection.execute_wrapper(spy):
        assert parse.attlog_drain() == 2
    assert statements == [False, True]  # tried plainly, then deduplicated
    sql_state = state([r.pk for r in (*fresh, resent, twice)])
    reset([r.pk for r in (*fresh, resent, twice)])
    for r in (*fresh, resent, twice):
        parse.request_parse(r.pk)
    assert state([r.pk for r in (*fresh, resent, twice)]) == sql_state
    resent.refresh_from_db()
    assert resent.result["punches_new"] == 1 and resent.result["punches_duplicate"] == 1
