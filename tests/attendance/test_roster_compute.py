"""The pure schedule computation: holidays, 调休 Saturdays, overrides, seasons."""

import datetime as dt

from attendance.core import workdays
from attendance.core.schedule import (
    AM,
    FULL,
    ON_CALL,
    SIT_IN,
    Hours,
    OverrideInput,
    RotationInput,
    RulesInput,
    compute_slots,
)

RULES = RulesInput(
    summer_hours=Hours(dt.time(8), dt.time(12), dt.time(14, 30), dt.time(17, 30)),
    winter_hours=Hours(dt.time(8, 30), dt.time(12), dt.time(14), dt.time(17)),
    summer_from=(5, 1),
    winter_from=(10, 1),
    makeup_follows_weekday=0,
)
START = dt.date(2025, 1, 1)
ROTATION = [
    RotationInput(cadre_id=1, weekday=3, part=FULL, kind=SIT_IN, valid_from=START),  # Thu
    RotationInput(cadre_id=2, weekday=0, part=FULL, kind=SIT_IN, valid_from=START),  # Mon
    RotationInput(cadre_id=3, weekday=5, part=AM, kind=ON_CALL, valid_from=START),  # Sat
]


def slots(start, end, overrides=(), overrides_decided=None):
    return compute_slots(
        start,
        end,
        rules=RULES,
        rotation=ROTATION,
        overrides=overrides,
        day_info=lambda d: workdays.day_info(d, overrides_decided),
    )


def on(result, day):
    return {(s.cadre_id, s.kind) for s in result if s.day == day}


def test_national_day_holiday_has_no_sit_in_duty():
    result = slots(dt.date(2026, 9, 28), dt.date(2026, 10, 11))
    assert on(result, dt.date(2026, 10, 1)) == set()  # Thursday, 国庆节
    assert on(result, dt.date(2026, 10, 5)) == set()  # Monday, 国庆节
    assert on(result, dt.date(2026, 10, 8)) == {(1, SIT_IN)}  # Thursday after the holiday


def test_makeup_saturday_follows_monday_and_keeps_on_call():
    result = slots(dt.date(2026, 10, 10), dt.date(2026, 10, 10))  # 调休上班 Saturday
    assert on(result, dt.date(2026, 10, 10)) == {(2, SIT_IN), (3, ON_CALL)}
    info = workdays.official(dt.date(2026, 10, 10))
    assert info.is_makeup_workday and info.label == "国庆节调休上班"


def test_on_call_runs_on_holiday_saturdays_too():
    assert on(slots(dt.date(2026, 10, 3), dt.date(2026, 10, 3)), dt.date(2026, 10, 3)) == {
        (3, ON_CALL)
    }


def test_override_stands_in_and_swap_moves_both():
    day = dt.date(2026, 10, 15)  # Thursday
    stand_in = [
        OverrideInput(
            day=day, part=FULL, original_cadre_id=1, replacement_cadre_id=4, override_id=7
        )
    ]
    result = slots(day, day, stand_in)
    assert on(result, day) == {(4, SIT_IN)}
    assert result[0].override_id == 7


def test_removal_and_addition():
    day = dt.date(2026, 10, 15)
    changes = [
        OverrideInput(day=day, part=FULL, original_cadre_id=1, replacement_cadre_id=None),
        OverrideInput(day=day, part=AM, original_cadre_id=None, replacement_cadre_id=5),
    ]
    assert on(slots(day, day, changes), day) == {(5, SIT_IN)}


def test_seasonal_hours_switch_on_the_set_date():
    summer = slots(dt.date(2026, 9, 24), dt.date(2026, 9, 24))[0]  # Thursday in summer
    winter = slots(dt.date(2026, 10, 15), dt.date(2026, 10, 15))[0]
    assert summer.starts_at.time() == dt.time(8) and summer.ends_at.time() == dt.time(17, 30)
    assert winter.starts_at.time() == dt.time(8, 30) and winter.ends_at.time() == dt.time(17)
    assert str(winter.starts_at.tzinfo) == "Asia/Shanghai"


def test_local_override_beats_the_official_calendar():
    typhoon = {dt.date(2026, 10, 15): (False, "台风停班")}
    assert (
        on(slots(dt.date(2026, 10, 15), dt.date(2026, 10, 15), (), typhoon), dt.date(2026, 10, 15))
        == set()
    )


def test_year_without_official_data_falls_back_to_weekdays():
    info = workdays.official(dt.date(2027, 1, 4))  # a Monday in a year the package lacks
    assert info.is_workday and not info.confirmed
    assert not workdays.official(dt.date(2027, 1, 9)).is_workday  # Saturday
    assert not workdays.year_is_covered(2027)
    assert workdays.year_is_covered(2026)
    decided = {dt.date(2027, 1, 1): (False, "元旦")}
    assert workdays.day_info(dt.date(2027, 1, 1), decided).confirmed


def test_rotation_validity_limits_entries():
    ended = [
        RotationInput(
            cadre_id=9,
            weekday=3,
            part=FULL,
            kind=SIT_IN,
            valid_from=START,
            valid_until=dt.date(2026, 10, 14),
        )
    ]
    result = compute_slots(
        dt.date(2026, 10, 8),
        dt.date(2026, 10, 15),
        rules=RULES,
        rotation=ended,
        overrides=(),
        day_info=workdays.official,
    )
    assert [s.day for s in result] == [dt.date(2026, 10, 8)]
