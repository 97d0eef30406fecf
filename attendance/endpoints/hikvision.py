"""Hikvision ISAPI event notifications (HTTP listening mode). See ``__init__.py``."""

from __future__ import annotations

import logging

from django.db import DatabaseError, transaction
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from attendance.core.protocols import hikvision
from attendance.endpoints.admission import admit_hik, read_body, refuse, store, text
from attendance.models import Protocol
from attendance.services import liveness

log = logging.getLogger(__name__)


@csrf_exempt
def hik_events(request: HttpRequest, token: str) -> HttpResponse:
    if request.method != "POST":
        return text("method not allowed", 405)
    admission = admit_hik(request, token)
    body, too_big = read_body(request)
    kind = "hik_event"
    if not admission.admitted:
        return refuse(request, admission, protocol=Protocol.HIK, kind=kind, body=body)
    if body is None:
        return refuse(
            request,
            admission,
            protocol=Protocol.HIK,
            kind=kind,
            reason=too_big,
            answer=text(too_big, 413),
        )
    device = admission.admitted_device
    try:
        events = hikvision.parse(request.META.get("CONTENT_TYPE", ""), body, keep_pictures=False)
    except hikvision.BodyError as exc:
        return refuse(
            request,
            admission,
            protocol=Protocol.HIK,
            kind=kind,
            body=body,
            reason=str(exc),
            answer=text(f"bad request: {exc}", 400),
        )
    if all(event.is_heartbeat for event in events):
        liveness.seen(device.pk)  # a keep-alive: nothing to store
        return text("OK")
    try:
        with transaction.atomic():
            store(
                request,
                device=device,
                protocol=Protocol.HIK,
                kind=kind,
                body=body,
                line_count=len(events),
            )
    except DatabaseError:
        log.exception("could not store a Hikvision event; the device will resend")
        return text("storage unavailable", 500)
    liveness.seen(device.pk)
    return text("OK")
