"""The device endpoints: ZKTeco PUSH under /iclock/, Hikvision ISAPI under /hik/events/.

The order of business for a data upload, and why:
1. identify the device (ZK: registered SN, optional source network; Hik: the
   secret token in the path). Unknown devices are recorded as pending and
   refused, so the device keeps its data until staff approve it;
2. refuse oversized bodies before reading them;
3. store the raw request and commit, *then* answer: if storing fails the
   device gets a 500 and sends again; nothing is acknowledged that is not
   durable. Parsing happens in a Celery task queued on commit;
4. ``OK:<n>`` counts every line of the upload, since every line is now stored
   (accepted, duplicate or quarantined): a poison line must not make the
   terminal resend the batch forever.
Heartbeats (getrequest, ping, Hikvision videoloss) write nothing to the
database: liveness goes to the cache (``attendance.liveness``).
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict

from django.conf import settings
from django.db import DatabaseError, transaction
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from attendance import liveness
from attendance.models import Device
from attendance.models.devices import DeviceKind, DeviceStatus
from attendance.models.ingest import Protocol, RequestStatus
from attendance.protocols import decode, hikvision, zkteco
from attendance.services import devices as device_services
from attendance.services import ingest
from jinhu.core import clock

log = logging.getLogger(__name__)

ZK_TABLES = {"ATTLOG": "attlog", "OPERLOG": "operlog", "rtlog": "rtlog"}
#: tables we store but do not interpret (photos, templates, options, error logs)
ZK_STORED_TABLES = {
    "ATTPHOTO": "attphoto",
    "BIODATA": "biodata",
    "options": "options",
    "ERRORLOG": "errorlog",
    "rtstate": "rtstate",
    "tabledata": "tabledata",
    "IDCARD": "idcard",
}


def _text(body: str, status: int = 200) -> HttpResponse:
    response = HttpResponse(body, status=status, content_type="text/plain")
    # The device sets its clock from this header (GMT) plus TimeZone=8.
    response["Date"] = zkteco.http_date(clock.now())
    return response


def _remote(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR")


# ---------------------------------------------------------------------------
# Rate limiting per device, per process (a token bucket; no shared state needed)
# ---------------------------------------------------------------------------
_buckets: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])


def _rate_limited(key: str) -> bool:
    per_minute = settings.JINHU_DEVICE_RATE_LIMIT
    now = time.monotonic()
    bucket = _buckets[key]
    tokens, last = bucket
    tokens = min(per_minute, (tokens if last else per_minute) + (now - last) * per_minute / 60)
    if tokens < 1:
        bucket[0], bucket[1] = tokens, now
        return True
    bucket[0], bucket[1] = tokens - 1, now
    return False


def reset_rate_limits() -> None:
    _buckets.clear()


# ---------------------------------------------------------------------------
# ZKTeco
# ---------------------------------------------------------------------------
def _zk_device(request: HttpRequest) -> tuple[Device | None, HttpResponse | None]:
    """The approved device behind ``SN``, or the response refusing the request."""
    sn = request.GET.get("SN", "")
    if not zkteco.valid_serial(sn):
        return None, _text("ERROR: missing or malformed SN", 400)
    if _rate_limited(f"sn:{sn}"):
        return None, _text("ERROR: too many requests", 429)
    device = device_services.lookup_serial(sn)
    if device is None:
        device = device_services.ensure_pending(
            serial=sn, kind=DeviceKind.ZK_CLOCK, push_version=request.GET.get("pushver", "")
        )
    if device.status != DeviceStatus.ACTIVE:
        return device, _text("ERROR: device not approved", 403)
    if not device_services.allowed_from(device, _remote(request)):
        return device, _text("ERROR: source address not allowed for this device", 403)
    return device, None


def _read_body(request: HttpRequest) -> tuple[bytes | None, str]:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return None, "Content-Length 不正确"
    if length > settings.JINHU_DEVICE_MAX_BODY:
        return None, f"请求体过大（{length} 字节，上限 {settings.JINHU_DEVICE_MAX_BODY}）"
    body = request.body
    if len(body) > settings.JINHU_DEVICE_MAX_BODY:
        return None, "请求体过大"
    return body, ""


def _store(
    request: HttpRequest,
    *,
    device,
    protocol,
    kind,
    body: bytes,
    status=RequestStatus.ACCEPTED,
    reason: str = "",
    line_count: int = 0,
    encoding: str = "",
):
    return ingest.request_store(
        device=device,
        protocol=protocol,
        kind=kind,
        method=request.method,
        path=request.path,
        query_string=request.META.get("QUERY_STRING", ""),
        headers=ingest.headers_of(request.META),
        body=body,
        remote_addr=_remote(request),
        status=status,
        refusal_reason=reason,
        line_count=line_count,
        encoding=encoding,
    )


@csrf_exempt
def iclock_cdata(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _zk_handshake(request)
    if request.method != "POST":
        return _text("ERROR: method not allowed", 405)
    device, refusal = _zk_device(request)
    if device is None and refusal is not None and refusal.status_code == 429:
        return refusal
    table = request.GET.get("table", "")
    body, too_big = _read_body(request)
    kind = ZK_TABLES.get(table) or ZK_STORED_TABLES.get(table) or "unknown"
    try:
        with transaction.atomic():
            if body is None:
                _store(
                    request,
                    device=device,
                    protocol=Protocol.ZK,
                    kind=kind,
                    body=b"",
                    status=RequestStatus.REFUSED,
                    reason=too_big,
                )
                return _text(f"ERROR: {too_big}", 413)
            if refusal is not None:
                # Kept (never lost) but not trusted: parsed only if staff approve.
                _store(
                    request,
                    device=device,
                    protocol=Protocol.ZK,
                    kind=kind,
                    body=body,
                    status=RequestStatus.REFUSED,
                    reason=refusal.content.decode()[:200],
                )
                return refusal
            if kind == "unknown":
                _store(
                    request,
                    device=device,
                    protocol=Protocol.ZK,
                    kind=kind,
                    body=body,
                    status=RequestStatus.REFUSED,
                    reason=f"未知的数据表：{table[:40]}",
                )
                return _text(f"ERROR: unsupported table {table[:40]!r}", 400)
            text, encoding = decode(body)
            lines = zkteco.count_lines(text)
            _store(
                request,
                device=device,
                protocol=Protocol.ZK,
                kind=kind,
                body=body,
                line_count=lines,
                encoding=encoding,
            )
            stamp = request.GET.get("Stamp")
            if stamp and device.stamps.get(table) != stamp:
                device.stamps = {**device.stamps, table: stamp[:20]}
                Device.objects.filter(pk=device.pk).update(stamps=device.stamps)
    except DatabaseError:
        log.exception("could not store a ZKTeco upload; the device will resend")
        return _text("ERROR: storage unavailable, retry later", 500)
    liveness.seen(device.pk)
    if kind in ("attlog", "operlog"):
        return _text(f"OK:{lines}")
    return _text("OK")


def _zk_handshake(request: HttpRequest) -> HttpResponse:
    device, refusal = _zk_device(request)
    if refusal is not None:
        if device is not None and request.GET.get("pushver", "").startswith("3"):
            # Security PUSH v3: a plain OK tells an unregistered device to register.
            return _text("OK")
        return refusal
    push_version = request.GET.get("pushver", "")[:16]
    if push_version and push_version != device.push_version:
        Device.objects.filter(pk=device.pk).update(push_version=push_version)
    liveness.seen(device.pk)
    if request.GET.get("options") != "all":
        return _text("OK")
    return _text(zkteco.handshake_response(device.serial_number, stamps=device.stamps))


@csrf_exempt
def iclock_getrequest(request: HttpRequest) -> HttpResponse:
    """The command poll, every ``Delay`` seconds: also the heartbeat. No DB write."""
    device, refusal = _zk_device(request)
    if refusal is not None:
        return refusal
    liveness.seen(device.pk)
    info = request.GET.get("INFO")
    if info:
        ingest.note_info(device, info)
    if device_services.commands_due(device.pk):
        lines = device_services.commands_take(device.pk)
        if lines:
            return _text("\n".join(lines) + "\n")
    return _text("OK")


@csrf_exempt
def iclock_ping(request: HttpRequest) -> HttpResponse:
    device, refusal = _zk_device(request)
    if refusal is not None:
        return refusal
    liveness.seen(device.pk)
    return _text("OK")


@csrf_exempt
def iclock_devicecmd(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _text("ERROR: method not allowed", 405)
    device, refusal = _zk_device(request)
    if refusal is not None:
        return refusal
    body, too_big = _read_body(request)
    if body is None:
        return _text(f"ERROR: {too_big}", 413)
    text, _encoding = decode(body)
    try:
        with transaction.atomic():
            _store(request, device=device, protocol=Protocol.ZK, kind="devicecmd", body=body)
            ingest.command_results_apply(device, text)
    except DatabaseError:
        log.exception("could not store command results")
        return _text("ERROR: storage unavailable, retry later", 500)
    liveness.seen(device.pk)
    return _text("OK")


@csrf_exempt
def iclock_registry(request: HttpRequest) -> HttpResponse:
    """Security PUSH v3: an access device asks to register; refused until approved."""
    device, refusal = _zk_device(request)
    body, _too_big = _read_body(request)
    if device is None:
        return refusal
    with transaction.atomic():
        _store(
            request,
            device=device,
            protocol=Protocol.ZK,
            kind="registry",
            body=body or b"",
            status=RequestStatus.ACCEPTED if refusal is None else RequestStatus.REFUSED,
            reason="" if refusal is None else "device not approved",
        )
    if refusal is not None:
        return _text("ERROR: registration refused until approved", 406)
    liveness.seen(device.pk)
    return _text(f"RegistryCode={device.token_hint or device.serial_number[-10:]}")


@csrf_exempt
def iclock_push(request: HttpRequest) -> HttpResponse:
    device, refusal = _zk_device(request)
    if refusal is not None:
        return refusal
    liveness.seen(device.pk)
    return _text(
        "\n".join(
            [
                "ServerVersion=3.1.2",
                "ServerName=JinhuDutyPortal",
                "PushVersion=3.1.2",
                "ErrorDelay=60",
                "RequestDelay=10",
                "TransTimes=00:00;12:00",
                "TransInterval=1",
                "TransTables=User Transaction",
                "Realtime=1",
                f"SessionID={device.pk:032X}",
                "TimeoutSec=10",
            ]
        )
        + "\n"
    )


# ---------------------------------------------------------------------------
# Hikvision
# ---------------------------------------------------------------------------
@csrf_exempt
def hik_events(request: HttpRequest, token: str) -> HttpResponse:
    if request.method != "POST":
        return HttpResponse("method not allowed", status=405, content_type="text/plain")
    if _rate_limited(f"tk:{token[:64]}"):
        return HttpResponse("too many requests", status=429, content_type="text/plain")
    body, too_big = _read_body(request)
    device = device_services.lookup_token(token) if len(token) <= 64 else None
    content_type = request.META.get("CONTENT_TYPE", "")
    try:
        with transaction.atomic():
            if body is None:
                _store(
                    request,
                    device=device,
                    protocol=Protocol.HIK,
                    kind="hik_event",
                    body=b"",
                    status=RequestStatus.REFUSED,
                    reason=too_big,
                )
                return HttpResponse(too_big, status=413, content_type="text/plain")
            if device is None or device.status != DeviceStatus.ACTIVE:
                reason = "未知的设备令牌" if device is None else "设备未启用"
                _store(
                    request,
                    device=device,
                    protocol=Protocol.HIK,
                    kind="hik_event",
                    body=body,
                    status=RequestStatus.REFUSED,
                    reason=reason,
                )
                return HttpResponse("forbidden", status=403, content_type="text/plain")
            try:
                events = hikvision.parse(content_type, body, keep_pictures=False)
            except hikvision.BodyError as exc:
                _store(
                    request,
                    device=device,
                    protocol=Protocol.HIK,
                    kind="hik_event",
                    body=body,
                    status=RequestStatus.REFUSED,
                    reason=str(exc),
                )
                return HttpResponse(
                    f"bad request: {exc}", status=400, content_type="text/plain; charset=utf-8"
                )
            if all(event.is_heartbeat for event in events):
                liveness.seen(device.pk)  # a keep-alive: nothing to store
                return HttpResponse("OK", content_type="text/plain")
            _store(
                request,
                device=device,
                protocol=Protocol.HIK,
                kind="hik_event",
                body=body,
                line_count=len(events),
            )
    except DatabaseError:
        log.exception("could not store a Hikvision event; the device will resend")
        return HttpResponse("storage unavailable", status=500, content_type="text/plain")
    liveness.seen(device.pk)
    return HttpResponse("OK", content_type="text/plain")
