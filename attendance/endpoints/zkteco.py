"""ZKTeco attendance PUSH ("iclock") endpoints. See ``attendance/endpoints/__init__.py``."""

from __future__ import annotations

import logging

from django.db import DatabaseError, transaction
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from attendance.core.protocols import decode, zkteco
from attendance.endpoints.admission import (
    admit_zk,
    read_body,
    refuse,
    store,
    text,
)
from attendance.models import Protocol
from attendance.services import devices as device_services
from attendance.services import liveness
from attendance.services.ingest.store import clock_offset_of
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
#: an upload whose device polled at most this long before it is real-time (clock measured)
ONLINE_WINDOW = 180  # seconds


@csrf_exempt
def iclock_cdata(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _handshake(request)
    if request.method != "POST":
        return text("ERROR: method not allowed", 405)
    admission = admit_zk(request)
    table = request.GET.get("table", "")
    kind = ZK_TABLES.get(table) or ZK_STORED_TABLES.get(table) or "unknown"
    body, too_big = read_body(request)
    if not admission.admitted:
        return refuse(request, admission, protocol=Protocol.ZK, kind=kind, body=body)
    device = admission.admitted_device
    if body is None:
        return refuse(
            request,
            admission,
            protocol=Protocol.ZK,
            kind=kind,
            reason=too_big,
            answer=text(f"ERROR: {too_big}", 413),
        )
    if kind == "unknown":
        return refuse(
            request,
            admission,
            protocol=Protocol.ZK,
            kind=kind,
            body=body,
            reason=f"未知的数据表：{table[:40]}",
            answer=text(f"ERROR: unsupported table {table[:40]!r}", 400),
        )
    text_body, encoding = decode(body)
    lines = zkteco.count_lines(text_body)
    offset = None
    if kind == "attlog":
        offset = clock_offset_of(
            device,
            text_body,
            received_at=clock.now(),
            follows_poll=liveness.follows_poll(device, within=ONLINE_WINDOW),
        )
    try:
        with transaction.atomic():
            store(
                request,
                device=device,
                protocol=Protocol.ZK,
                kind=kind,
                body=body,
                line_count=lines,
                encoding=encoding,
                clock_offset=offset,
            )
            device_services.stamp_note(device, table, request.GET.get("Stamp", ""))
    except DatabaseError:
        log.exception("could not store a ZKTeco upload; the device will resend")
        return text("ERROR: storage unavailable, retry later", 500)
    liveness.seen(device.pk, upload=True)
    if kind in ("attlog", "operlog"):
        return text(f"OK:{lines}")
    return text("OK")


def _handshake(request: HttpRequest) -> HttpResponse:
    admission = admit_zk(request)
    if not admission.admitted:
        answer = admission.refusal
        if admission.unknown_serial and request.GET.get("pushver", "").startswith("3"):
            # Security PUSH v3: a plain OK tells an unregistered device to register.
            answer = text("OK")
        return refuse(request, admission, protocol=Protocol.ZK, answer=answer)
    device = admission.admitted_device
    device_services.push_version_note(device, request.GET.get("pushver", ""))
    liveness.seen(device.pk)
    if request.GET.get("options") != "all":
        return text("OK")
    return text(zkteco.handshake_response(device.serial_number or "", stamps=device.stamps))


@csrf_exempt
def iclock_getrequest(request: HttpRequest) -> HttpResponse:
    """The command poll, every ``Delay`` seconds: also the heartbeat. No DB write."""
    admission = admit_zk(request)
    if not admission.admitted:
        return refuse(request, admission, protocol=Protocol.ZK)
    device = admission.admitted_device
    liveness.seen(device.pk)
    info = request.GET.get("INFO")
    if info:
        device_services.note_info(device, info)
    if device_services.commands_due(device.pk):
        lines = device_services.commands_take(device.pk)
        if lines:
            return text("\n".join(lines) + "\n")
    return text("OK")


@csrf_exempt
def iclock_ping(request: HttpRequest) -> HttpResponse:
    admission = admit_zk(request)
    if not admission.admitted:
        return refuse(request, admission, protocol=Protocol.ZK)
    liveness.seen(admission.admitted_device.pk)
    return text("OK")


@csrf_exempt
def iclock_devicecmd(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return text("ERROR: method not allowed", 405)
    admission = admit_zk(request)
    body, too_big = read_body(request)
    if not admission.admitted:
        return refuse(request, admission, protocol=Protocol.ZK, kind="devicecmd", body=body)
    if body is None:
        return text(f"ERROR: {too_big}", 413)
    device = admission.admitted_device
    try:
        with transaction.atomic():
            store(request, device=device, protocol=Protocol.ZK, kind="devicecmd", body=body)
            device_services.command_results_apply(device, decode(body)[0])
    except DatabaseError:
        log.exception("could not store command results")
        return text("ERROR: storage unavailable, retry later", 500)
    liveness.seen(device.pk)
    return text("OK")


@csrf_exempt
def iclock_registry(request: HttpRequest) -> HttpResponse:
    """Security PUSH v3: an access device asks to register; refused until approved."""
    admission = admit_zk(request)
    body, _too_big = read_body(request)
    if not admission.admitted:
        return refuse(
            request,
            admission,
            protocol=Protocol.ZK,
            kind="registry",
            body=body,
            answer=text("ERROR: registration refused until approved", 406)
            if admission.refusal is not None and admission.refusal.status_code == 403
            else None,
        )
    device = admission.admitted_device
    with transaction.atomic():
        store(request, device=device, protocol=Protocol.ZK, kind="registry", body=body or b"")
    liveness.seen(device.pk)
    return text(f"RegistryCode={device.token_hint or (device.serial_number or '')[-10:]}")


@csrf_exempt
def iclock_push(request: HttpRequest) -> HttpResponse:
    admission = admit_zk(request)
    if not admission.admitted:
        return refuse(request, admission, protocol=Protocol.ZK)
    device = admission.admitted_device
    liveness.seen(device.pk)
    return text(
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
