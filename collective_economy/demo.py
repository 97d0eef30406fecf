"""Demo figures: three years in which the weak villages catch up, as the article says.

- 2024 and 2025 are closed years (final annual accounts); the current year has
  monthly figures up to last month.
- 山水村 and 新塘村 are weak in 2024, 新塘村 still in 2025; in the current year
  every village is over both lines already ("截至年底全街道实现全面消薄").
- Belt villages' per-capita net income leads the others' by 600–800 yuan.
Deterministic values, keyed on natural keys: loading twice changes nothing.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.db import transaction

from collective_economy.models import (
    AnnualAccount,
    Asset,
    CleanupItem,
    Contract,
    ContractPayment,
    Fund,
    IncomeLine,
    IncomeSource,
    MonthlyAccount,
    Project,
    ProjectMilestone,
    Resource,
    Thresholds,
)
from jinhu.core import clock
from villages.selectors import Village

BELT = {"hongqiao", "yongfeng", "jiyun", "qiaotou", "ruihu", "hupan", "jinxi"}
#: weak villages in the year two years ago (offset 0) and last year (offset 1)
WEAK = {0: {"shanshui", "xintang"}, 1: {"xintang"}}
CENT = Decimal("0.01")


def _money(value: float | int) -> Decimal:
    return Decimal(str(round(value, 2))).quantize(CENT)


@transaction.atomic
def load(stdout=None) -> None:
    today = clock.today()
    years = [today.year - 2, today.year - 1]
    for year in [*years, today.year]:
        Thresholds.objects.get_or_create(year=year)
    villages = list(Village.objects.filter(is_demo=True).order_by("sort_order"))
    for index, village in enumerate(villages):
        rng = random.Random(500 + index)
        belt = village.code in BELT
        for n, year in enumerate(years):
            weak = village.code in WEAK.get(n, set())
            operating = rng.randint(30000, 48000) if weak else rng.randint(62000, 140000)
            other = rng.randint(40000, 60000) if weak else rng.randint(45000, 90000)
            # Per-capita net income: others around 18,600 (+900 a year); the belt 600-800 more.
            base = 18600 + n * 900 + rng.randint(-150, 150)
            per_capita = base + (700 + rng.randint(-60, 60) if belt else 0)
            AnnualAccount.objects.get_or_create(
                village=village,
                year=year,
                defaults={
                    "operating_income": _money(operating),
                    "other_income": _money(other),
                    "total_income": _money(operating + other),
                    "expenses": _money((operating + other) * 0.7),
                    "per_capita_net_income": _money(per_capita),
                    "is_final": True,
                },
            )
        for month in range(1, today.month):
            operating = rng.randint(6500, 13000)
            other = rng.randint(4000, 8000)
            account, _created = MonthlyAccount.objects.get_or_create(
                village=village,
                year=today.year,
                month=month,
                defaults={
                    "operating_income": _money(operating),
                    "other_income": _money(other),
                    "expenses": _money((operating + other) * 0.65),
                },
            )
            lease = _money(operating * 0.6)
            for source, amount in (
                (IncomeSource.LEASE, lease),
                (IncomeSource.RESOURCE, _money(operating) - lease),
            ):
                IncomeLine.objects.update_or_create(
                    account=account, source=source, defaults={"amount": amount}
                )
        _registers(village, index, today, belt)
    if stdout:
        stdout.write(f"  economy: {len(villages)} villages, years {years[0]}–{today.year}")


def _registers(village: Village, index: int, today: dt.date, belt: bool) -> None:
    Fund.objects.update_or_create(
        village=village,
        account_tail=f"{1200 + index:04d}",
        defaults={
            "bank": "锦湖农商银行",
            "account_name": f"{village.name}股份经济合作社",
            "balance": _money(300000 + index * 25000),
            "as_of": today.replace(day=1),
        },
    )
    hall, _ = Asset.objects.update_or_create(
        village=village,
        name=f"{village.name}沿街店面",
        defaults={
            "category": Asset.Category.BUILDING,
            "value": _money(680000 + index * 40000),
            "location": "虹桥北路" if belt else "村口",
            "status": Asset.Status.LEASED,
            "acquired_on": dt.date(2015, 6, 1),
        },
    )
    Asset.objects.update_or_create(
        village=village,
        name="村级光伏发电设施",
        defaults={
            "category": Asset.Category.FACILITY,
            "value": _money(260000),
            "status": Asset.Status.IN_USE,
            "acquired_on": dt.date(2022, 9, 1),
        },
    )
    pond, _ = Resource.objects.update_or_create(
        village=village,
        name=f"{village.name}集体鱼塘",
        defaults={"kind": Resource.Kind.POND, "area_mu": Decimal("36.50"), "use": "发包养殖"},
    )
    # One lease expiring within 90 days (for the alert), one running; an overdue instalment.
    lease, _ = Contract.objects.update_or_create(
        village=village,
        title=f"{village.name}沿街店面租赁合同",
        defaults={
            "kind": Contract.Kind.LEASE,
            "counterparty": "锦湖便民超市（演示）",
            "asset": hall,
            "amount": _money(120000),
            "starts_on": dt.date(2023, 1, 1),
            "ends_on": today + dt.timedelta(days=40 + index * 5),
        },
    )
    ContractPayment.objects.update_or_create(
        contract=lease,
        due_on=dt.date(today.year, 1, 15),
        defaults={
            "amount": _money(40000),
            "paid_on": dt.date(today.year, 1, 12),
            "paid_amount": _money(40000),
        },
    )
    overdue = index % 3 == 0
    ContractPayment.objects.update_or_create(
        contract=lease,
        due_on=today - dt.timedelta(days=20),
        defaults={
            "amount": _money(20000),
            "paid_on": None if overdue else today,
            "paid_amount": _money(0 if overdue else 20000),
        },
    )
    Contract.objects.update_or_create(
        village=village,
        title=f"{village.name}鱼塘发包合同",
        defaults={
            "kind": Contract.Kind.CONTRACTING,
            "counterparty": "养殖户（演示）",
            "resource": pond,
            "amount": _money(90000),
            "starts_on": dt.date(2024, 3, 1),
            "ends_on": dt.date(2029, 2, 28),
        },
    )
    CleanupItem.objects.update_or_create(
        village=village,
        description="鱼塘发包合同未经民主程序、租金明显偏低",
        defaults={
            "category": CleanupItem.Category.CONTRACTS,
            "found_on": dt.date(2024, 5, 10),
            "amount_recovered": _money(12000),
            "status": CleanupItem.Status.RESOLVED,
            "resolved_on": dt.date(2024, 8, 1),
        },
    )
    if belt:
        project, _ = Project.objects.update_or_create(
            village=village,
            name=f"{village.name}“一村一策”农旅融合项目",
            defaults={
                "investment": _money(800000),
                "expected_annual_income": _money(90000),
                "actual_income_to_date": _money(56000 + index * 4000),
                "status": Project.Status.OPERATING,
                "starts_on": dt.date(2025, 3, 1),
            },
        )
        ProjectMilestone.objects.update_or_create(
            project=project,
            title="建成运营",
            defaults={"due_on": dt.date(2025, 9, 30), "done_on": dt.date(2025, 9, 20)},
        )
