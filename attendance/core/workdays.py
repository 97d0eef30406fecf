"""Which days are workdays: Chinese public holidays and 调休 make-up workdays.

The official arrangement comes from the ``chinese-calendar`` package, which
only carries years it has data for (2004–2026 in 1.11.0) and raises
NotImplementedError beyond them. A year it lacks must not break rosters: we
fall back to Monday–Friday plus the holidays and make-up days staff entered
(``HolidayOverride``), and report the year as unconfirmed so staff see a
warning until the State Council's arrangement is entered or the package is
updated. Overrides always win, village-specific before sub-district-wide.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

import chinese_calendar

HOLIDAY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利纪念日",
}


@dataclass(frozen=True)
class DayInfo:
    day: dt.date
    is_workday: bool
    #: "" for an ordinary day; else the holiday's name, 调休上班, or the override's name
    label: str = ""
    #: True when the official data covers this year or staff decided the day
    confirmed: bool = True

    @property
    def is_makeup_workday(self) -> bool:
        """A weekend day on which people work (调休上班)."""
        return self.is_workday and self.day.weekday() >= 5


@lru_cache(maxsize=4096)
def official(day: dt.date) -> DayInfo:
    """The State Council arrangement for ``day``, or the weekday fallback."""
    try:
        on_holiday, name = chinese_calendar.get_holiday_detail(day)
        workday = chinese_calendar.is_workday(day)
    except NotImplementedError:
        return DayInfo(day, is_workday=day.weekday() < 5, confirmed=False)
    label = ""
    if name:
        label = HOLIDAY_NAMES.get(name, name)
        if workday:
            label = f"{label}调休上班"
    return DayInfo(day, is_workday=workday, label=label if (on_holiday or workday) else "")


def day_info(day: dt.date, overrides: dict[dt.date, tuple[bool, str]] | None = None) -> DayInfo:
    """``overrides`` maps a date to (is_workday, name) decided locally."""
    if overrides and day in overrides:
        is_workday, name = overrides[day]
        return DayInfo(day, is_workday=is_workday, label=name, confirmed=True)
    return official(day)


def year_is_covered(year: int) -> bool:
    """Whether the package carries the official arrangement for ``year``."""
    return official(dt.date(year, 6, 1)).confirmed
