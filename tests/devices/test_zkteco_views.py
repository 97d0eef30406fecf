"""Every ZKTeco payload through the real /iclock/ views."""

import datetime as dt

import pytest

from attendance.models import (
    Device,
    DeviceCommand,
    DeviceEvent,
    DeviceRequest,
    Punch,
    QuarantinedLine,
)
from attendance.services.devices import command_queue
from tests.devices.conftest import SN
from tests.payloads import requests

ATTLOG = requests("zk_attlog_post.txt")[0]


def test_handshake_answers_the_option_block_with_a_date_header(send, zk_clock):
    response = send(requests("zk_handshake_request.txt")[0])
    assert response.status_code == 200
    body = response.content.decode()
    assert body.startswith(f"GET OPTION FROM: {SN}\n")
    assert "TimeZone=8" in body and "Delay=" in body and "TransFlag=TransData AttLog" in body
    assert response["Content-Type"] == "text/plain"
    assert response["Date"].endswith(" GMT")
    zk_clock.refresh_from_db()
    assert zk_clock.push_version == "2.4.1"


def test_attlog_batch_stores_punches_quarantines_the_bad_line_and_acknowledges_all(send, zk_clock):
    response = send(ATTLOG)
    assert response.status_code == 200
    assert response.content == b"OK:7"  # every line durably stored
    punches = Punch.objects.filter(device=zk_clock)
    assert punches.count() == 5  # 7 lines - 1 duplicate - 1 malformed
    (bad,) = QuarantinedLine.objects.all()
    assert bad.line_no == 5 and "时间格式不正确" in bad.reason and bad.raw.startswith("1004")
    zero = punches.get(pin="0015")
    assert zero.cadre.name == "零十五"
    assert zero.punched_at == dt.datetime(2025, 3, 10, 0, 33, 10, tzinfo=dt.UTC)
    assert zero.raw_time == "2025-03-10 08:33:10"
    card = punches.get(pin="1003")
    assert card.status == 255 and not card.is_biometric
    stored = DeviceRequest.objects.get(kind="attlog")
    assert bytes(stored.body) == ATTLOG.body
    assert stored.result == {
        "punches_new": 5,
        "punches_duplicate": 1,
        "quarantined": 1,
        "events": 0,
    }
    zk_clock.refresh_from_db()
    assert zk_clock.stamps == {"ATTLOG": "9999"}


def test_the_same_batch_twice_stores_each_punch_once(send, zk_clock):
    first, second = send(ATTLOG), send(ATTLOG)
    assert first.content == second.content == b"OK:7"
    assert Punch.objects.count() == 5
    assert DeviceRequest.objects.filter(kind="attlog").count() == 2  # both raw requests kept
    assert QuarantinedLine.objects.count() == 2  # each request's own bad line


def test_times_are_read_in_the_devices_zone(send, zk_clock):
    zk_clock.time_zone = "Asia/Urumqi"  # UTC+6
    zk_clock.save()
    send(ATTLOG)
    punch = Punch.objects.get(pin="1001", status=0)
    assert punch.punched_at == dt.datetime(2025, 3, 10, 2, 21, 37, tzinfo=dt.UTC)


def test_operlog_events_with_audit_flag(send, zk_clock):
    response = send(requests("zk_operlog_post.txt")[0])
    assert response.content == b"OK:6"
    events = DeviceEvent.objects.filter(device=zk_clock)
    assert events.count() == 6
    flagged = events.get(code=21)
    assert flagged.audit_reason == "修改设备时间"
    assert events.get(kind="user").payload["card"] == "123456789"


def test_gbk_name_is_decoded_and_the_encoding_recorded(send, zk_clock):
    response = send(requests("zk_operlog_user_gbk.txt")[0])
    assert response.content == b"OK:1"
    user = DeviceEvent.objects.get(kind="user")
    assert user.payload["name"] == "张三" and user.encoding == "gb18030"
    assert DeviceRequest.objects.get(kind="operlog").encoding == "gb18030"


def test_command_round_trip_and_reconciliation(send, zk_clock, staff):
    poll, results, info = requests("zk_getrequest_devicecmd.txt")
    start = dt.datetime(2025, 3, 9, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    verify = command_queue(
        actor=staff,
        device=zk_clock,
        kind="verify_sum",
        start=start,
        end=start + dt.timedelta(hours=23, minutes=59, seconds=59),
    )
    verify.cmd_id = "V20250309A"
    verify.save()
    response = send(poll)
    assert response.content.decode() == (
        "C:V20250309A:VERIFY SUM ATTLOG StartTime=2025-03-09 00:00:00\t"
        "EndTime=2025-03-09 23:59:59\n"
    )
    verify.refresh_from_db()
    assert verify.state == "sent"
    assert send(results).content == b"OK"
    verify.refresh_from_db()
    assert verify.state == "acked" and verify.result["AttlogSum"] == "23"
    rec = zk_clock.reconciliations.get()
    assert (rec.device_count, rec.stored_count, rec.missing) == (23, 0, 23)
    # A duplicate reply changes nothing.
    assert send(results).content == b"OK"
    assert DeviceCommand.objects.get(pk=verify.pk).state == "acked"
    assert send(info).content == b"OK"


def test_getrequest_without_commands_is_ok_and_writes_nothing(
    send, zk_clock, django_assert_num_queries
):
    poll = requests("zk_getrequest_devicecmd.txt")[0]
    send(poll, query={"SN": SN})  # warm the device memo
    with django_assert_num_queries(0):
        response = send(poll, query={"SN": SN})
    assert response.content == b"OK"


def test_info_count_drop_flags_a_cleared_log(send, zk_clock):
    poll = requests("zk_getrequest_devicecmd.txt")[0]
    send(poll)
    zk_clock.refresh_from_db()
    assert zk_clock.last_attlog_count == 5210
    send(poll, query={"SN": SN, "INFO": "Ver 8.0.4.1,38,41,12,192.168.1.201"})
    zk_clock.refresh_from_db()
    assert zk_clock.last_attlog_count == 12 and zk_clock.log_reset_at is not None


def test_ping_is_ok(send, zk_clock):
    raw = requests("zk_handshake_request.txt")[0]
    assert send(raw, path="/iclock/ping", query={"SN": SN}).content == b"OK"


def test_unknown_serial_is_recorded_pending_and_refused_but_kept(send, db, staff, village_a):
    response = send(ATTLOG)
    assert response.status_code == 403
    device = Device.objects.get(serial_number=SN)
    assert device.status == "pending" and device.village is None
    stored = DeviceRequest.objects.get()
    assert stored.status == "refused" and stored.device == device and len(stored.body) > 0
    assert not Punch.objects.exists()


def test_approval_parses_the_kept_requests(
    send, db, staff, village_a, django_capture_on_commit_callbacks
):
    send(ATTLOG)
    from attendance.services.devices import device_register

    with django_capture_on_commit_callbacks(execute=True):
        device_register(
            actor=staff,
            kind="zk_clock",
            village=village_a,
            serial_number=SN,
            installed_on=dt.date(2025, 1, 1),
        )
    assert Punch.objects.count() == 5
    assert all(p.cadre_id is None and "尚未对应" in p.unmatched_reason for p in Punch.objects.all())


def test_rejected_and_wrong_network_are_refused(send, zk_clock):
    zk_clock.allowed_network = "10.0.0.0/8"
    zk_clock.save()
    from attendance.services.devices import forget

    forget()
    assert send(ATTLOG, remote="192.168.1.201").status_code == 403
    assert send(ATTLOG, remote="10.1.2.3").content == b"OK:7"
    refused = DeviceRequest.objects.get(status="refused")
    assert "source address" in refused.refusal_reason


def test_malformed_serial_is_400(send, db):
    assert send(ATTLOG, query={"SN": "../etc", "table": "ATTLOG"}).status_code == 400


def test_unknown_table_is_refused_clearly_and_nothing_half_written(send, zk_clock):
    response = send(ATTLOG, query={"SN": SN, "table": "NOPE"})
    assert response.status_code == 400 and b"unsupported table" in response.content
    assert not Punch.objects.exists() and not QuarantinedLine.objects.exists()
    assert DeviceRequest.objects.get().status == "refused"


def test_oversized_body_is_refused_before_reading(send, zk_clock, settings):
    settings.JINHU_DEVICE_MAX_BODY = 100
    response = send(ATTLOG)
    assert response.status_code == 413
    stored = DeviceRequest.objects.get()
    assert stored.status == "refused" and "过大" in stored.refusal_reason
    assert not Punch.objects.exists()


def test_garbage_body_quarantines_every_line(send, zk_clock):
    from tests.payloads import RawRequest

    garbage = RawRequest(
        "POST", "/iclock/cdata", ATTLOG.query, {}, b"\x00\xff garbage\nmore junk\n"
    )
    response = send(garbage)
    assert response.content == b"OK:2"
    assert QuarantinedLine.objects.count() == 2 and not Punch.objects.exists()


def test_rate_limit_per_serial(send, zk_clock, settings):
    settings.JINHU_DEVICE_RATE_LIMIT = 3
    poll = requests("zk_getrequest_devicecmd.txt")[0]
    codes = [send(poll, query={"SN": SN}).status_code for _ in range(5)]
    assert codes[:3] == [200, 200, 200] and codes[3:] == [429, 429]


def test_storage_failure_answers_500_so_the_device_resends(send, zk_clock, monkeypatch):
    from django.db import DatabaseError

    from attendance.endpoints import admission

    def broken(**kwargs):
        raise DatabaseError("disk full")

    monkeypatch.setattr(admission, "request_store", broken)
    response = send(ATTLOG)
    assert response.status_code == 500
    assert not Punch.objects.exists()


def test_v3_access_device_registers_after_approval(send, db, staff, village_a):
    handshake, registry, push, rtlog = requests("zk_v3_registry_rtlog.txt")
    assert send(handshake).content == b"OK"  # unknown: "register first"
    assert send(registry).status_code == 406
    from attendance.services.devices import device_register

    device_register(
        actor=staff,
        kind="zk_clock",
        village=village_a,
        serial_number="AJYD214560078",
        installed_on=dt.date(2025, 1, 1),
    )
    assert send(registry).content.startswith(b"RegistryCode=")
    assert b"SessionID=" in send(push).content
    assert send(rtlog).content == b"OK"
    punch = Punch.objects.get()
    assert (punch.record_id, punch.pin, punch.is_biometric) == (3812, "1001", True)
    send(rtlog)
    assert Punch.objects.count() == 1  # dedup on (device, index)


@pytest.mark.parametrize("method", ["PUT", "DELETE"])
def test_wrong_methods(client, zk_clock, method):
    response = client.generic(method, f"/iclock/cdata?SN={SN}&table=ATTLOG")
    assert response.status_code == 405
