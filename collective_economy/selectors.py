"""The collective economy's read API: figures per village and year, 消薄 status and
projections, per-capita comparisons (``Comparison``, ``compare_per_capita``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Max, Sum

from collective_economy.core import economy
from collective_economy.core.economy import Comparison, compare_per_capita
from collective_economy.models import AnnualAccount, Contract, MonthlyAccount, Thresholds
from villages.selectors import Village

__all__ = [
    "Comparison",
    "VillageYear",
    "compare_per_capita",
    "contracts_expiring",
    "income_by_source",
    "lines_for",
    "per_capita",
    "village_years",
    "weak_forecasts",
    "weak_summary",
]


def lines_for(year: int) -> economy.Lines:
    row = Thresholds.objects.filter(year=year).first()
    if row is None:
        return economy.Lines()
    return economy.Lines(row.min_total_income, row.min_operating_income)


@dataclass
class VillageYear:
    village: Village
    year: int
    source: str  # "annual" (closed books), "monthly" (sum of months so far) or "none"
    total_income: Decimal
    operating_income: Decimal
    per_capita_net_income: Decimal | None
    status: economy.Status | None
    projection: economy.Projection | None


def village_years(
    villages, year: int, *, today: dt.date | None = None, scope=None
) -> list[VillageYear]:
    """Each village's figures for ``year``: final annual books, else the months so far.

    Three queries whatever the number of villages. ``scope``: the same villages as a
    queryset of ids, when the caller has one (cheaper than a list of a thousand).
    """
    villages = list(villages)
    if scope is None:
        scope = [v.pk for v in villages]
    lines = lines_for(year)
    # (Values, not model instances: a city's staff read a thousand of them per page.)
    annual = {
        a["village_id"]: a
        for a in AnnualAccount.objects.filter(village_id__in=scope, year=year).values(
            "village_id", "is_final", "total_income", "operating_income", "per_capita_net_income"
        )
    }
    # One row per village (sums and the last month), not twelve: the projection only
    # needs the months so far and their totals.
    monthly: dict[int, list[tuple[int, Decimal, Decimal]]] = {}
    for row in (
        MonthlyAccount.objects.filter(village_id__in=scope, year=year)
        .values("village_id")
        .annotate(last=Max("month"), operating=Sum("operating_income"), other=Sum("other_income"))
    ):
        monthly[row["village_id"]] = [
            (row["last"], row["operating"] + row["other"], row["operating"])
        ]
    out = []
    for village in villages:
        account = annual.get(village.pk)
        months = monthly.get(village.pk, [])
        if account is not None and (account["is_final"] or not months):
            total, operating = account["total_income"], account["operating_income"]
            source = "annual"
        elif months:
            total = sum((t for _m, t, _o in months), Decimal(0))
            operating = sum((o for _m, _t, o in months), Decimal(0))
            source = "monthly"
        else:
            out.append(VillageYear(village, year, "none", Decimal(0), Decimal(0), None, None, None))
            continue
        out.append(
            VillageYear(
                village,
                year,
                source,
                total,
                operating,
                account["per_capita_net_income"] if account else None,
                economy.status(total, operating, lines),
                economy.project(months, lines) if source == "monthly" else None,
            )
        )
    return out


def weak_summary(scope, year: int) -> tuple[list[str], int]:
    """For a summary line: the names of the villages of ``scope`` (a queryset) not yet
    out of 消薄 in ``year``, and how many have books for it (annual, or months so far).
    The status is ``village_years``'s; without model instances or projections, so it
    stays cheap for a city."""
    lines = lines_for(year)
    annual = {
        a["village_id"]: a
        for a in AnnualAccount.objects.filter(village__in=scope, year=year).values(
            "village_id", "is_final", "total_income", "operating_income"
        )
    }
    monthly = {
        row["village_id"]: row
        for row in MonthlyAccount.objects.filter(village__in=scope, year=year)
        .values("village_id")
        .annotate(operating=Sum("operating_income"), other=Sum("other_income"))
    }
    weak: list[int] = []
    for village_id in set(annual) | set(monthly):
        account, months = annual.get(village_id), monthly.get(village_id)
        if account is not None and (account["is_final"] or months is None):
            total, operating = account["total_income"], account["operating_income"]
        elif months is not None:
            total, operating = months["operating"] + months["other"], months["operating"]
        else:
            continue
        if economy.status(total, operating, lines).weak:
            weak.append(village_id)
    names = (
        list(
            Village.objects.filter(pk__in=weak)
            .order_by("sort_order", "pk")
            .values_list("name", flat=True)
        )
        if weak
        else []
    )
    return names, len(set(annual) | set(monthly))


def per_capita(villages, year: int) -> dict[int, Decimal]:
    return dict(
        AnnualAccount.objects.filter(village__in=villages, year=year)
        .exclude(per_capita_net_income=0)
        .values_list("village_id", "per_capita_net_income")
    )


def income_by_source(village, year: int) -> dict[str, Decimal]:
    """The year's operating income by source, named by its label (租赁, 资源发包, …)."""
    from collective_economy.models import IncomeLine, IncomeSource

    labels = dict(IncomeSource.choices)
    return {
        str(labels.get(source, source)): Decimal(total or 0).quantize(Decimal("0.01"))
        for source, total in IncomeLine.objects.filter(account__village=village, account__year=year)
        .values_list("source")
        .annotate(total=Sum("amount"))
        .values_list("source", "total")
    }


# ---------------------------------------------------------------------------
# For the notification rules (notifications.services.occasions)
# ---------------------------------------------------------------------------
def contracts_expiring(today: dt.date, days: int) -> list[Contract]:
    """Contracts ending between ``today`` and ``days`` days later, soonest first."""
    return list(Contract.objects.expiring(today, days=days).select_related("village"))


@dataclass(frozen=True)
class WeakForecast:
    village: Village
    year: int
    months: int  # the months of books the projection stands on
    projection: economy.Projection


def weak_forecasts(year: int, through_month: int) -> list[WeakForecast]:
    """Villages without final books for ``year`` whose run rate over its months up to
    ``through_month`` (the closed ones: a month still open proves nothing) projects them
    still weak (消薄 not reached), late enough in the year to say so."""
    if through_month < 1:
        return []
    lines = lines_for(year)
    final = AnnualAccount.objects.filter(year=year, is_final=True).values("village_id")
    sums = (
        MonthlyAccount.objects.filter(year=year, month__lte=through_month)
        .exclude(village_id__in=final)
        .values("village_id")
        .annotate(last=Max("month"), operating=Sum("operating_income"), other=Sum("other_income"))
    )
    out = []
    villages = Village.objects.in_bulk([row["village_id"] for row in sums])
    for row in sums:
        months = [(row["last"], row["operating"] + row["other"], row["operating"])]
        projection = economy.project(months, lines)
        if projection is not None and projection.warn and row["village_id"] in villages:
            out.append(WeakForecast(villages[row["village_id"]], year, row["last"], projection))
    return sorted(out, key=lambda f: (f.village.sort_order, f.village.pk))
