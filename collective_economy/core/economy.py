"""Pure rules of the collective economy: 消薄 status, run-rate warning, comparisons.

Plain functions over Decimal values and small dataclasses; no ORM.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

DEFAULT_MIN_TOTAL = Decimal("100000.00")
DEFAULT_MIN_OPERATING = Decimal("50000.00")
#: the run-rate warning starts with the third quarter (figures for July are in)
WARNING_FROM_MONTH = 7
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Lines:
    min_total: Decimal = DEFAULT_MIN_TOTAL
    min_operating: Decimal = DEFAULT_MIN_OPERATING


@dataclass(frozen=True)
class Status:
    total_income: Decimal
    operating_income: Decimal
    weak: bool
    total_gap: Decimal  # how much more total income is needed (0 when cleared)
    operating_gap: Decimal


def status(total_income: Decimal, operating_income: Decimal, lines: Lines) -> Status:
    """Weak (薄弱村) when total income ≤ the line or operating income ≤ its line.

    The article's standard is income *over* 100,000 and 50,000 yuan: exactly
    100,000 or exactly 50,000 is not enough.
    """
    weak = total_income <= lines.min_total or operating_income <= lines.min_operating
    return Status(
        total_income=total_income,
        operating_income=operating_income,
        weak=weak,
        total_gap=max(Decimal(0), lines.min_total - total_income + CENT)
        if total_income <= lines.min_total
        else Decimal(0),
        operating_gap=max(Decimal(0), lines.min_operating - operating_income + CENT)
        if operating_income <= lines.min_operating
        else Decimal(0),
    )


@dataclass(frozen=True)
class Projection:
    months: int
    total_so_far: Decimal
    operating_so_far: Decimal
    projected_total: Decimal
    projected_operating: Decimal
    at_risk: bool
    warn: bool  # at risk and late enough in the year to say so


def project(monthly: list[tuple[int, Decimal, Decimal]], lines: Lines) -> Projection | None:
    """Run-rate projection from ``(month, total, operating)`` of the months so far."""
    if not monthly:
        return None
    months = max(m for m, _t, _o in monthly)
    total = sum((t for _m, t, _o in monthly), Decimal(0))
    operating = sum((o for _m, _t, o in monthly), Decimal(0))
    factor = Decimal(12) / Decimal(months)
    projected_total = (total * factor).quantize(CENT, ROUND_HALF_UP)
    projected_operating = (operating * factor).quantize(CENT, ROUND_HALF_UP)
    at_risk = status(projected_total, projected_operating, lines).weak
    return Projection(
        months,
        total,
        operating,
        projected_total,
        projected_operating,
        at_risk,
        warn=at_risk and months >= WARNING_FROM_MONTH,
    )


@dataclass(frozen=True)
class Comparison:
    belt_average: Decimal | None
    others_average: Decimal | None

    @property
    def lead(self) -> Decimal | None:
        if self.belt_average is None or self.others_average is None:
            return None
        return self.belt_average - self.others_average


def average(values: list[Decimal]) -> Decimal | None:
    if not values:
        return None
    return (sum(values, Decimal(0)) / len(values)).quantize(CENT, ROUND_HALF_UP)


def compare_per_capita(per_village: dict[int, Decimal], belt_ids: set[int]) -> Comparison:
    """Belt villages' average per-capita net income against the other villages'."""
    belt = [v for k, v in per_village.items() if k in belt_ids]
    others = [v for k, v in per_village.items() if k not in belt_ids]
    return Comparison(average(belt), average(others))
