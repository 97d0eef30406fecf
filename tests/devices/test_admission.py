"""Refused traffic is cheap, secrets stay secret, and what a device says about its clock."""

from __future__ import annotations

import datetime as dt
import io
import logging

import pytest
from django.core.management import call_command

from attendance.models import Device, DeviceRequest, Punch
from attendance.services.devices import device_register, devices_expire_pending
from jinhu.core import clock
from tests.devices.conftest import SN
from tests.payloads import RawRequest, payload, requests

# Written relative to the moment the suite runs at: CI runs it at several.
pytestmark = pytest.mark.time_sensitive

ATTLOG = requests("zk_attlog_post.txt")[0]


def zk_post(serial: str, body: bytes, table: str = "ATTLOG") -> RawRequest:
    return RawRequest("POST", "/iclock/cdata", {"SN": serial, "table": table}, {}, body)


# ---------------------------------------------------------------------------
# Refused traffic
# ---------------------------------------------------------------------------
def test_an_unknown_serial_posting_a_megabyte_keeps_only_a_prefix(send, db, settings):
    body = b"1\t2026-11-20 08:00:00\t0\t1\t0\t0\t0\n" * 30000  # about 1 MB
    response = send(zk_post("NOBODY0001", body))
    assert response.status_code == 403
    stored = DeviceRequest.objects.get()
    assert stored.status == "refused" and stored.refusal_reason == "未登记的设备"
    assert len(stored.body) <= settings.JINHU_DEVICE_REFUSED_KEEP == 4096
    assert stored.body_size == len(body) and stored.body_truncated
    assert stored.device.status == "pending" and stored.device.serial_number == "NOBODY0001"


def test_an_unknown_token_keeps_only_a_prefix_and_makes_no_device(send, db):
    body = b'{"eventType": "AccessControllerEvent", "pad": "' + b"x" * 1_000_000 + b'"}'
    raw = RawRequest("POST", "/hik/events/not-a-real-token/", {}, {}, body)
    response = send(raw, query={})
    assert response.status_code == 403
    stored = DeviceRequest.objects.get()
    assert stored.device is None and len(stored.body) <= 4096 and stored.body_size == len(body)
    assert not Device.objects.exists()


def test_refusals_from_one_address_are_limited_before_anything_is_written(send, db, settings):
    settings.JINHU_DEVICE_REFUSED_RATE_LIMIT = 5
    codes = [send(zk_post(f"NOBODY{n:04d}", b"x\n")).status_code for n in range(8)]
    assert codes == [403] * 5 + [429] * 3
    assert DeviceRequest.objects.count() == 5 and Device.objects.count() == 5
    # Another address is not affected.
    assert send(zk_post("NOBODY0100", b"x\n"), remote="192.168.1.77").status_code == 403


def test_pending_devices_are_capped(send, db, settings):
    settings.JINHU_DEVICE_PENDING_MAX = 2
    for n in range(4):
        assert send(zk_post(f"NOBODY{n:04d}", b"x\n")).status_code == 403
    assert Device.objects.filter(status="pending").count() == 2
    # Past the cap the request is still recorded (refused, a prefix), without a device.
    assert DeviceRequest.objects.filter(device__isnull=True).count() == 2


def test_pending_devices_expire_but_their_requests_stay(send, db, settings, moment):
    send(zk_post("NOBODY0001", b"x\n"))
    device = Device.objects.get()
    moment.shift(dt.timedelta(days=settings.JINHU_DEVICE_PENDING_DAYS + 1))
    assert devices_expire_pending() == 1
    assert not Device.objects.exists()
    stored = DeviceRequest.objects.get()
    assert stored.device is None and "NOBODY0001" in stored.query_string
    assert device.pk  # (the row is gone; the request names the serial number)


def test_pending_devices_heard_from_recently_do_not_expire(send, db, settings, moment):
    send(zk_post("NOBODY0001", b"x\n"))
    moment.shift(dt.timedelta(days=settings.JINHU_DEVICE_PENDING_DAYS + 1))
    Device.objects.update(last_seen_at=clock.now())
    assert devices_expire_pending() == 0


def test_deeply_nested_json_is_a_400_and_stored_as_refused(send, hik_terminal):
    body = b"[" * 100_000
    raw = RawRequest(
        "POST",
        f"/hik/events/{hik_terminal.plain_token}/",
        {},
        {"content-type": "application/json"},
        body,
    )
    response = send(raw, query={})
    assert response.status_code == 400
    stored = DeviceRequest.objects.get()
    assert stored.status == "refused" and "嵌套" in stored.refusal_reason
    # Deep XML too.
    deep_xml = b"<EventNotificationAlert>" + b"<a>" * 50_000 + b"</a>" * 50_000 + b"</x>"
    raw.body, raw.headers = deep_xml, {"content-type": "application/xml"}
    assert send(raw, query={}).status_code == 400


# ---------------------------------------------------------------------------
# Tokens never in a stored row or a log line
# ---------------------------------------------------------------------------
@pytest.fixture
def log_output():
    """What the configured log handlers write (they carry the redaction filter)."""
    root = logging.getLogger()
    buffer = io.StringIO()
    streams = []
    for handler in root.handlers:
        if isinstance(handler, logging.StreamHandler) and handler.filters:
            streams.append((handler, handler.setStream(buffer)))
    assert streams, "the console handler from settings.LOGGING is installed"
    level = root.level
    root.setLevel(logging.DEBUG)
    yield buffer
    root.setLevel(level)
    for handler, stream in streams:
        handler.setStream(stream)


def test_a_token_never_appears_in_a_stored_row_or_a_log_line(
    send, hik_terminal, log_output, client, settings
):
    token = hik_terminal.plain_token
    good = payload("hik_acsevent.json")
    for body, content_type in (
        (good, "application/json"),  # accepted
        (b"{not json", "application/json"),  # refused: 400
        (b"[" * 5000, "application/json"),  # refused: too deep
    ):
        raw = RawRequest("POST", f"/hik/events/{token}/", {}, {"content-type": content_type}, body)
        send(raw, query={})
    # A rotated (now unknown) token, and a GET.
    from attendance.services.devices import token_rotate

    token_rotate(actor=None, device=hik_terminal)
    send(RawRequest("POST", f"/hik/events/{token}/", {}, {}, good), query={})
    client.get(f"/hik/events/{token}/")
    logging.getLogger("django.request").warning("Forbidden (403): /hik/events/%s/", token)
    rows = list(DeviceRequest.objects.values_list("path", "query_string", "headers", "body"))
    assert len(rows) == 4
    assert token not in repr(rows)
    assert all("/hik/events/~" in path for path, *_ in rows)
    assert hik_terminal.token_hash[:8] not in rows[-1][0]  # the rotated one: a new hash
    written = log_output.getvalue()
    assert "/hik/events/~" in written and token not in written


def test_gunicorn_access_lines_are_redacted():
    from gunicorn.config import Config

    from jinhu.core.gunicorn_logging import RedactingLogger

    cfg = Config()
    cfg.set("accesslog", "-")
    logger = RedactingLogger(cfg)
    buffer = io.StringIO()
    for handler in logger.access_log.handlers:
        handler.setStream(buffer)
    logger.access_log.info('"POST /hik/events/%s/ HTTP/1.1" 200', "s3cret-token-value")
    assert "s3cret-token-value" not in buffer.getvalue() and "/hik/events/~" in buffer.getvalue()


# ---------------------------------------------------------------------------
# Installation date and clock skew
# ---------------------------------------------------------------------------
def test_register_device_takes_an_install_date(village_a, send):
    call_command(
        "register_device",
        "--serial",
        SN,
        "--kind",
        "zk_clock",
        "--village",
        village_a.code,
        "--installed-on",
        "2025-03-11",
        stdout=io.StringIO(),
    )
    device = Device.objects.get()
    assert device.installed_on == dt.date(2025, 3, 11)
    send(ATTLOG)  # punches of 10 March 2025: before the clock was installed here
    punches = Punch.objects.all()
    assert punches.count() == 5
    assert all("before_install" in p.flags and p.needs_review for p in punches)


def test_a_clock_registered_today_without_a_date_trusts_its_earlier_punches(village_a, send):
    device_register(actor=None, kind="zk_clock", village=village_a, serial_number=SN)
    assert Device.objects.get().installed_on is None
    send(ATTLOG)
    assert Punch.objects.exists()
    assert not any("before_install" in p.flags for p in Punch.objects.all())


def test_the_approval_form_takes_an_install_date(client, subdistrict_admin, send, village_a):
    send(zk_post("PENDING001", b"1\t2026-11-20 08:00:00\t0\t1\n"))
    device = Device.objects.get()
    client.force_login(subdistrict_admin)
    page = client.get(f"/attendance/devices/{device.pk}/").content.decode()
    assert 'name="installed_on"' in page
    client.post(
        f"/attendance/devices/{device.pk}/assign/",
        {"village": village_a.pk, "installed_on": "2026-11-01"},
    )
    device.refresh_from_db()
    assert device.status == "active" and device.installed_on == dt.date(2026, 11, 1)


def lines_at(*moments: dt.datetime) -> bytes:
    return "".join(
        f"1001\t{clock.local(m):%Y-%m-%d %H:%M:%S}\t0\t1\t0\t0\t0\n" for m in moments
    ).encode()


def test_a_two_line_batch_from_a_slow_clock_is_flagged(send, zk_clock):
    send(requests("zk_getrequest_devicecmd.txt")[0], query={"SN": SN})  # heard from: online
    slow = clock.now() - dt.timedelta(hours=3)
    response = send(zk_post(SN, lines_at(slow, slow + dt.timedelta(seconds=40))))
    assert response.content == b"OK:2"
    punches = Punch.objects.all()
    assert punches.count() == 2 and all("clock_skew" in p.flags for p in punches)
    zk_clock.refresh_from_db()
    assert 3 * 3600 - 60 <= zk_clock.clock_skew_seconds <= 3 * 3600


def test_a_backlog_is_not_a_skewed_clock(send, zk_clock):
    # Heard from, then uploading a day's backlog: its lines span hours.
    send(requests("zk_getrequest_devicecmd.txt")[0], query={"SN": SN})
    yesterday = clock.now() - dt.timedelta(days=1)
    send(zk_post(SN, lines_at(yesterday, yesterday + dt.timedelta(hours=9))))
    # A device back after a silence: even two lines close together are a backlog.
    from django.core.cache import cache

    from attendance.services import liveness

    cache.clear()
    liveness.clear_local()
    earlier = clock.now() - dt.timedelta(hours=2)
    send(zk_post(SN, lines_at(earlier - dt.timedelta(days=1), earlier)))
    send(zk_post(SN, lines_at(earlier, earlier + dt.timedelta(minutes=1))))
    assert Punch.objects.count() == 5
    assert not any("clock_skew" in p.flags for p in Punch.objects.all())


def test_a_resent_batch_is_not_a_skewed_clock(send, zk_clock):
    body = lines_at(clock.now() - dt.timedelta(minutes=1), clock.now())
    send(zk_post(SN, body))
    send(requests("zk_getrequest_devicecmd.txt")[0], query={"SN": SN})
    # The same batch again, an hour later (its acknowledgement was lost).
    import time_machine

    with time_machine.travel(clock.now() + dt.timedelta(hours=1)):
        send(requests("zk_getrequest_devicecmd.txt")[0], query={"SN": SN})
        send(zk_post(SN, body))
    assert DeviceRequest.objects.filter(kind="attlog").last().clock_offset is None
    assert not any("clock_skew" in p.flags for p in Punch.objects.all())
