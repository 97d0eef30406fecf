"""The admin never skips a service: models with invariants are read-only there, or their
admin hands the write to the service that keeps the invariant."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from html.parser import HTMLParser

import pytest

from attendance.models import Device, DutySlot, RotationEntry
from attendance.models.devices import DeviceStatus
from attendance.services.absences import absence_submit
from attendance.services.devices import device_register
from demonstration_belt.models import Indicator, VillageScore
from demonstration_belt.services import scores
from tests.attendance.conftest import NOW
from tests.scoring.test_job import agreement_for

pytestmark = pytest.mark.django_db


class _Form(HTMLParser):
    """The fields of the admin's change form, as a browser would post them."""

    def __init__(self) -> None:
        super().__init__()
        self.data: dict[str, str] = {}
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in ("submit", "button", "file"):
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            self.data[name] = a.get("value") or ("on" if a.get("type") == "checkbox" else "")
        elif tag == "select" and name:
            self._select = name
            self.data.setdefault(name, "")
        elif tag == "option" and self._select and "selected" in a:
            self.data[self._select] = a.get("value", "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = ""

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea] += data


def form_data(html: str) -> dict[str, str]:
    parser = _Form()
    parser.feed(html)
    return parser.data


def test_editing_an_indicator_in_the_admin_makes_the_years_scores_stale(
    client, village_a, subdistrict_admin
):
    agreement = agreement_for(village_a)
    scores.score_period(year=2026, month=10)
    score = VillageScore.objects.get(village=village_a, month=10)
    assert not score.stale
    client.force_login(subdistrict_admin)
    url = f"/admin/demonstration_belt/agreement/{agreement.pk}/change/"
    data = form_data(client.get(url).content.decode())
    economy = Indicator.objects.get(agreement=agreement, kind="economy")
    prefix = next(k for k, v in data.items() if k.endswith("-id") and v == str(economy.pk))
    data[prefix.replace("-id", "-standard_score")] = "30"
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    economy.refresh_from_db()
    score.refresh_from_db()
    assert economy.standard_score == D(30) and score.stale
    scores.rescore_stale()
    assert VillageScore.objects.get(village=village_a, month=10).max_total == D(80)


def test_only_staff_may_mark_an_agreement_changed(village_a, secretary_a):
    from django.core.exceptions import PermissionDenied

    agreement = agreement_for(village_a)
    with pytest.raises(PermissionDenied):
        scores.agreement_changed(actor=secretary_a, agreement=agreement)


@pytest.mark.parametrize(
    "path",
    [
        "attendance/rotationentry",
        "attendance/rosteroverride",
        "attendance/absencereport",
        "attendance/dutylogentry",
        "attendance/holidayoverride",
        "demonstration_belt/monthlyreport",
        "collective_economy/monthlyaccount",
    ],
)
def test_models_kept_by_services_cannot_be_added_in_the_admin(client, subdistrict_admin, path):
    client.force_login(subdistrict_admin)
    assert client.get(f"/admin/{path}/").status_code == 200  # (they can be read)
    assert client.get(f"/admin/{path}/add/").status_code == 403


def test_a_rotation_entry_cannot_be_changed_in_the_admin(client, duty_village, subdistrict_admin):
    entry = RotationEntry.objects.filter(village=duty_village["village"]).first()
    client.force_login(subdistrict_admin)
    url = f"/admin/attendance/rotationentry/{entry.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    assert client.post(url, {"weekday": (entry.weekday + 1) % 7}).status_code == 403
    entry.refresh_from_db()
    assert RotationEntry.objects.get(pk=entry.pk).weekday == entry.weekday


def test_an_absence_status_cannot_be_changed_in_the_admin(client, duty_village, subdistrict_admin):
    report = absence_submit(
        actor=subdistrict_admin,
        cadre=duty_village["wu"],
        kind="leave",
        starts_at=NOW + dt.timedelta(days=1),
        ends_at=NOW + dt.timedelta(days=1, hours=4),
        reason="看病",
    )
    status = report.status
    client.force_login(subdistrict_admin)
    url = f"/admin/attendance/absencereport/{report.pk}/change/"
    assert client.post(url, {"status": "approved"}).status_code == 403
    report.refresh_from_db()
    assert report.status == status != "approved"


def test_duty_rules_saved_in_the_admin_reach_the_slots(client, duty_village, subdistrict_admin):
    rules = duty_village["village"].duty_rules
    client.force_login(subdistrict_admin)
    url = f"/admin/attendance/dutyrules/{rules.pk}/change/"
    data = form_data(client.get(url).content.decode())
    data["winter_am_start"] = "08:00"
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    later = DutySlot.objects.filter(village=duty_village["village"], day__gt=NOW.date())
    first = later.order_by("day").first()
    assert first.starts_at.astimezone(NOW.tzinfo).time() == dt.time(8, 0)


def test_a_device_is_retired_from_the_admin_through_the_service(
    client, village_a, subdistrict_admin
):
    device, _token = device_register(
        actor=subdistrict_admin, kind="zk_clock", village=village_a, serial_number="ADM0001"
    )
    client.force_login(subdistrict_admin)
    change = client.post(f"/admin/attendance/device/{device.pk}/change/", {"status": "active"})
    assert change.status_code == 403
    response = client.post(
        "/admin/attendance/device/",
        {"action": "retire", "_selected_action": [device.pk], "index": 0},
    )
    assert response.status_code == 302
    assert Device.objects.get(pk=device.pk).status == DeviceStatus.RETIRED
