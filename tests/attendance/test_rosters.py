import datetime as dt

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied, ValidationError

from attendance.models import DutySlot, RosterOverride, RotationEntry
from attendance.selectors import coverage
from attendance.services import rosters

TODAY = dt.date(2026, 11, 25)


def names_on(village, day):
    return sorted(
        DutySlot.objects.filter(village=village, day=day).values_list("cadre__name", flat=True)
    )


def test_materialise_is_idempotent(duty_village):
    village = duty_village["village"]
    before = list(DutySlot.objects.values_list("pk", "cadre_id", "day", "part"))
    result = rosters.slots_materialize(
        village=village,
        start=dt.date(2026, 11, 16),
        end=dt.date(2026, 12, 20),
        include_started=True,
    )
    assert result == {"created": 0, "updated": 0, "deleted": 0}
    assert list(DutySlot.objects.values_list("pk", "cadre_id", "day", "part")) == before


def test_swap_moves_both_days(duty_village, secretary_a):
    v, wu, zheng = duty_village["village"], duty_village["wu"], duty_village["zheng"]
    friday_after = dt.date(2026, 11, 30)  # Monday: Wu
    tuesday = dt.date(2026, 12, 1)  # Tuesday: Zheng
    rosters.days_swap(
        actor=secretary_a,
        village=v,
        part="full",
        first_day=friday_after,
        first_cadre=wu,
        second_day=tuesday,
        second_cadre=zheng,
        reason="家中有事",
    )
    assert names_on(v, friday_after) == ["郑值班"]
    assert names_on(v, tuesday) == ["吴值班"]
    overrides = RosterOverride.objects.filter(village=v)
    assert overrides.count() == 2
    assert len({o.swap_group for o in overrides}) == 1
    assert all(o.approved_by == secretary_a for o in overrides)


def test_override_refuses_someone_not_on_duty(duty_village, secretary_a):
    v = duty_village["village"]
    with pytest.raises(ValidationError, match="没有排班"):
        rosters.override_create(
            actor=secretary_a,
            village=v,
            day=dt.date(2026, 11, 30),
            part="full",
            original=duty_village["zheng"],
            replacement=duty_village["wang"],
            reason="x",
        )


def test_past_dates_are_locked_for_secretaries(duty_village, secretary_a):
    v = duty_village["village"]
    yesterday = TODAY - dt.timedelta(days=1)  # Tuesday: Zheng
    with pytest.raises(ValidationError, match="已锁定"):
        rosters.override_create(
            actor=secretary_a,
            village=v,
            day=yesterday,
            part="full",
            original=duty_village["zheng"],
            replacement=duty_village["wang"],
            reason="补登",
        )
    with pytest.raises(PermissionDenied):
        rosters.override_create(
            actor=secretary_a,
            village=v,
            day=yesterday,
            part="full",
            original=duty_village["zheng"],
            replacement=duty_village["wang"],
            reason="补登",
            correction=True,
        )


def test_staff_correct_the_past_and_it_is_logged(duty_village, subdistrict_admin):
    v = duty_village["village"]
    yesterday = TODAY - dt.timedelta(days=1)
    override = rosters.override_create(
        actor=subdistrict_admin,
        village=v,
        day=yesterday,
        part="full",
        original=duty_village["zheng"],
        replacement=duty_village["wang"],
        reason="实际由王值班坐班，补登更正",
        correction=True,
    )
    assert override.is_correction
    assert names_on(v, yesterday) == ["王值班"]
    entry = LogEntry.objects.get_for_object(override).get()
    assert entry.actor == subdistrict_admin


def test_rotation_change_never_rewrites_the_past(duty_village, secretary_a):
    v, wang = duty_village["village"], duty_village["wang"]
    monday_past = dt.date(2026, 11, 23)
    rosters.rotation_set(
        actor=secretary_a, village=v, weekday=0, part="full", cadres=[wang], effective_from=TODAY
    )
    assert names_on(v, monday_past) == ["吴值班"]
    assert names_on(v, dt.date(2026, 11, 30)) == ["王值班"]
    old = RotationEntry.objects.get(village=v, weekday=0, cadre=duty_village["wu"])
    assert old.valid_until == TODAY - dt.timedelta(days=1)
    with pytest.raises(ValidationError):
        rosters.rotation_set(
            actor=secretary_a,
            village=v,
            weekday=0,
            part="full",
            cadres=[wang],
            effective_from=monday_past,
        )


def test_secretary_b_cannot_touch_village_a_roster(duty_village, secretary_b):
    with pytest.raises(PermissionDenied):
        rosters.rotation_set(
            actor=secretary_b,
            village=duty_village["village"],
            weekday=0,
            part="full",
            cadres=[],
            effective_from=TODAY,
        )


def test_coverage_flags_days_below_minimum(duty_village):
    v = duty_village["village"]
    v.duty_rules.min_on_duty = 2
    v.duty_rules.save()
    days, shares = coverage(v, TODAY, TODAY + dt.timedelta(days=6))
    assert [d.day for d in days if d.short] == [
        TODAY + dt.timedelta(days=n) for n in (0, 1, 2, 5, 6)
    ]
    by_name = {row["cadre"].name: row["half_days"] for row in shares}
    assert by_name == {"吴值班": 4, "郑值班": 4, "王值班": 2}  # half-days


def test_coverage_ok_with_minimum_one(duty_village):
    days, _shares = coverage(duty_village["village"], TODAY, TODAY + dt.timedelta(days=6))
    assert not [d for d in days if d.short]


def test_roster_page_swap_through_the_form(client, duty_village, secretary_a):
    client.force_login(secretary_a)
    v = duty_village["village"]
    response = client.post(
        f"/attendance/{v.code}/roster/",
        {
            "action": "swap",
            "swap-part": "full",
            "swap-first_day": "2026-11-30",
            "swap-first_cadre": duty_village["wu"].pk,
            "swap-second_day": "2026-12-01",
            "swap-second_cadre": duty_village["zheng"].pk,
            "swap-reason": "换班",
        },
    )
    assert response.status_code == 302
    assert names_on(v, dt.date(2026, 11, 30)) == ["郑值班"]


def test_roster_page_shows_field_errors(client, duty_village, secretary_a):
    client.force_login(secretary_a)
    response = client.post(
        f"/attendance/{duty_village['village'].code}/roster/",
        {
            "action": "swap",
            "swap-part": "full",
            "swap-first_day": "not-a-date",
            "swap-first_cadre": duty_village["wu"].pk,
            "swap-second_day": "2026-12-01",
            "swap-second_cadre": duty_village["zheng"].pk,
            "swap-reason": "",
        },
    )
    body = response.content.decode()
    assert "第一天：" in body and "原因：" in body


def test_roster_pages_are_404_for_another_village(client, duty_village, secretary_b):
    client.force_login(secretary_b)
    code = duty_village["village"].code
    for url in (
        f"/attendance/{code}/roster/",
        f"/attendance/{code}/coverage/",
        f"/attendance/{code}/dutylog/",
    ):
        assert client.get(url).status_code == 404


def test_unconfirmed_year_warning_until_staff_confirm(
    client, duty_village, secretary_a, subdistrict_admin
):
    from attendance.models import HolidayArrangement
    from attendance.selectors import unconfirmed_years

    assert unconfirmed_years({2026, 2027}) == [2027]
    HolidayArrangement.objects.create(
        year=2027, confirmed_by=subdistrict_admin, note="国办发明电〔2026〕X号"
    )
    assert unconfirmed_years({2026, 2027}) == []


def test_a_swap_takes_the_part_each_is_on_duty_by_default(client, duty_village, secretary_a):
    """The form's part starts as 按当天排班: two all-day duties are swapped whole (the old
    default, 上午, refused them with "该时段没有排班")."""
    from attendance.forms import SwapForm

    assert SwapForm(village=duty_village["village"], prefix="swap")["part"].value() in ("", None)
    client.force_login(secretary_a)
    v = duty_village["village"]
    response = client.post(
        f"/attendance/{v.code}/roster/",
        {
            "action": "swap",
            "swap-part": "",
            "swap-first_day": "2026-11-30",
            "swap-first_cadre": duty_village["wu"].pk,
            "swap-second_day": "2026-12-01",
            "swap-second_cadre": duty_village["zheng"].pk,
            "swap-reason": "家中有事",
        },
    )
    assert response.status_code == 302
    assert names_on(v, dt.date(2026, 11, 30)) == ["郑值班"]
    assert names_on(v, dt.date(2026, 12, 1)) == ["吴值班"]


def test_a_swap_says_who_has_no_duty_that_day(duty_village, secretary_a):
    # 王值班 sits on Fridays only: Monday 30 November is not his day.
    with pytest.raises(ValidationError, match="王值班 在 2026-11-30 没有排班"):
        rosters.days_swap(
            actor=secretary_a,
            village=duty_village["village"],
            first_day=dt.date(2026, 11, 30),
            first_cadre=duty_village["wang"],
            second_day=dt.date(2026, 12, 1),
            second_cadre=duty_village["zheng"],
            part="",
            reason="x",
        )
