"""Retention: raw device requests past their keeping age go to per-device, per-month
archive files and leave the database in batches; a replay from the archive reaches the
same punches; unresolved quarantined lines keep their request."""

import datetime as dt
import gzip
import json

import pytest
from django.core.management import call_command

from attendance.models import DeviceEvent, DeviceRequest, Punch, QuarantinedLine
from attendance.services import retention
from attendance.services.devices import quarantine_resolve
from tests.payloads import RawRequest

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def upload(send, lines):
    body = "".join(lines).encode()
    raw = RawRequest("POST", "/iclock/cdata", {"SN": "CQZ7231360123", "table": "ATTLOG"}, {}, body)
    assert send(raw).status_code == 200
    return DeviceRequest.objects.filter(kind="attlog").order_by("-pk").first()


def age(request, when):
    DeviceRequest.objects.filter(pk=request.pk).update(received_at=when)


def punch_keys(requests=None):
    punches = Punch.objects.all()
    if requests is not None:
        punches = punches.filter(request_id__in=[r.pk for r in requests])
    return sorted(
        punches.values_list("device_id", "pin", "punched_at", "status", "verify", "request_id")
    )


@pytest.fixture
def history(send, zk_clock):
    """Requests of September and October 2025 (past 13 months), one of November 2025
    with an unresolved quarantined line, one resolved, and one of last week."""
    sept = upload(
        send,
        [
            "1001\t2025-09-03 08:31:00\t0\t1\t0\t0\t0\n",
            "1002\t2025-09-03 08:40:00\t0\t1\t0\t0\t0\n",
        ],
    )
    octo = upload(send, ["1003\t2025-10-09 08:20:00\t0\t1\t0\t0\t0\n"])
    held = upload(send, ["1001\t2025-10-20 08:30:00\t0\t1\t0\t0\t0\n", "garbage line\n"])
    settled = upload(send, ["1002\t2025-10-21 08:30:00\t0\t1\t0\t0\t0\n", "more garbage\n"])
    recent = upload(send, ["1001\t2026-11-19 08:30:00\t0\t1\t0\t0\t0\n"])
    age(sept, dt.datetime(2025, 9, 3, 8, 31, 5, tzinfo=SHANGHAI))
    age(octo, dt.datetime(2025, 10, 9, 8, 20, 5, tzinfo=SHANGHAI))
    age(held, dt.datetime(2025, 10, 20, 8, 30, 5, tzinfo=SHANGHAI))
    age(settled, dt.datetime(2025, 10, 21, 8, 30, 5, tzinfo=SHANGHAI))
    age(recent, dt.datetime(2026, 11, 19, 8, 30, 5, tzinfo=SHANGHAI))
    return {"sept": sept, "octo": octo, "held": held, "settled": settled, "recent": recent}


def test_cutoff_is_the_start_of_the_month_thirteen_months_back():
    now = dt.datetime(2026, 11, 26, 10, tzinfo=SHANGHAI)
    assert retention.cutoff(months=13, now=now) == dt.datetime(2025, 10, 1, tzinfo=SHANGHAI)
    # In January the count crosses a year end; at a month's first minute it is the same.
    jan = dt.datetime(2027, 1, 1, 0, 5, tzinfo=SHANGHAI)
    assert retention.cutoff(months=13, now=jan) == dt.datetime(2025, 12, 1, tzinfo=SHANGHAI)


def test_archives_and_deletes_exactly_the_old_rows(history, staff, tmp_path, settings):
    settled_line = QuarantinedLine.objects.get(request=history["settled"])
    quarantine_resolve(actor=staff, line=settled_line, note="设备上核对，系乱码")
    punches_before = punch_keys()
    folder = tmp_path / "archive"

    result = retention.archive_expired(
        folder, before=dt.datetime(2025, 11, 1, tzinfo=SHANGHAI), batch=1
    )

    remaining = set(DeviceRequest.objects.values_list("pk", flat=True))
    assert remaining == {history["held"].pk, history["recent"].pk}
    assert result.deleted == result.archived == 3
    assert result.kept_quarantined == 1
    # Punches are the attendance record: all stay, with their request's id.
    assert punch_keys() == punches_before
    device = history["sept"].device_id
    assert sorted(result.files) == [
        f"device-{device}/2025-09.jsonl.gz",
        f"device-{device}/2025-10.jsonl.gz",
    ]
    with gzip.open(folder / f"device-{device}" / "2025-10.jsonl.gz", "rt") as packed:
        rows = [json.loads(line) for line in packed]
    assert sorted(r["id"] for r in rows) == sorted([history["octo"].pk, history["settled"].pk])
    # The unresolved line and its request stay; the settled one went with its request.
    assert QuarantinedLine.objects.filter(request=history["held"]).exists()
    assert not QuarantinedLine.objects.filter(pk=settled_line.pk).exists()
    # A second run finds nothing more.
    again = retention.archive_expired(folder, before=dt.datetime(2025, 11, 1, tzinfo=SHANGHAI))
    assert again.deleted == 0


def test_replay_from_the_archive_reaches_the_same_punches(history, tmp_path):
    old = [history["sept"], history["octo"]]
    expected = punch_keys(old)
    assert len(expected) == 3
    folder = tmp_path / "archive"
    retention.archive_expired(folder, before=dt.datetime(2025, 11, 1, tzinfo=SHANGHAI))
    assert not DeviceRequest.objects.filter(pk__in=[r.pk for r in old]).exists()

    # The punches are lost too (a restore from an old backup, say): the archive rebuilds them.
    Punch.objects.filter(request_id__in=[r.pk for r in old]).delete()
    files = sorted(folder.rglob("*.jsonl.gz"))
    result = retention.replay_archive(files)
    assert result.restored == 2 and result.punches_new == 3
    assert punch_keys(old) == expected
    restored = DeviceRequest.objects.get(pk=history["sept"].pk)
    assert bytes(restored.body) == bytes(history["sept"].body)

    # Again: nothing doubles.
    again = retention.replay_archive(files)
    assert again.restored == 0 and again.punches_new == 0
    assert punch_keys(old) == expected


def test_the_commands_archive_and_replay(history, tmp_path, settings, capsys):
    settings.JINHU_DEVICE_REQUEST_KEEP_MONTHS = 13
    call_command("archive_device_requests", "--folder", str(tmp_path / "a"))
    out = capsys.readouterr().out
    # Cutoff 2025-10-01 from 2026-11-26: September only.
    assert "archived and deleted 1 requests received before 2025-10-01" in out
    Punch.objects.filter(request_id=history["sept"].pk).delete()
    call_command("replay_archive", str(tmp_path / "a"))
    assert "2 new punches" in capsys.readouterr().out


def test_device_events_of_an_archived_request_go_with_it(history, tmp_path):
    DeviceEvent.objects.create(
        device=history["sept"].device, request=history["sept"], line_no=9, kind="oplog"
    )
    retention.archive_expired(tmp_path / "a", before=dt.datetime(2025, 10, 1, tzinfo=SHANGHAI))
    assert not DeviceEvent.objects.exists()


def test_a_damaged_archive_line_is_reported_with_its_file_and_line(tmp_path):
    path = tmp_path / "bad.jsonl.gz"
    with gzip.open(path, "wt") as packed:
        packed.write('{"id": 1}\n')
    with pytest.raises(ValueError, match="line 1"):
        list(retention.read_archive(path))
