"""Every Hikvision payload through /hik/events/<token>/."""

import hashlib

import pytest

from attendance.models import DeviceEvent, DeviceRequest, PinMapping, Punch
from attendance.services.devices import token_rotate
from tests.factories import CadreFactory
from tests.payloads import RawRequest, payload, requests


def post(send, device_token, body, content_type):
    raw = RawRequest(
        "POST", f"/hik/events/{device_token}/", {}, {"content-type": content_type}, body
    )
    return send(raw, query={})


@pytest.fixture
def wang_wu(hik_terminal, village_a):
    return PinMapping.objects.create(
        device=hik_terminal, pin="1003", cadre=CadreFactory(village=village_a, name="王五")
    ).cadre


def test_json_access_event_becomes_a_biometric_punch(send, hik_terminal, wang_wu):
    response = post(
        send, hik_terminal.plain_token, payload("hik_acsevent.json"), "application/json"
    )
    assert response.status_code == 200
    punch = Punch.objects.get()
    assert (punch.cadre, punch.record_id, punch.verify, punch.is_biometric) == (
        wang_wu,
        4127,
        75,
        True,
    )
    assert punch.raw_time == "2025-03-10T08:26:14+08:00"


def test_multipart_with_picture_stored_by_hash(send, hik_terminal, wang_wu, settings):
    raw = requests("hik_multipart.txt")[0]
    response = post(send, hik_terminal.plain_token, raw.body, raw.content_type)
    assert response.status_code == 200
    assert Punch.objects.get().record_id == 4127
    # The same event again (multipart this time, JSON before): one punch.
    post(send, hik_terminal.plain_token, payload("hik_acsevent.json"), "application/json")
    assert Punch.objects.count() == 1


def test_picture_kept_by_hash_when_not_a_punch(send, hik_terminal, settings):
    raw = requests("hik_multipart.txt")[0]
    body = raw.body.replace(b'"subEventType":75', b'"subEventType":76')  # face auth failed
    post(send, hik_terminal.plain_token, body, raw.content_type)
    attempt = DeviceEvent.objects.get()
    assert attempt.kind == "attempt" and attempt.summary == "人脸认证失败"
    jpeg = b"<<JPEG bytes: a real device sends binary image/jpeg data here (typ. 20-80 KB)>>"
    assert attempt.picture_sha256 == hashlib.sha256(jpeg).hexdigest()
    assert not Punch.objects.exists()  # an attempt is not presence


def test_xml_camera_event_is_stored_as_corroboration(send, hik_terminal):
    response = post(
        send,
        hik_terminal.plain_token,
        payload("hik_eventnotification.xml"),
        'application/xml; charset="UTF-8"',
    )
    assert response.status_code == 200
    event = DeviceEvent.objects.get()
    assert event.kind == "camera" and "村委会值班室" in event.summary


def test_heartbeat_marks_liveness_and_stores_nothing(send, hik_terminal):
    from attendance.services import liveness

    response = post(send, hik_terminal.plain_token, payload("hik_heartbeat.xml"), "application/xml")
    assert response.status_code == 200
    assert not DeviceRequest.objects.exists()
    assert liveness.last_seen([hik_terminal])[hik_terminal.pk] is not None


def test_wrong_token_is_refused_and_recorded(send, hik_terminal):
    response = post(send, "not-the-token", payload("hik_acsevent.json"), "application/json")
    assert response.status_code == 403
    stored = DeviceRequest.objects.get()
    assert stored.status == "refused" and stored.device is None
    assert stored.refusal_reason == "未知的设备令牌"
    assert not Punch.objects.exists()


def test_rotated_token_stops_the_old_one(send, hik_terminal, staff, wang_wu):
    new = token_rotate(actor=staff, device=hik_terminal)
    assert (
        post(
            send, hik_terminal.plain_token, payload("hik_acsevent.json"), "application/json"
        ).status_code
        == 403
    )
    assert post(send, new, payload("hik_acsevent.json"), "application/json").status_code == 200


def test_xml_bomb_is_refused(send, hik_terminal):
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
        b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>'
        b"<EventNotificationAlert><eventType>&c;</eventType></EventNotificationAlert>"
    )
    response = post(send, hik_terminal.plain_token, bomb, "application/xml")
    assert response.status_code == 400
    stored = DeviceRequest.objects.get()
    assert stored.status == "refused" and "禁止" in stored.refusal_reason
    assert not DeviceEvent.objects.exists()


def test_garbage_is_400_with_reason(send, hik_terminal):
    response = post(send, hik_terminal.plain_token, b"{oops", "application/json")
    assert response.status_code == 400
    assert "JSON" in response.content.decode()


def test_oversized_body_is_413(send, hik_terminal, settings):
    settings.JINHU_DEVICE_MAX_BODY = 64
    response = post(
        send, hik_terminal.plain_token, payload("hik_acsevent.json"), "application/json"
    )
    assert response.status_code == 413
    assert not Punch.objects.exists()


def test_serial_gap_is_reported(send, hik_terminal, wang_wu):
    from attendance.selectors import serial_gaps

    body = payload("hik_acsevent.json")
    post(send, hik_terminal.plain_token, body, "application/json")
    later = body.replace(b'"serialNo": 4127', b'"serialNo": 4131').replace(b"08:26:14", b"08:40:00")
    post(send, hik_terminal.plain_token, later, "application/json")
    assert serial_gaps(hik_terminal) == [(4128, 4130)]


def test_missing_offset_uses_the_device_zone(send, hik_terminal, wang_wu):
    import datetime as dt

    body = payload("hik_acsevent.json").replace(
        b"2025-03-10T08:26:14+08:00", b"2025-03-10T08:26:14"
    )
    post(send, hik_terminal.plain_token, body, "application/json")
    assert Punch.objects.get().punched_at == dt.datetime(2025, 3, 10, 0, 26, 14, tzinfo=dt.UTC)
