"""Plays ZKTeco clocks and Hikvision terminals against the portal, in their wire formats.

Used by ``manage.py simulate_devices`` (over HTTP against a running portal, or
in-process) and by the demo loader. The scenario, per village, for the past
``days`` days: each duty cadre clocks in and out around their slot (a few
late, a few early, the odd absence), uploaded once a day as an ATTLOG batch;
plus the awkward cases real devices produce: a batch sent twice, a whole-log
re-upload in 500-line posts, a malformed line, a user record with a GBK name,
a clock three hours off sending real-time punches, and one silent device that
sends nothing at all.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import urllib.error
import urllib.request
import zoneinfo
from dataclasses import dataclass, field
from urllib.parse import urlencode

from attendance.models import Device, DutySlot, PinMapping
from attendance.models.devices import DeviceKind, DeviceStatus
from jinhu.core import clock


@dataclass
class SimRequest:
    method: str
    path: str
    query: dict
    body: bytes = b""
    content_type: str = "text/plain"
    note: str = ""


@dataclass
class Report:
    sent: int = 0
    statuses: dict = field(default_factory=dict)
    notes: list = field(default_factory=list)

    def add(self, request: SimRequest, status: int, body: bytes) -> None:
        self.sent += 1
        self.statuses[status] = self.statuses.get(status, 0) + 1
        if request.note:
            self.notes.append(f"{request.note}: HTTP {status} {body[:40].decode(errors='replace')}")


class HttpTransport:
    def __init__(self, base_url: str) -> None:
        self.base = base_url.rstrip("/")

    def send(self, req: SimRequest) -> tuple[int, bytes]:
        url = self.base + req.path + ("?" + urlencode(req.query) if req.query else "")
        data = req.body if req.method == "POST" else None
        request = urllib.request.Request(
            url,
            data=data,
            method=req.method,
            headers={"Content-Type": req.content_type, "User-Agent": "iClock Proxy/1.09"},
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read()


class InProcessTransport:
    """The same requests through Django's request handling, without a server."""

    def __init__(self) -> None:
        from django.test import Client

        self.client = Client(HTTP_HOST="127.0.0.1", REMOTE_ADDR="127.0.0.1")

    def send(self, req: SimRequest) -> tuple[int, bytes]:
        url = req.path + ("?" + urlencode(req.query) if req.query else "")
        if req.method == "GET":
            response = self.client.get(url)
        else:
            response = self.client.generic("POST", url, req.body, content_type=req.content_type)
        return response.status_code, response.content


def _line(pin: str, moment: dt.datetime, zone, *, status: int = 0, verify: int = 1) -> str:
    local = moment.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S")
    return f"{pin}\t{local}\t{status}\t{verify}\t0\t0\t0"


def build(
    *,
    days: int = 30,
    seed: int = 7,
    hik_tokens: dict[int, str] | None = None,
    today: dt.date | None = None,
) -> list[SimRequest]:
    """The whole scenario as a list of requests, in sending order."""
    rng = random.Random(seed)
    hik_tokens = hik_tokens or {}
    today = today or clock.today()
    start = today - dt.timedelta(days=days)
    devices = list(
        Device.objects.filter(
            status=DeviceStatus.ACTIVE, kind__in=(DeviceKind.ZK_CLOCK, DeviceKind.HIK_TERMINAL)
        )
        .select_related("village")
        .order_by("village__sort_order", "pk")
    )
    clocks = [d for d in devices if d.kind == DeviceKind.ZK_CLOCK]
    if not clocks:
        return []
    silent = clocks[-1]  # sends nothing at all
    skewed = clocks[1] if len(clocks) > 2 else None  # real-time, three hours behind
    requests: list[SimRequest] = []
    pins = {
        d.pk: {c: p for p, c in PinMapping.objects.filter(device=d).values_list("pin", "cadre_id")}
        for d in devices
    }
    all_lines: dict[int, list[str]] = {}
    for device in clocks:
        if device == silent:
            continue
        zone = zoneinfo.ZoneInfo(device.time_zone)
        sn = device.serial_number
        requests.append(
            SimRequest(
                "GET",
                "/iclock/cdata",
                {"SN": sn, "options": "all", "pushver": "2.4.1", "language": "83"},
                note="",
            )
        )
        slots = DutySlot.objects.filter(
            village=device.village, kind="sit_in", day__gte=start, day__lt=today
        ).order_by("day", "starts_at")
        by_day: dict[dt.date, list[str]] = {}
        for slot in slots:
            pin = pins[device.pk].get(slot.cadre_id)
            if pin is None:
                continue
            roll = rng.random()
            if roll < 0.03:
                continue  # absent (unless excused)
            late = roll > 0.92
            arrive = slot.starts_at + dt.timedelta(
                minutes=rng.randint(12, 40) if late else rng.randint(-20, 4)
            )
            early = rng.random() < 0.05
            leave = slot.ends_at + dt.timedelta(
                minutes=rng.randint(-45, -15) if early else rng.randint(0, 25)
            )
            verify = 4 if rng.random() < 0.06 else rng.choice((1, 15))
            by_day.setdefault(slot.day, []).extend(
                [_line(pin, arrive, zone, verify=verify), _line(pin, leave, zone, status=1)]
            )
        for day, lines in sorted(by_day.items()):
            text = "\n".join(lines) + "\n"
            requests.append(
                SimRequest(
                    "POST",
                    "/iclock/cdata",
                    {"SN": sn, "table": "ATTLOG", "Stamp": day.strftime("%j")},
                    text.encode(),
                )
            )
            all_lines.setdefault(device.pk, []).extend(lines)
        if by_day:
            last_day = max(by_day)
            body = ("\n".join(by_day[last_day]) + "\n").encode()
            requests.append(
                SimRequest(
                    "POST",
                    "/iclock/cdata",
                    {"SN": sn, "table": "ATTLOG", "Stamp": "0"},
                    body,
                    note=f"{_village_name(device)}：同一批次重复上传",
                )
            )
        requests.append(
            SimRequest(
                "GET",
                "/iclock/getrequest",
                {
                    "SN": sn,
                    "INFO": f"Ver 8.0.4.1,12,12,{len(all_lines.get(device.pk, []))},192.168.1.201",
                },
            )
        )
    # A malformed line in an otherwise good batch, on the first clock.
    first = clocks[0]
    requests.append(
        SimRequest(
            "POST",
            "/iclock/cdata",
            {"SN": first.serial_number, "table": "ATTLOG", "Stamp": "1"},
            b"9999\t2026-13-45 8:61\t0\t1\n",
            note=f"{_village_name(first)}：含格式错误的一行",
        )
    )
    # A user record whose name is GBK bytes (Chinese-language firmware).
    requests.append(
        SimRequest(
            "POST",
            "/iclock/cdata",
            {"SN": first.serial_number, "table": "OPERLOG", "Stamp": "2"},
            "USER PIN=1099\tName=测试人员\tPri=0\tPasswd=\tCard=\tGrp=1\t"
            "TZ=0000000000000000\tVerify=-1\n".encode("gbk"),
            note=f"{_village_name(first)}：GBK 编码的人员姓名",
        )
    )
    # The whole log again, in 500-line posts (after a firmware upgrade, say).
    lines = all_lines.get(first.pk, [])
    for i in range(0, len(lines), 500):
        requests.append(
            SimRequest(
                "POST",
                "/iclock/cdata",
                {"SN": first.serial_number, "table": "ATTLOG", "Stamp": "0"},
                ("\n".join(lines[i : i + 500]) + "\n").encode(),
                note=f"{_village_name(first)}：全部记录重新上传（第 {i // 500 + 1} 批）",
            )
        )
    # A clock three hours behind, posting punches in real time: each cadre of the latest
    # working day with slots (today's, or the last one before it at night, at weekends
    # and on holidays) clocks in "now", and the clock stamps it three hours early.
    if skewed is not None:
        zone = zoneinfo.ZoneInfo(skewed.time_zone)
        moment = clock.now()
        latest = (
            DutySlot.objects.filter(village=skewed.village, kind="sit_in", day__lte=today)
            .order_by("-day")
            .values_list("day", flat=True)
            .first()
        )
        cadre_ids = DutySlot.objects.filter(
            village=skewed.village, kind="sit_in", day=latest or today
        ).values_list("cadre_id", flat=True)
        for n, cadre_id in enumerate(sorted(set(cadre_ids))):
            pin = pins[skewed.pk].get(cadre_id)
            if pin:
                wrong = moment - dt.timedelta(hours=3, seconds=n)
                requests.append(
                    SimRequest(
                        "POST",
                        "/iclock/cdata",
                        {"SN": skewed.serial_number, "table": "ATTLOG"},
                        (_line(pin, wrong, zone) + "\n").encode(),
                        note=f"{_village_name(skewed)}：设备时钟慢 3 小时（实时上传）",
                    )
                )
    # Hikvision face terminals: the arrivals of the last working day before today.
    for device in devices:
        token = hik_tokens.get(device.pk)
        if device.kind != DeviceKind.HIK_TERMINAL or not token:
            continue
        serial = 5000
        hik_day = (
            DutySlot.objects.filter(village=device.village, kind="sit_in", day__lt=today)
            .order_by("-day")
            .values_list("day", flat=True)
            .first()
        )
        if hik_day is None:
            continue
        for slot in DutySlot.objects.filter(village=device.village, kind="sit_in", day=hik_day):
            pin = pins[device.pk].get(slot.cadre_id)
            if not pin:
                continue
            serial += 1
            moment = slot.starts_at - dt.timedelta(minutes=rng.randint(1, 15))
            event = {
                "ipAddress": "192.168.1.64",
                "macAddress": device.mac_address,
                "dateTime": moment.astimezone(zoneinfo.ZoneInfo(device.time_zone)).isoformat(),
                "eventType": "AccessControllerEvent",
                "eventState": "active",
                "AccessControllerEvent": {
                    "majorEventType": 5,
                    "subEventType": 75,
                    "employeeNoString": pin,
                    "serialNo": serial,
                    "currentEvent": True,
                    "name": "",
                },
            }
            requests.append(
                SimRequest(
                    "POST",
                    f"/hik/events/{token}/",
                    {},
                    json.dumps(event, ensure_ascii=False).encode(),
                    "application/json",
                )
            )
    return requests


def run(transport, requests: list[SimRequest]) -> Report:
    report = Report()
    for req in requests:
        status, body = transport.send(req)
        report.add(req, status, body)
    return report


def _village_name(device: Device) -> str:
    return device.village.name if device.village is not None else ""
