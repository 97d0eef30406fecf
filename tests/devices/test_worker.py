"""End to end with a real Celery worker on Redis and PostgreSQL.

A clock posts its ATTLOG upload to the real view; the view stores the raw
request and answers; the worker (a separate process) parses it and judges the
duty slot. Nothing here runs eagerly.
"""

import datetime as dt
from pathlib import Path

import pytest

from attendance.models import DutyRules, PinMapping, Punch, RotationEntry, SlotOutcome
from attendance.services.devices import device_register
from attendance.services.rosters import slots_materialize
from tests.devices.conftest import wait_for
from tests.factories import CadreFactory

ROOT = Path(__file__).resolve().parents[2]
DAY = dt.date(2026, 11, 24)  # a Tuesday, a workday, in the past


@pytest.fixture
def worker(worker_process):
    process = worker_process()
    process.start()
    return process


@pytest.mark.postgres
@pytest.mark.celery_worker
@pytest.mark.real_clock
def test_device_posts_worker_parses_slot_is_judged(worker, client, village_a, subdistrict_admin):
    DutyRules.objects.create(village=village_a)
    cadre = CadreFactory(village=village_a, name="实岗")
    RotationEntry.objects.create(
        village=village_a,
        cadre=cadre,
        weekday=DAY.weekday(),
        part="full",
        valid_from=DAY - dt.timedelta(days=7),
    )
    slots_materialize(village=village_a, start=DAY, end=DAY, include_started=True)
    clock, _token = device_register(
        actor=subdistrict_admin,
        kind="zk_clock",
        village=village_a,
        serial_number="WORKER0001",
        installed_on=dt.date(2025, 1, 1),
    )
    PinMapping.objects.create(device=clock, pin="7", cadre=cadre)

    body = b"7\t2026-11-24 08:26:00\t0\t1\t0\t0\t0\n7\t2026-11-24 17:03:00\t1\t1\t0\t0\t0\n"
    response = client.generic(
        "POST", "/iclock/cdata?SN=WORKER0001&table=ATTLOG", body, content_type="text/plain"
    )
    assert response.content == b"OK:2"

    assert wait_for(lambda: Punch.objects.filter(device=clock).count() == 2), (
        "the worker did not parse the upload"
    )
    assert wait_for(lambda: SlotOutcome.objects.filter(cadre=cadre, day=DAY).exists()), (
        "the worker did not judge the slot"
    )
    outcome = SlotOutcome.objects.get(cadre=cadre, day=DAY)
    assert outcome.state == "on_time" and outcome.biometric

    # The same upload again: acknowledged, nothing new.
    response = client.generic(
        "POST", "/iclock/cdata?SN=WORKER0001&table=ATTLOG", body, content_type="text/plain"
    )
    assert response.content == b"OK:2"
    assert wait_for(lambda: clock.requests.filter(parsed_at__isnull=False).count() == 2)
    assert Punch.objects.filter(device=clock).count() == 2
