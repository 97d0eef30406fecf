"""消薄 status, the run-rate warning and the belt comparison (pure, Decimal only)."""

from decimal import Decimal as D

import pytest

from collective_economy.core import economy

LINES = economy.Lines()


@pytest.mark.parametrize(
    "total,operating,weak",
    [
        (D("100000.00"), D("60000.00"), True),  # exactly 100,000 is not enough
        (D("100000.01"), D("60000.00"), False),
        (D("150000.00"), D("50000.00"), True),  # exactly 50,000 is not enough
        (D("150000.00"), D("50000.01"), False),
        (D("99999.99"), D("49999.99"), True),
    ],
)
def test_weak_at_and_around_the_lines(total, operating, weak):
    assert economy.status(total, operating, LINES).weak is weak


def test_gaps_say_how_much_is_missing():
    result = economy.status(D("100000.00"), D("49000.00"), LINES)
    assert result.total_gap == D("0.01") and result.operating_gap == D("1000.01")


def test_lines_are_configurable():
    assert not economy.status(
        D("90000.01"), D("40000.01"), economy.Lines(D("90000"), D("40000"))
    ).weak


def test_run_rate_warning_from_the_third_quarter():
    months = [(m, D("7000.00"), D("3500.00")) for m in range(1, 7)]  # 84k / 42k a year
    early = economy.project(months, LINES)
    assert early.at_risk and not early.warn
    assert early.projected_total == D("84000.00")
    july = economy.project([*months, (7, D("7000.00"), D("3500.00"))], LINES)
    assert july.warn
    healthy = economy.project([(m, D("12000.00"), D("6000.00")) for m in range(1, 8)], LINES)
    assert not healthy.at_risk and not healthy.warn


def test_belt_against_the_others():
    comparison = economy.compare_per_capita(
        {1: D("19500.00"), 2: D("19300.00"), 3: D("18700.00"), 4: D("18500.00")}, {1, 2}
    )
    assert comparison.belt_average == D("19400.00")
    assert comparison.others_average == D("18600.00")
    assert comparison.lead == D("800.00")


def test_money_never_passes_through_float():
    """Every amount the rules return is a Decimal computed from Decimals."""
    months = [(m, D("10000.10"), D("5000.05")) for m in range(1, 4)]
    projection = economy.project(months, LINES)
    for value in (
        projection.projected_total,
        projection.projected_operating,
        projection.total_so_far,
    ):
        assert type(value) is D
    assert projection.projected_total == D("120001.20")
