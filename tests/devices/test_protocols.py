"""The pure protocol parsers, against the example payloads (no database)."""

import datetime as dt

import pytest

from attendance.core.protocols import Malformed, decode, hikvision, zkteco
from tests.payloads import payload, requests


def test_attlog_lines_parse_and_the_malformed_one_is_reported():
    body = requests("zk_attlog_post.txt")[0].body
    records = zkteco.parse_attlog(body.decode())
    assert len(records) == 7 == zkteco.count_lines(body.decode())
    bad = [r for r in records if isinstance(r, Malformed)]
    assert [(b.line_no, "时间格式不正确" in b.reason) for b in bad] == [(5, True)]
    leading_zero = records[5]
    assert leading_zero.pin == "0015"
    assert leading_zero.time_offset == 28800
    assert leading_zero.aware_time(dt.UTC).utcoffset() == dt.timedelta(hours=8)
    card = records[3]
    assert card.status == 255 and not card.is_biometric
    assert records[0].is_biometric and records[1].verify == 15


@pytest.mark.parametrize(
    "line,reason",
    [
        ("1001\t2025-03-10 8:31\t0\t1", "时间格式"),
        ("10 01\t2025-03-10 08:31:00\t0\t1", "工号"),
        ("1001\t2025-03-10 08:31:00\tin\t1", "无法解析"),
        ("1001\t2025-13-10 08:31:00\t0\t1", "无法解析"),
        ("garbage", "字段数不足"),
    ],
)
def test_bad_lines_have_reasons(line, reason):
    result = zkteco.parse_attlog_line(3, line)
    assert isinstance(result, Malformed) and reason in result.reason and result.line_no == 3


def test_operlog_with_set_time_flag():
    records = zkteco.parse_operlog(requests("zk_operlog_post.txt")[0].body.decode())
    assert [type(r).__name__ for r in records] == ["OplogRecord"] * 5 + ["UserRecord"]
    assert records[2].op_type == 21 and records[2].audit_reason == "修改设备时间"
    assert records[5].card == "123456789"  # [15CD5B07] little-endian hex


def test_gbk_user_name_falls_back_to_gb18030():
    body = requests("zk_operlog_user_gbk.txt")[0].body
    text, encoding = decode(body)
    assert encoding == "gb18030"
    (user,) = zkteco.parse_operlog(text)
    assert user.name == "张三" and user.pin == "1006"


def test_devicecmd_results_and_info_lines():
    posts = [r for r in requests("zk_getrequest_devicecmd.txt") if r.path.endswith("devicecmd")]
    results = zkteco.parse_devicecmd(posts[0].body.decode())
    assert [(r.cmd_id, r.return_code) for r in results] == [
        ("V20250309A", 0),
        ("Q20250309A", 0),
        ("U1007A", 0),
    ]
    assert results[0].values["AttlogSum"] == "23"
    (info,) = zkteco.parse_devicecmd(posts[1].body.decode())
    assert info.values["TransactionCount"] == "5233"


def test_registry_capabilities_with_commas_in_values():
    reg = next(r for r in requests("zk_v3_registry_rtlog.txt") if r.path.endswith("registry"))
    caps = zkteco.parse_registry(reg.body.decode())
    assert caps["~OEMVendor"] == "ZKTECO CO., LTD."
    assert caps["DeviceType"] == "acc"


def test_no_command_can_clear_a_device():
    for forbidden in ("CLEAR LOG", "CLEAR DATA", "CLEAR ALL", "REBOOT"):
        with pytest.raises(ValueError):
            zkteco.format_command("X1", forbidden)
    assert zkteco.format_command("I1", "INFO") == "C:I1:INFO"


def test_handshake_block():
    text = zkteco.handshake_response("SN1", stamps={"ATTLOG": "9999"})
    assert text.startswith("GET OPTION FROM: SN1\n")
    assert "TimeZone=8\n" in text and "ATTLOGStamp=9999\n" in text and "Realtime=1" in text


def test_hik_json_xml_heartbeat_and_multipart():
    (event,) = hikvision.parse("application/json", payload("hik_acsevent.json"))
    assert event.is_presence and event.is_biometric and event.serial_no == 4127
    assert event.date_time == dt.datetime(2025, 3, 10, 0, 26, 14, tzinfo=dt.UTC)
    (camera,) = hikvision.parse(
        'application/xml; charset="UTF-8"', payload("hik_eventnotification.xml")
    )
    assert camera.event_type == "VMD" and not camera.is_presence
    (beat,) = hikvision.parse("application/xml", payload("hik_heartbeat.xml"))
    assert beat.is_heartbeat
    raw = requests("hik_multipart.txt")[0]
    (multi,) = hikvision.parse(raw.content_type, raw.body)
    assert multi.employee_no == "1003" and len(multi.pictures) == 1
    assert multi.pictures[0].content_type == "image/jpeg"


@pytest.mark.parametrize(
    "namespace",
    [
        "http://www.hikvision.com/ver10/XMLSchema",
        "http://www.std-cgi.com/ver20/XMLSchema",
        "",
    ],
)
def test_hik_xml_namespace_variants(namespace):
    xmlns = f' xmlns="{namespace}"' if namespace else ""
    body = (
        f"<EventNotificationAlert{xmlns}><macAddress>AA:BB:CC:DD:EE:FF</macAddress>"
        "<dateTime>2025-04-06T14:16:04</dateTime><eventType>VMD</eventType>"
        "<eventState>active</eventState></EventNotificationAlert>"
    ).encode()
    (event,) = hikvision.parse("text/xml", body)
    assert event.mac == "aa:bb:cc:dd:ee:ff"
    assert event.date_time == dt.datetime(2025, 4, 6, 14, 16, 4)  # naive: no offset sent


def test_hik_xml_bomb_and_external_entities_are_refused():
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
        b"<EventNotificationAlert><eventType>&lol2;</eventType></EventNotificationAlert>"
    )
    with pytest.raises(hikvision.BodyError, match="禁止"):
        hikvision.parse("application/xml", bomb)
    xxe = (
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
        b"<EventNotificationAlert><eventType>&e;</eventType></EventNotificationAlert>"
    )
    with pytest.raises(hikvision.BodyError):
        hikvision.parse("application/xml", xxe)


@pytest.mark.parametrize(
    "content_type,body",
    [
        ("application/json", b"{not json"),
        ("application/json", b'{"no": "eventType"}'),
        ("application/xml", b"<html>nope</html>"),
        ("multipart/form-data; boundary=X", b"--Y\r\n\r\nnothing\r\n--Y--"),
        ("text/plain", b"hello"),
    ],
)
def test_hik_garbage_bodies_raise(content_type, body):
    with pytest.raises(hikvision.BodyError):
        hikvision.parse(content_type, body)


@pytest.mark.parametrize(
    "value,expected_offset",
    [
        ("2025-03-10T08:27:41+08:00", 8),
        ("2025-03-10T00:27:41Z", 0),
        ("2025-03-10T08:27:41", None),
    ],
)
def test_hik_datetime_variants(value, expected_offset):
    moment, has_offset = hikvision.parse_datetime(value)
    assert has_offset == (expected_offset is not None)
    if expected_offset is not None:
        assert moment.utcoffset() == dt.timedelta(hours=expected_offset)


def test_hik_malformed_datetime_is_none():
    assert hikvision.parse_datetime("2024-01-22T11:46:3100:00") == (None, False)


def test_count_lines_agrees_with_the_line_reader_on_awkward_whitespace():
    """``OK:<n>`` is counted without a Python loop; it must count what the parser reads."""
    import random

    alphabet = ["a", "1", "\t", " ", "\r", "\n", "\n", "\u00a0", "\x0b", "\x1c", "\u2028", "张"]
    rng = random.Random(5)
    for _ in range(20000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))
        assert zkteco.count_lines(text) == sum(1 for _ in zkteco._lines(text)), repr(text)
