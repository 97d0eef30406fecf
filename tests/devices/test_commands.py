"""The operator commands and the staff pages."""

import io

import pytest
from django.core.management import CommandError, call_command

from attendance.models import Device, DeviceEvent, DeviceRequest, Punch, QuarantinedLine
from tests.payloads import requests


def snapshot():
    return (
        sorted(
            Punch.objects.values_list(
                "device_id",
                "pin",
                "raw_time",
                "status",
                "verify",
                "cadre_id",
                "request_id",
                "line_no",
            )
        ),
        sorted(QuarantinedLine.objects.values_list("request_id", "line_no", "reason")),
        sorted(DeviceEvent.objects.values_list("request_id", "line_no", "kind", "code")),
        sorted(DeviceRequest.objects.values_list("pk", "result")),
    )


def test_replay_reaches_the_same_state(send, zk_clock):
    send(requests("zk_attlog_post.txt")[0])
    send(requests("zk_attlog_post.txt")[0])
    send(requests("zk_operlog_post.txt")[0])
    before = snapshot()
    out = io.StringIO()
    call_command("replay_device_requests", "--all", stdout=out)
    assert "replayed 3 requests: 0 new punches" in out.getvalue()
    assert snapshot() == before
    call_command(
        "replay_device_requests",
        "--device",
        zk_clock.serial_number,
        "--since",
        "2020-01-01",
        stdout=io.StringIO(),
    )
    assert snapshot() == before


def test_replay_rebuilds_deleted_rows(send, zk_clock):
    send(requests("zk_attlog_post.txt")[0])
    before = snapshot()
    Punch.objects.all().delete()
    QuarantinedLine.objects.all().delete()
    call_command("replay_device_requests", "--all", stdout=io.StringIO())
    assert snapshot() == before


def test_replay_needs_a_selection(db):
    with pytest.raises(CommandError):
        call_command("replay_device_requests")


def test_register_device_prints_the_hik_token_once(village_a):
    out = io.StringIO()
    call_command(
        "register_device",
        "--mac",
        "C0-56-E3-12-34-57",
        "--kind",
        "hik_terminal",
        "--village",
        village_a.code,
        "--base-url",
        "http://portal",
        stdout=out,
    )
    device = Device.objects.get()
    assert device.mac_address == "c0:56:e3:12:34:57" and device.status == "active"
    text = out.getvalue()
    assert "只显示这一次" in text and "http://portal/hik/events/" in text
    token = text.split("/hik/events/")[1].split("/")[0]
    from attendance.services.devices import token_digest

    assert device.token_hash == token_digest(token) and token not in str(device.__dict__)


def test_register_device_validates(village_a):
    with pytest.raises(CommandError, match="no village"):
        call_command(
            "register_device", "--serial", "ABCD1234", "--kind", "zk_clock", "--village", "nowhere"
        )
    with pytest.raises(CommandError, match="时区"):
        call_command(
            "register_device",
            "--serial",
            "ABCD1234",
            "--kind",
            "zk_clock",
            "--village",
            village_a.code,
            "--tz",
            "Mars/Olympus",
        )


@pytest.mark.time_sensitive
def test_simulate_devices_in_process_covers_the_awkward_cases(
    db, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_demo", stdout=io.StringIO())
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("simulate_devices", "--in-process", "--days", "5", stdout=out)
    text = out.getvalue()
    for case in ("重复上传", "格式错误", "GBK", "全部记录重新上传", "时钟慢 3 小时"):
        assert case in text
    assert QuarantinedLine.objects.exists()
    assert DeviceEvent.objects.filter(kind="user", encoding="gb18030").exists()
    assert any("clock_skew" in p.flags for p in Punch.objects.filter(needs_review=True))


def test_device_pages_are_staff_and_scoped(
    client, zk_clock, secretary_a, secretary_b, subdistrict_admin, send
):
    send(requests("zk_attlog_post.txt")[0])
    client.force_login(secretary_b)
    assert client.get(f"/attendance/devices/{zk_clock.pk}/").status_code == 404
    assert str(zk_clock) not in client.get("/attendance/devices/").content.decode()
    client.force_login(secretary_a)
    assert client.get(f"/attendance/devices/{zk_clock.pk}/").status_code == 200
    assert (
        client.post(f"/attendance/devices/{zk_clock.pk}/", {"action": "reject"}).status_code == 403
    )
    client.force_login(subdistrict_admin)
    village = zk_clock.village.name
    for url, shown in (
        ("/attendance/devices/", str(zk_clock)),
        (f"/attendance/devices/{zk_clock.pk}/", zk_clock.serial_number),
        ("/attendance/devices/quarantine/", "隔离"),
        ("/attendance/devices/unmatched/", "工号"),
        ("/attendance/devices/review/", "核实"),
        ("/attendance/compliance/", village),
        (f"/attendance/{zk_clock.village.code}/compliance/", village),
    ):
        response = client.get(url)
        assert response.status_code == 200 and shown in response.content.decode(), url


def test_unmatched_inbox_maps_and_replays(
    client, send, village_a, subdistrict_admin, django_capture_on_commit_callbacks
):
    import datetime as dt

    from attendance.services.devices import device_register
    from tests.factories import CadreFactory

    device_register(
        actor=subdistrict_admin,
        kind="zk_clock",
        village=village_a,
        serial_number="CQZ7231360123",
        installed_on=dt.date(2025, 1, 1),
    )
    send(requests("zk_attlog_post.txt")[0])
    assert Punch.objects.filter(cadre__isnull=True).count() == 5
    cadre = CadreFactory(village=village_a, name="后补")
    client.force_login(subdistrict_admin)
    page = client.get("/attendance/devices/unmatched/").content.decode()
    assert "1001" in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/attendance/devices/unmatched/",
            {"device": Device.objects.get().pk, "pin": "1001", "cadre": cadre.pk},
        )
    assert Punch.objects.filter(pin="1001", cadre=cadre).count() == 2
