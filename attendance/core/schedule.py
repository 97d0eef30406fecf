"""The final duty schedule, computed from a weekly rotation and dated overrides.

Pure functions over plain dataclasses (no ORM): ``services.slots_materialize``
feeds them rows and stores the result as ``DutySlot`` rows; tests feed them by
hand. The rules, in order:

1. A 坐班 (sit-in) rotation entry applies on its weekday when that day is a
   workday. A 调休 make-up workday on a weekend follows the rotation of the
   weekday the village's rules name (Monday by default).
2. A 值班 (on-call) rotation entry applies on its weekday whatever the day is.
3. A dated override then replaces one cadre by another for a date and part
   (stand-in, swap half), removes a cadre (no replacement) or adds one (no
   original). Overrides apply in the order they were made.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from attendance.core.workdays import DayInfo

AM, PM, FULL = "am", "pm", "full"
SIT_IN, ON_CALL = "sit_in", "on_call"


@dataclass(frozen=True)
class Hours:
    am_start: dt.time
    am_end: dt.time
    pm_start: dt.time
    pm_end: dt.time

    def window(self, part: str) -> tuple[dt.time, dt.time]:
        if part == AM:
            return self.am_start, self.am_end
        if part == PM:
            return self.pm_start, self.pm_end
        return self.am_start, self.pm_end


@dataclass(frozen=True)
class RulesInput:
    summer_hours: Hours
    winter_hours: Hours
    summer_from: tuple[int, int]  # (month, day) the summer timetable starts
    winter_from: tuple[int, int]
    makeup_follows_weekday: int = 0
    time_zone: str = "Asia/Shanghai"

    def hours_on(self, day: dt.date) -> Hours:
        md = (day.month, day.day)
        if self.summer_from <= self.winter_from:
            summer = self.summer_from <= md < self.winter_from
        else:  # a summer that wraps the new year (southern hemisphere; for completeness)
            summer = not (self.winter_from <= md < self.summer_from)
        return self.summer_hours if summer else self.winter_hours


@dataclass(frozen=True)
class RotationInput:
    cadre_id: int
    weekday: int
    part: str
    kind: str
    valid_from: dt.date
    valid_until: dt.date | None = None

    def valid_on(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_until is None or day <= self.valid_until)


@dataclass(frozen=True)
class OverrideInput:
    day: dt.date
    part: str
    original_cadre_id: int | None
    replacement_cadre_id: int | None
    kind: str = SIT_IN
    override_id: int | None = None


@dataclass(frozen=True)
class Slot:
    day: dt.date
    part: str
    cadre_id: int
    kind: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    #: id of the override that put the cadre here, or None for the rotation
    override_id: int | None = None

    @property
    def key(self) -> tuple[dt.date, str, int]:
        return (self.day, self.part, self.cadre_id)


@dataclass
class _Day:
    info: DayInfo
    entries: dict[tuple[str, int], tuple[str, int | None]] = field(default_factory=dict)


def compute_slots(
    start: dt.date,
    end: dt.date,
    *,
    rules: RulesInput,
    rotation: Iterable[RotationInput],
    overrides: Iterable[OverrideInput],
    day_info: Callable[[dt.date], DayInfo],
) -> list[Slot]:
    """Every duty slot from ``start`` to ``end`` inclusive, sorted."""
    rotation = list(rotation)
    by_day: dict[dt.date, list[OverrideInput]] = {}
    for override in overrides:
        by_day.setdefault(override.day, []).append(override)
    zone = ZoneInfo(rules.time_zone)
    slots: list[Slot] = []
    day = start
    while day <= end:
        state = _Day(day_info(day))
        pattern_weekday = day.weekday()
        if state.info.is_makeup_workday:
            pattern_weekday = rules.makeup_follows_weekday
        for entry in rotation:
            if not entry.valid_on(day):
                continue
            if entry.kind == SIT_IN:
                applies = state.info.is_workday and entry.weekday == pattern_weekday
            else:
                applies = entry.weekday == day.weekday()
            if applies:
                state.entries[(entry.part, entry.cadre_id)] = (entry.kind, None)
        for override in by_day.get(day, ()):
            kind = override.kind
            if override.original_cadre_id is not None:
                removed = state.entries.pop((override.part, override.original_cadre_id), None)
                if removed:
                    kind = removed[0]
            if override.replacement_cadre_id is not None:
                state.entries[(override.part, override.replacement_cadre_id)] = (
                    kind,
                    override.override_id,
                )
        hours = rules.hours_on(day)
        for (part, cadre_id), (kind, override_id) in state.entries.items():
            begin, finish = hours.window(part)
            slots.append(
                Slot(
                    day=day,
                    part=part,
                    cadre_id=cadre_id,
                    kind=kind,
                    starts_at=dt.datetime.combine(day, begin, zone),
                    ends_at=dt.datetime.combine(day, finish, zone),
                    override_id=override_id,
                )
            )
        day += dt.timedelta(days=1)
    slots.sort(key=lambda s: (s.day, s.starts_at, s.part, s.cadre_id))
    return slots
