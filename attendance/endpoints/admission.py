"""Who may send: one admission check per protocol, one refusal helper, and storage.

Every endpoint asks ``admit_zk`` / ``admit_hik`` first. An admitted request comes
from an approved device within its rate limit; everything else is a refusal, and
every refusal goes through ``refuse``, which is cheap by construction: a limit per
source address applies before any row is written, refused bodies keep at most
``JINHU_DEVICE_REFUSED_KEEP`` bytes (plus the headers and the size received), and
an unknown ZKTeco serial number becomes a pending device only while fewer than
``JINHU_DEVICE_PENDING_MAX`` are waiting.
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.db import DatabaseError, transaction
from django.http import HttpRequest, HttpResponse

from attendance.core.protocols import zkteco
from attendance.models import Device, DeviceKind, DeviceStatus, RequestStatus
from attendance.services import devices as device_services
from attendance.services.ingest.store import headers_of, request_store
from jinhu.core import clock


def text(body: str, status: int = 200) -> HttpResponse:
    response = HttpResponse(body, status=status, content_type="text/plain")
    # A ZKTeco clock sets its time from this header (GMT) plus its TimeZone option.
    response["Date"] = zkteco.http_date(clock.now())
    return response


def remote_of(request: HttpRequest) -> str | None:
    """The device's address as the server saw it (devices talk to us on the LAN)."""
    return request.META.get("REMOTE_ADDR")


# ---------------------------------------------------------------------------
# Rate limits: token buckets per process (no shared state, no Redis needed)
# ---------------------------------------------------------------------------
_buckets: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])


def rate_limited(key: str, per_minute: int) -> bool:
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
# Admission
# ---------------------------------------------------------------------------
@dataclass
class Admission:
    """The outcome of identifying a request: an admitted device, or a refusal."""

    device: Device | None
    #: the answer to send instead of serving the request (None: admitted)
    refusal: HttpResponse | None = None
    #: why, in words, for the stored request
    reason: str = ""
    #: an unknown ZKTeco serial number, to record as a pending device
    unknown_serial: str = ""
    #: a refusal that stores nothing (the device's own rate limit)
    store: bool = True

    @property
    def admitted(self) -> bool:
        return self.refusal is None

    @property
    def admitted_device(self) -> Device:
        """The device of an admitted request (asked only once ``admitted`` holds)."""
        if self.refusal is not None or self.device is None:
            raise RuntimeError("a refused request has no admitted device")
        return self.device


def _limited(device: Device) -> Admission | None:
    if rate_limited(f"device:{device.pk}", settings.JINHU_DEVICE_RATE_LIMIT):
        return Admission(device, text("ERROR: too many requests", 429), store=False)
    return None


def admit_zk(request: HttpRequest) -> Admission:
    sn = request.GET.get("SN", "")
    if not zkteco.valid_serial(sn):
        return Admission(
            None, text("ERROR: missing or malformed SN", 400), "序列号缺失或格式不正确"
        )
    device = device_services.lookup_serial(sn)
    if device is None:
        return Admission(
            None, text("ERROR: device not approved", 403), "未登记的设备", unknown_serial=sn
        )
    if device.status != DeviceStatus.ACTIVE:
        return Admission(device, text("ERROR: device not approved", 403), "设备未启用")
    if not device_services.allowed_from(device, remote_of(request)):
        return Admission(
            device,
            text("ERROR: source address not allowed for this device", 403),
            "来源地址不在该设备允许的网段内（source address not allowed）",
        )
    return _limited(device) or Admission(device)


def admit_hik(request: HttpRequest, token: str) -> Admission:
    device = device_services.lookup_token(token) if len(token) <= 64 else None
    if device is None:
        return Admission(None, text("forbidden", 403), "未知的设备令牌")
    if device.status != DeviceStatus.ACTIVE:
        return Admission(device, text("forbidden", 403), "设备未启用")
    return _limited(device) or Admission(device)


# ---------------------------------------------------------------------------
# Bodies, storage, refusal
# ---------------------------------------------------------------------------
def read_body(request: HttpRequest) -> tuple[bytes | None, str]:
    """The body, or None and why (refused before reading when it announces itself too big)."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return None, "Content-Length 不正确"
    limit = settings.JINHU_DEVICE_MAX_BODY
    if length > limit:
        return None, f"请求体过大（{length} 字节，上限 {limit}）"
    body = request.body
    if len(body) > limit:
        return None, "请求体过大"
    return body, ""


def store(
    request: HttpRequest,
    *,
    device: Device | None,
    protocol: str,
    kind: str,
    body: bytes,
    status: str = RequestStatus.ACCEPTED,
    reason: str = "",
    line_count: int = 0,
    encoding: str = "",
    clock_offset: int | None = None,
):
    refused = status == RequestStatus.REFUSED
    return request_store(
        device=device,
        protocol=protocol,
        kind=kind,
        method=request.method or "",
        path=request.path,
        query_string=request.META.get("QUERY_STRING", ""),
        headers=headers_of(request.META),
        body=body,
        remote_addr=remote_of(request),
        status=status,
        refusal_reason=reason,
        line_count=line_count,
        encoding=encoding,
        clock_offset=clock_offset,
        keep_bytes=settings.JINHU_DEVICE_REFUSED_KEEP if refused else None,
    )


def refuse(
    request: HttpRequest,
    admission: Admission,
    *,
    protocol: str,
    kind: str = "",
    body: bytes | None = None,
    reason: str = "",
    answer: HttpResponse | None = None,
) -> HttpResponse:
    """Answer a refusal; keep a bounded record of it (``kind`` given: an upload)."""
    answer = answer or admission.refusal
    assert answer is not None
    if not admission.store:
        return answer
    if rate_limited(f"address:{remote_of(request)}", settings.JINHU_DEVICE_REFUSED_RATE_LIMIT):
        return text("ERROR: too many refused requests from this address", 429)
    try:
        with transaction.atomic():
            device = admission.device
            if device is None and admission.unknown_serial:
                device = device_services.ensure_pending(
                    serial=admission.unknown_serial,
                    kind=DeviceKind.ZK_CLOCK,
                    push_version=request.GET.get("pushver", ""),
                )
            if kind:
                store(
                    request,
                    device=device,
                    protocol=protocol,
                    kind=kind,
                    body=body or b"",
                    status=RequestStatus.REFUSED,
                    reason=reason or admission.reason,
                )
    except DatabaseError:
        # Nothing to keep safe here (the device was refused); it will try again.
        pass
    return answer
