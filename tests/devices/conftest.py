import datetime as dt

import pytest

from attendance.models import PinMapping
from attendance.services.devices import device_register
from tests.factories import CadreFactory

SN = "CQZ7231360123"
MAC = "c0:56:e3:12:34:56"


@pytest.fixture
def staff(subdistrict_admin):
    return subdistrict_admin


@pytest.fixture
def zk_clock(village_a, staff):
    device, _token = device_register(
        actor=staff,
        kind="zk_clock",
        village=village_a,
        serial_number=SN,
        installed_on=dt.date(2025, 1, 1),
        location="村委会值班室",
    )
    for pin, name in (("1001", "刘一"), ("1002", "陈二"), ("1003", "张三"), ("0015", "零十五")):
        PinMapping.objects.create(
            device=device, pin=pin, cadre=CadreFactory(village=village_a, name=name)
        )
    return device


@pytest.fixture
def hik_terminal(village_a, staff):
    device, token = device_register(
        actor=staff,
        kind="hik_terminal",
        village=village_a,
        mac_address=MAC,
        installed_on=dt.date(2025, 1, 1),
    )
    device.plain_token = token
    return device


@pytest.fixture
def send(client, django_capture_on_commit_callbacks):
    """Send a raw device request through the real views; tasks run on commit."""

    def _send(raw, *, path=None, query=None, remote="192.168.1.201"):
        from urllib.parse import urlencode

        url = path or raw.path
        q = raw.query if query is None else query
        if q:
            url += "?" + urlencode(q)
        with django_capture_on_commit_callbacks(execute=True):
            if raw.method == "GET":
                return client.get(url, REMOTE_ADDR=remote)
            return client.generic(
                raw.method,
                url,
                raw.body,
                content_type=raw.content_type or "text/plain",
                REMOTE_ADDR=remote,
            )

    return _send
