"""Quarantined lines are settled by staff, in scope, with a note; settled ones move to
their own tab and stop holding their request back from the archive."""

import pytest
from django.urls import reverse

from attendance.models import QuarantinedLine
from tests.payloads import RawRequest

URL = reverse("attendance:quarantine")


@pytest.fixture
def line(send, zk_clock):
    body = b"1001\t2026-11-26 08:31:00\t0\t1\t0\t0\t0\nthis is not a record\n"
    raw = RawRequest("POST", "/iclock/cdata", {"SN": "CQZ7231360123", "table": "ATTLOG"}, {}, body)
    assert send(raw).status_code == 200
    return QuarantinedLine.objects.get()


def test_staff_settle_a_line_with_a_note(client, staff, line):
    client.force_login(staff)
    page = client.get(URL).content.decode()
    assert "this is not a record" in page and 'data-testid="quarantine-resolve"' in page

    empty = client.post(URL, {"line": line.pk, "note": "  "}, follow=True)
    assert "处理说明" in empty.content.decode()
    line.refresh_from_db()
    assert line.resolved_at is None

    client.post(URL, {"line": line.pk, "note": "已在设备上核对，系乱码"})
    line.refresh_from_db()
    assert line.resolved_at is not None and line.resolved_by == staff
    assert line.resolution == "已在设备上核对，系乱码"
    assert "this is not a record" not in client.get(URL).content.decode()
    settled = client.get(URL + "?show=resolved").content.decode()
    assert "已在设备上核对，系乱码" in settled and 'data-testid="quarantine-resolve"' not in settled
    assert QuarantinedLine.objects.unresolved().count() == 0


def test_a_secretary_sees_her_villages_lines_but_cannot_settle_them(client, secretary_a, line):
    client.force_login(secretary_a)
    page = client.get(URL).content.decode()
    assert "this is not a record" in page
    assert 'data-testid="quarantine-resolve"' not in page  # no button that leads to a 403
    assert client.post(URL, {"line": line.pk, "note": "x"}).status_code == 403
    line.refresh_from_db()
    assert line.resolved_at is None


def test_another_village_neither_sees_nor_reaches_the_line(client, secretary_b, line):
    client.force_login(secretary_b)
    assert "this is not a record" not in client.get(URL).content.decode()


def test_a_line_outside_the_staff_members_reach_is_a_404(client, staff, line):
    client.force_login(staff)
    assert client.post(URL, {"line": 999999, "note": "x"}).status_code == 404
