"""TODO docstring."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from collective_economy.models import AnnualAccount, IncomeLine, MonthlyAccount
from jinhu.core import clock
from jinhu.core.history import audit_actor
from villages.selectors import Village


def _check(actor: User, village: Village) -> None:
    if not actor.has_perm("collective_economy.enter_figures", village):
        raise PermissionDenied(_("您无权填报该村的集体经济数据。"))


@transaction.atomic
def monthly_account_save(
    *,
    actor: User,
    village: Village,
    year: int,
    month: int,
    operating_income: Decimal,
    other_income: Decimal,
    expenses: Decimal,
    sources: dict[str, Decimal] | None = None,
) -> MonthlyAccount:
    _check(actor, village)
    today = clock.today()
    if (year, month) > (today.year, today.month):
        raise ValidationError({"month": _("不能填报未来月份的数据。")})
    for name, value in (
        ("operating_income", operating_income),
        ("other_income", other_income),
        ("expenses", expenses),
    ):
        if not isinstance(value, Decimal):
            raise TypeError(f"{name} must be Decimal, not {type(value).__name__}")
    if sources:
        total = sum(sources.values(), Decimal(0))
        if total != operating_income:
            raise ValidationError(
                {
                    "operating_income": _("经营性收入（%(a)s）应等于各来源之和（%(b)s）。")
                    % {"a": operating_income, "b": total}
                }
            )
    account, _created = MonthlyAccount.objects.get_or_create(
        village=village,
        year=year,
        month=month,
        defaults={
            "operating_income": operating_income,
            "other_income": other_income,
            "expenses": expenses,
            "updated_by": actor,
        },
    )
    account.operating_income, account.other_income = operating_income, other_income
    account.expenses, account.updated_by = expenses, actor
    account.full_clean()
    with audit_actor(actor):
        account.save()
        if sources is not None:
            account.lines.exclude(source__in=list(sources)).delete()
            for source, amount in sources.items():
                IncomeLine.objects.update_or_create(
                    account=account, source=source, defaults={"amount": amount}
                )
    return account


@transaction.atomic
def annual_account_save(
    *,
    actor: User,
    village: Village,
    year: int,
    operating_income: Decimal,
    other_income: Decimal,
    expenses: Decimal,
    per_capita_net_income: Decimal,
    is_final: bool = False,
) -> AnnualAccount:
    _check(actor, village)
    account = AnnualAccount.objects.filter(village=village, year=year).first() or AnnualAccount(
        village=village, year=year
    )
    account.operating_income, account.other_income = operating_income, other_income
    account.total_income = operating_income + other_income
    account.expenses, account.per_capita_net_income = expenses, per_capita_net_income
    account.is_final, account.updated_by = is_final, actor
    account.full_clean()
    with audit_actor(actor):
        account.save()
    return account
