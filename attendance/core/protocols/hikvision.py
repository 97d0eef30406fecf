"""Hikvision ISAPI event notifications in HTTP-listening ("alarm host") mode.

Bodies arrive as JSON, as XML (whose namespace varies by firmware: match local
names only), or as multipart/form-data with the event part first and JPEG
parts after. XML is parsed with defusedxml: entity expansion (billion laughs),
external entities and DTDs are refused.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any

from defusedxml import ElementTree as SafeET
from defusedxml.common import DefusedXmlException

#: subEventType (major 5) that prove presence, and whether they are biometric
PRESENCE_MINORS = {1: False, 38: True, 75: True, 77: True, 104: False, 181: False}
#: failed authentications: attempts, not presence
FAILED_MINORS = {39: "指纹比对失败", 76: "人脸认证失败", 80: "人脸识别失败"}
MAX_PICTURE_BYTES = 512 * 1024


class BodyError(ValueError):
    """The request body as a whole is not an event notification."""


@dataclass(frozen=True)
class Picture:
    name: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class HikEvent:
    part_no: int
    raw: dict[str, Any]
    event_type: str
    event_state: str
    mac: str
    date_time_raw: str
    date_time: dt.datetime | None  # aware when the device sent an offset
    major: int | None = None
    minor: int | None = None
    employee_no: str = ""
    name: str = ""
    serial_no: int | None = None
    current_event: bool = True
    channel_name: str = ""
    pictures: tuple[Picture, ...] = field(default_factory=tuple)

    @property
    def is_heartbeat(self) -> bool:
        return self.event_type.lower() == "videoloss" and self.event_state.lower() == "inactive"

    @property
    def is_access(self) -> bool:
        return self.event_type == "AccessControllerEvent" and self.major == 5

    @property
    def is_presence(self) -> bool:
        return self.is_access and self.minor in PRESENCE_MINORS and bool(self.employee_no)

    @property
    def is_biometric(self) -> bool:
        return PRESENCE_MINORS.get(self.minor or -1, False)


_OFFSET_RE = re.compile(r"^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.\d+)?([+-]\d{2}:?\d{2}|Z)?$")


def parse_datetime(value: str) -> tuple[dt.datetime | None, bool]:
    """(moment, has_offset). Naive when the device left the offset out; None if malformed."""
    match = _OFFSET_RE.match(value.strip())
    if not match:
        return None, False
    base = dt.datetime.strptime(match.group(1), "%Y-%m-%dT%H:%M:%S")
    offset = match.group(2)
    if not offset:
        return base, False
    if offset == "Z":
        return base.replace(tzinfo=dt.UTC), True
    sign = 1 if offset[0] == "+" else -1
    digits = offset[1:].replace(":", "")
    delta = dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
    return base.replace(tzinfo=dt.timezone(sign * delta)), True


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _xml_to_dict(element: Any) -> dict[str, Any] | str:
    children = list(element)
    if not children:
        return (element.text or "").strip()
    out: dict[str, Any] = {}
    for child in children:
        out[_local(child.tag)] = _xml_to_dict(child)
    return out


def _as_int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _event_from_dict(
    part_no: int, data: dict[str, Any], pictures: tuple[Picture, ...] | list[Picture] = ()
) -> HikEvent:
    if not isinstance(data, dict) or not data.get("eventType"):
        raise BodyError("不是事件通知：缺少 eventType")
    acs = data.get("AccessControllerEvent") or {}
    if not isinstance(acs, dict):
        acs = {}
    raw_time = str(data.get("dateTime", ""))
    moment, _has_offset = parse_datetime(raw_time)
    current = acs.get("currentEvent", True)
    if isinstance(current, str):
        current = current.lower() != "false"
    return HikEvent(
        part_no=part_no,
        raw=data,
        event_type=str(data.get("eventType", "")),
        event_state=str(data.get("eventState", "")),
        mac=str(data.get("macAddress", "")).lower(),
        date_time_raw=raw_time,
        date_time=moment,
        major=_as_int(acs.get("majorEventType")),
        minor=_as_int(acs.get("subEventType")),
        employee_no=str(acs.get("employeeNoString") or acs.get("employeeNo") or "").strip(),
        name=str(acs.get("name", "")),
        serial_no=_as_int(acs.get("serialNo")),
        current_event=bool(current),
        channel_name=str(data.get("channelName", "")),
        pictures=tuple(pictures),
    )


def _parse_json(body: bytes) -> dict[str, Any]:
    try:
        data: dict[str, Any] = json.loads(body.decode("utf-8"))
        return data
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BodyError(f"JSON 无法解析：{exc}") from None


def _parse_xml(body: bytes) -> dict[str, Any]:
    try:
        root = SafeET.fromstring(body, forbid_dtd=True)
    except DefusedXmlException as exc:
        raise BodyError(f"XML 含有被禁止的结构（实体或 DTD）：{type(exc).__name__}") from None
    except SafeET.ParseError as exc:
        raise BodyError(f"XML 无法解析：{exc}") from None
    if _local(root.tag) != "EventNotificationAlert":
        raise BodyError(f"不是 EventNotificationAlert：{_local(root.tag)}")
    data = _xml_to_dict(root)
    return data if isinstance(data, dict) else {}


def _media_type(content_type: str) -> str:
    return content_type.split(";", 1)[0].strip().lower()


def _parse_part(part_no: int, media: str, payload: bytes) -> dict[str, Any]:
    if media.endswith("json"):
        return _parse_json(payload)
    if media.endswith("xml"):
        return _parse_xml(payload)
    stripped = payload.lstrip()
    if stripped.startswith(b"{"):
        return _parse_json(payload)
    if stripped.startswith(b"<"):
        return _parse_xml(payload)
    raise BodyError(f"第 {part_no} 部分的类型无法识别：{media or '未标明'}")


def parse(content_type: str, body: bytes, *, keep_pictures: bool = True) -> list[HikEvent]:
    """All events in one notification request; raises BodyError for a body that is none."""
    media = _media_type(content_type)
    if not body.strip():
        raise BodyError("请求体为空")
    try:
        if media.startswith("multipart/"):
            return _parse_multipart(content_type, body, keep_pictures=keep_pictures)
        return [_event_from_dict(1, _parse_part(1, media, body))]
    except RecursionError:
        # JSON or XML nested deeper than the interpreter's stack: no device sends that.
        raise BodyError("请求体嵌套层数过多，不是事件通知") from None


def _parse_multipart(content_type: str, body: bytes, *, keep_pictures: bool) -> list[HikEvent]:
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
    message = BytesParser(EmailMessage, policy=HTTP).parsebytes(head + body)
    if not message.is_multipart():
        raise BodyError("multipart 请求体无法解析（边界不匹配）")
    events: list[tuple[int, dict[str, Any]]] = []
    pictures: list[Picture] = []
    for part_no, part in enumerate(message.iter_parts(), start=1):
        media = part.get_content_type()
        raw = part.get_payload(decode=True)
        payload = raw if isinstance(raw, bytes) else b""  # (decode=True: bytes, or None)
        name = part.get_param("name", header="content-disposition") or ""
        if media.startswith("image/"):
            if keep_pictures and len(payload) <= MAX_PICTURE_BYTES:
                pictures.append(Picture(str(name), media, payload))
            continue
        events.append((part_no, _parse_part(part_no, media, payload)))
    if not events:
        raise BodyError("multipart 请求中没有事件部分")
    return [
        _event_from_dict(n, data, pictures if i == 0 else ()) for i, (n, data) in enumerate(events)
    ]
