"""Period logic, table-driven across month and year ends."""

import datetime as dt

import pytest

from jinhu.core import periods
from jinhu.core.periods import Month

D = dt.date


@pytest.mark.parametrize(
    "today, previous",
    [
        (D(2026, 11, 26), Month(2026, 10)),
        (D(2027, 1, 10), Month(2026, 12)),  # (a copy of this computation once gave 2027-12)
        (D(2027, 1, 1), Month(2026, 12)),
        (D(2026, 3, 31), Month(2026, 2)),
        (D(2024, 3, 1), Month(2024, 2)),
        (D(2026, 12, 31), Month(2026, 11)),
    ],
)
def test_previous_and_last_complete_month(today, previous):
    assert periods.previous_month(today) == previous
    assert periods.last_complete_month(today) == previous


@pytest.mark.parametrize(
    "month, due_day, deadline",
    [
        (Month(2026, 11), 5, D(2026, 12, 5)),
        (Month(2026, 12), 5, D(2027, 1, 5)),  # across the year end
        (Month(2027, 1), 31, D(2027, 2, 28)),  # a due day the next month does not have
        (Month(2028, 1), 31, D(2028, 2, 29)),
        (Month(2026, 4), 1, D(2026, 5, 1)),
    ],
)
def test_report_deadline(month, due_day, deadline):
    assert periods.report_deadline(month, due_day) == deadline


@pytest.mark.parametrize(
    "today, provisional",
    [
        (D(2026, 11, 30), True),  # November is not even over
        (D(2026, 12, 1), True),  # over, its reports not yet due
        (D(2026, 12, 5), True),  # due today: still on time
        (D(2026, 12, 6), False),  # the deadline has passed
        (D(2027, 1, 6), False),
    ],
)
def test_a_month_is_provisional_until_its_reports_are_due(today, provisional):
    assert periods.is_provisional(Month(2026, 11), today, 5) is provisional


@pytest.mark.parametrize(
    "today, closed",
    [
        (D(2026, 12, 1), Month(2026, 10)),
        (D(2026, 12, 6), Month(2026, 11)),
        (D(2027, 1, 5), Month(2026, 11)),
        (D(2027, 1, 6), Month(2026, 12)),
    ],
)
def test_last_closed_month(today, closed):
    assert periods.last_closed_month(today, 5) == closed


def test_months_of_a_year():
    assert periods.months_of(2026, D(2026, 3, 2)) == [Month(2026, m) for m in (1, 2, 3)]
    assert len(periods.months_of(2025, D(2026, 3, 2))) == 12
    assert periods.months_of(2027, D(2026, 3, 2)) == []


@pytest.mark.parametrize("text", ["2026-13", "2026-00", "26-11", "2026/11", "abc", "2026-"])
def test_month_parse_refuses_what_is_not_a_month(text):
    with pytest.raises(ValueError):
        Month.parse(text)


def test_month_walks_across_year_ends():
    assert Month(2026, 12).next() == Month(2027, 1)
    assert Month(2027, 1).previous() == Month(2026, 12)
    assert Month(2024, 2).last == D(2024, 2, 29)
    assert Month(2026, 11).label == "2026年11月" and Month(2026, 1).key == "2026-01"
