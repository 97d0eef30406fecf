"""A year the holiday package lacks (2027), entered by staff; rosters follow it."""

import datetime as dt

import pytest

from attendance.models import DutyRules, DutySlot, HolidayOverride, RotationEntry
from attendance.services import holidays
from tests.factories import CadreFactory

SPRING_FESTIVAL_2027 = """日期,安排,名称
2027-02-05,休,春节
2027-02-06,休,春节
2027-02-07,休,春节
2027-02-08,休,春节
2027-02-09,休,春节
2027-02-10,休,春节
2027-02-11,休,春节
2027-02-12,休,春节
2027-02-14,班,春节调休上班
2027-02-20,班,春节调休上班
"""


def test_parse_reports_every_unusable_line():
    days, errors = holidays.schedule_parse(
        "2027-02-06，休，春节\n2027/02/14\t班\t调休\n2027-13-01,休\n2026-10-01,休,国庆\n"
        "2027-05-01,放假\n2027-05-02\n2027-05-03,半天,劳动节\n",
        year=2027,
    )
    assert [(d.day, d.is_workday) for d in days] == [
        (dt.date(2027, 2, 6), False),
        (dt.date(2027, 2, 14), True),
        (dt.date(2027, 5, 1), False),
    ]
    assert len(errors) == 4
    assert any("第 3 行" in e and "无法识别" in e for e in errors)
    assert any("不属于 2027 年" in e for e in errors)
    assert any("“休”或“班”" in e for e in errors)


@pytest.fixture
def weekday_village(village_a):
    DutyRules.objects.create(village=village_a)
    cadre = CadreFactory(village=village_a, name="周一到周五")
    for weekday in range(5):
        RotationEntry.objects.create(
            village=village_a,
            cadre=cadre,
            weekday=weekday,
            part="full",
            valid_from=dt.date(2026, 12, 1),
        )
    return village_a


@pytest.mark.frozen_at("2027-01-10T09:00:00+08:00")
def test_a_roster_across_the_2027_spring_festival_follows_the_entered_schedule(
    client, subdistrict_admin, weekday_village
):
    from attendance.services.rosters import slots_extend_horizon

    slots_extend_horizon()  # (the nightly job: before the schedule, Monday to Friday)
    assert DutySlot.objects.filter(village=weekday_village, day=dt.date(2027, 2, 8)).exists()
    client.force_login(subdistrict_admin)
    page = client.get("/attendance/holidays/?year=2027").content.decode()
    assert "尚未录入" in page
    response = client.post(
        "/attendance/holidays/?year=2027",
        {"text": SPRING_FESTIVAL_2027, "note": "国办发明电〔2026〕7号"},
    )
    assert response.status_code == 302
    assert HolidayOverride.objects.filter(day__year=2027).count() == 10
    days = set(
        DutySlot.objects.filter(
            village=weekday_village, day__gte=dt.date(2027, 2, 1), day__lte=dt.date(2027, 2, 28)
        ).values_list("day", flat=True)
    )
    for off in (5, 8, 9, 10, 11, 12):  # weekdays of the holiday: no duty
        assert dt.date(2027, 2, off) not in days
    for makeup in (14, 20):  # Sunday and Saturday worked in exchange: duty
        assert dt.date(2027, 2, makeup) in days
    assert dt.date(2027, 2, 15) in days and dt.date(2027, 2, 4) in days
    page = client.get("/attendance/holidays/?year=2027").content.decode()
    assert "国办发明电〔2026〕7号" in page and "春节调休上班" in page
    # Entering it again changes nothing.
    client.post(
        "/attendance/holidays/?year=2027",
        {"text": SPRING_FESTIVAL_2027, "note": "国办发明电〔2026〕7号"},
    )
    assert HolidayOverride.objects.filter(day__year=2027).count() == 10


@pytest.mark.frozen_at("2027-01-10T09:00:00+08:00")
def test_an_uploaded_gbk_file_is_read_and_bad_lines_are_refused(client, subdistrict_admin, db):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(subdistrict_admin)
    upload = SimpleUploadedFile("2027.csv", SPRING_FESTIVAL_2027.encode("gbk"), "text/csv")
    client.post("/attendance/holidays/?year=2027", {"file": upload, "note": "通知"})
    assert HolidayOverride.objects.filter(day__year=2027).count() == 10
    response = client.post(
        "/attendance/holidays/?year=2027", {"text": "2027-02-30,休,春节", "note": "通知"}
    )
    assert "无法识别" in response.content.decode()
    assert HolidayOverride.objects.filter(day__year=2027).count() == 10  # nothing lost


@pytest.mark.frozen_at("2026-12-02T09:00:00+08:00")
def test_a_banner_from_december_until_next_year_is_entered(client, subdistrict_admin, secretary_a):
    client.force_login(secretary_a)
    assert 'data-testid="holiday-banner"' not in client.get("/").content.decode()
    client.force_login(subdistrict_admin)
    assert 'data-testid="holiday-banner"' in client.get("/").content.decode()
    assert (
        client.post(
            "/attendance/holidays/?year=2027", {"text": SPRING_FESTIVAL_2027, "note": "通知"}
        ).status_code
        == 302
    )
    assert 'data-testid="holiday-banner"' not in client.get("/").content.decode()


@pytest.mark.frozen_at("2026-11-20T09:00:00+08:00")
def test_no_banner_before_december(client, subdistrict_admin):
    client.force_login(subdistrict_admin)
    assert 'data-testid="holiday-banner"' not in client.get("/").content.decode()


def test_only_staff_enter_a_schedule(client, secretary_a):
    client.force_login(secretary_a)
    assert client.get("/attendance/holidays/").status_code == 200
    response = client.post(
        "/attendance/holidays/?year=2027", {"text": "2027-02-06,休", "note": "x"}
    )
    assert response.status_code == 403
    assert not HolidayOverride.objects.exists()
