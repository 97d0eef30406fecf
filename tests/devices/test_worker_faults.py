"""Fault drills with a real Celery worker on PostgreSQL and Redis.

- A worker killed with SIGKILL in the middle of a backlog of thousands of uploads
  of both kinds (ATTLOG batches parsed set-based, Hikvision events parsed one by
  one), then restarted: every line stored exactly once, nothing quarantined, and
  no human step (the queued messages are even purged: only the sweep a worker
  runs when it connects can bring the work back).
- Redis unreachable: devices are acknowledged and their requests kept, the public
  page and the device panel are served, ``/healthz/`` says 503 with the reason;
  Redis back and a worker connected: everything is parsed.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import time

import pytest

from attendance.models import DeviceRequest, PinMapping, Punch, QuarantinedLine
from attendance.services.devices import device_register
from tests.devices.conftest import wait_for
from tests.factories import CadreFactory

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.celery_worker,
    pytest.mark.real_clock,
]

PINS = [str(1000 + n) for n in range(20)]
LINES_PER_UPLOAD = 20


@pytest.fixture
def devices(village_a, subdistrict_admin, settings):
    settings.JINHU_DEVICE_RATE_LIMIT = 100_000  # a backlog posted as fast as possible
    clock, _ = device_register(
        actor=subdistrict_admin,
        kind="zk_clock",
        village=village_a,
        serial_number="KILLTEST01",
        installed_on=dt.date(2020, 1, 1),
    )
    terminal, token = device_register(
        actor=subdistrict_admin,
        kind="hik_terminal",
        village=village_a,
        mac_address="c0:56:e3:00:00:01",
        installed_on=dt.date(2020, 1, 1),
    )
    cadres = [CadreFactory(village=village_a) for _ in PINS]
    for device in (clock, terminal):
        PinMapping.objects.bulk_create(
            [
                PinMapping(device=device, pin=pin, cadre=c)
                for pin, c in zip(PINS, cadres, strict=True)
            ]
        )
    return clock, terminal, token


def attlog_body(n: int) -> bytes:
    """Upload ``n``: 20 distinct punches (a backlog from 2025: no clock is measured)."""
    start = dt.datetime(2025, 1, 1, 8, 0) + dt.timedelta(minutes=n * LINES_PER_UPLOAD)
    return "".join(
        f"{PINS[i]}\t{start + dt.timedelta(minutes=i):%Y-%m-%d %H:%M:%S}\t0\t1\t0\t0\t0\n"
        for i in range(LINES_PER_UPLOAD)
    ).encode()


def hik_body(n: int) -> bytes:
    moment = dt.datetime(2025, 6, 1, 8, 0) + dt.timedelta(minutes=n)
    return json.dumps(
        {
            "dateTime": moment.strftime("%Y-%m-%dT%H:%M:%S+08:00"),
            "eventType": "AccessControllerEvent",
            "eventState": "active",
            "AccessControllerEvent": {
                "majorEventType": 5,
                "subEventType": 75,
                "employeeNoString": PINS[n % len(PINS)],
                "serialNo": 100000 + n,
                "currentEvent": False,
            },
        }
    ).encode()


def post_attlog(client, n):
    response = client.generic(
        "POST",
        "/iclock/cdata?SN=KILLTEST01&table=ATTLOG",
        attlog_body(n),
        content_type="text/plain",
    )
    assert response.content == f"OK:{LINES_PER_UPLOAD}".encode()


def post_hik(client, token, n):
    response = client.generic(
        "POST", f"/hik/events/{token}/", hik_body(n), content_type="application/json"
    )
    assert response.status_code == 200


def test_a_worker_killed_mid_backlog_loses_nothing_and_needs_nobody(
    worker_process, client, devices
):
    from jinhu.celery import app

    _clock, _terminal, token = devices
    uploads = 1500  # of each kind: 30,000 ATTLOG lines and 1,500 Hikvision events
    expected = uploads * LINES_PER_UPLOAD + uploads
    worker = worker_process(concurrency=2)
    worker.start()
    killed_after = None
    for n in range(uploads):
        post_attlog(client, n)
        post_hik(client, token, n)
        if killed_after is None and n >= uploads // 3 and Punch.objects.exists():
            worker.kill()  # in the middle of the backlog, parsing under way
            killed_after = n
    assert killed_after is not None, "the worker parsed nothing before the kill"
    stored_at_kill = Punch.objects.count()
    assert 0 < stored_at_kill < expected
    # Nobody acts: the queued messages are gone too; only a worker connecting remains.
    app.control.purge()
    restarted = time.monotonic()
    worker_process(concurrency=2).start()
    assert wait_for(
        lambda: (
            not DeviceRequest.objects.filter(status="accepted", parsed_at__isnull=True).exists()
        ),
        seconds=60,
    ), "requests still unparsed a minute after the worker came back"
    took = time.monotonic() - restarted
    assert Punch.objects.count() == expected, f"recovered in {took:.0f} s"
    assert not QuarantinedLine.objects.exists()
    results = list(DeviceRequest.objects.filter(status="accepted").values_list("result", flat=True))
    assert len(results) == 2 * uploads
    assert sum(r["punches_new"] for r in results) == expected
    assert sum(r["punches_duplicate"] for r in results) == 0


@contextlib.contextmanager
def redis_unreachable():
    """Broker and cache pointed at a port where nothing listens (as if Redis stopped)."""
    from django.conf import settings
    from django.test import override_settings

    from jinhu.celery import app
    from jinhu.core import queue

    closed = "redis://127.0.0.1:1/0"

    def point_broker_at(url: str) -> None:
        # New connection pools for the new URL (the old ones stay open, unused).
        app.conf.broker_url = url
        app._pool = None
        app.amqp._producer_pool = None
        queue.reset()

    real_broker = app.conf.broker_url
    caches = {"default": {**settings.CACHES["default"], "LOCATION": closed}}
    with override_settings(REDIS_URL=closed, CACHES=caches):
        point_broker_at(closed)
        try:
            yield
        finally:
            point_broker_at(real_broker)


def test_without_redis_devices_are_answered_and_pages_served_then_all_is_parsed(
    worker_process, client, devices, subdistrict_admin, village_a
):
    from django.core.cache import cache

    from jinhu.celery import app

    clock, _terminal, token = devices
    with redis_unreachable():
        started = time.monotonic()
        post_attlog(client, 0)
        post_attlog(client, 1)
        post_hik(client, token, 0)
        heartbeat = client.get("/iclock/getrequest?SN=KILLTEST01")
        assert heartbeat.status_code == 200 and heartbeat.content == b"OK"
        assert time.monotonic() - started < 10, "a broker that is down must not hold devices up"
        assert DeviceRequest.objects.filter(parsed_at__isnull=True).count() == 3
        assert not Punch.objects.exists()
        clock.refresh_from_db()
        assert clock.last_seen_at is not None  # liveness went to the database
        assert cache.degraded
        # The broker itself refuses quickly too (not only the coalescing marks).
        from jinhu.core import queue

        queue.reset()
        sent_at = time.monotonic()
        assert queue.enqueue("attendance.request_parse", 0) is False
        assert time.monotonic() - sent_at < 5

        assert client.get(f"/duty/{village_a.code}/").status_code == 200
        client.force_login(subdistrict_admin)
        assert client.get("/attendance/devices/").status_code == 200
        health = client.get("/healthz/")
        assert health.status_code == 503 and "redis" in health.json()["reasons"]

    # Redis is back; a worker connects (no beat, nobody acting): everything is parsed.
    app.control.purge()
    worker_process().start()
    assert wait_for(lambda: Punch.objects.count() == 2 * LINES_PER_UPLOAD + 1, seconds=60)
    assert not DeviceRequest.objects.filter(parsed_at__isnull=True).exists()
