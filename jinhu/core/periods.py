"""Reporting periods: months, years, report deadlines, and which period is still open.

Pure date arithmetic (no clock, no ORM): callers pass "today" from
``jinhu.core.clock``. Every view, job and command that needs "last month",
"the month whose reports are due" or "the bounds of a year" asks here, so the
answer is the same everywhere, in January and on the 31st alike.

A month's progress reports are due on ``due_day`` of the following month
(``JINHU_REPORT_DUE_DAY``, default the 5th). Until that day has passed the
month is *provisional* (进行中): it is shown, but a village is not penalised for
a report that is not yet due.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

#: the years the portal accepts in parameters, imports and forms
YEAR_MIN = 2000
YEAR_MAX = 2100


@dataclass(frozen=True, order=True)
class Month:
    year: int
    month: int

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12:
            raise ValueError(f"month out of range: {self.month}")
        if not 1 <= self.year <= 9998:
            raise ValueError(f"year out of range: {self.year}")

    @classmethod
    def of(cls, day: dt.date) -> Month:
        return cls(day.year, day.month)

    @classmethod
    def parse(cls, value: str) -> Month:
        """``"2026-11"`` → Month(2026, 11); ValueError for anything else."""
        year, sep, month = value.strip().partition("-")
        if not sep or len(year) != 4 or not year.isdigit() or not month.isdigit():
            raise ValueError(f"not a month: {value!r}")
        return cls(int(year), int(month))

    @property
    def first(self) -> dt.date:
        return dt.date(self.year, self.month, 1)

    @property
    def last(self) -> dt.date:
        return dt.date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])

    def next(self) -> Month:
        return Month(self.year + 1, 1) if self.month == 12 else Month(self.year, self.month + 1)

    def previous(self) -> Month:
        return Month(self.year - 1, 12) if self.month == 1 else Month(self.year, self.month - 1)

    def shifted(self, months: int) -> Month:
        """The month ``months`` after this one (before it when negative)."""
        index = self.year * 12 + self.month - 1 + months
        return Month(index // 12, index % 12 + 1)

    def contains(self, day: dt.date) -> bool:
        return (day.year, day.month) == (self.year, self.month)

    @property
    def key(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def label(self) -> str:
        return f"{self.year}年{self.month}月"

    def __str__(self) -> str:
        return self.key


def previous_month(today: dt.date) -> Month:
    """The calendar month before the one ``today`` is in (December for any day of January)."""
    return Month.of(today).previous()


def last_complete_month(today: dt.date) -> Month:
    """The latest month that has ended: pages open on it by default."""
    return previous_month(today)


def report_deadline(month: Month, due_day: int) -> dt.date:
    """The last day on which ``month``'s progress report is on time."""
    following = month.next()
    return dt.date(following.year, following.month, min(due_day, following.last.day))


def is_provisional(month: Month, today: dt.date, due_day: int) -> bool:
    """Whether ``month`` is still open: not over, or its reports not yet due (进行中)."""
    return today <= report_deadline(month, due_day)


def last_closed_month(today: dt.date, due_day: int) -> Month:
    """The latest month whose report deadline has passed (scored normally)."""
    month = previous_month(today)
    while is_provisional(month, today, due_day):
        month = month.previous()
    return month


def year_bounds(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def months_of(year: int, today: dt.date) -> list[Month]:
    """The months of ``year`` that have begun by ``today`` (all twelve for a past year)."""
    if year < today.year:
        return [Month(year, m) for m in range(1, 13)]
    if year > today.year:
        return []
    return [Month(year, m) for m in range(1, today.month + 1)]


def year_in_range(year: int) -> bool:
    return YEAR_MIN <= year <= YEAR_MAX
