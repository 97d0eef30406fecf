"""Accounts: the year's 消薄 lines, annual and monthly books a village accountant
already keeps, and their income lines. Money is Decimal yuan, never float."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from collective_economy.models.fields import MoneyField
from villages.selectors import ScopedQuerySet, Village


class Thresholds(models.Model):
    """The 消薄 lines for a year: a village is weak at or below either of them."""

    year = models.PositiveSmallIntegerField(_("年度"), unique=True)
    min_total_income = MoneyField(_("总收入须超过（元）"), default=Decimal("100000.00"))
    min_operating_income = MoneyField(_("经营性收入须超过（元）"), default=Decimal("50000.00"))

    class Meta:
        verbose_name = _("消薄标准")
        verbose_name_plural = _("消薄标准")
        ordering = ["-year"]

    def __str__(self) -> str:
        return f"{self.year}"


class AnnualAccount(models.Model):
    """A village's figures for a whole year (final once the books are closed)."""

    village = models.ForeignKey(
        Village,
        on_delete=models.PROTECT,
        related_name="annual_accounts",
        verbose_name=_("村（社区）"),
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    total_income = MoneyField(_("总收入"))
    operating_income = MoneyField(_("经营性收入"))
    other_income = MoneyField(_("其他收入"))
    expenses = MoneyField(_("总支出"))
    per_capita_net_income = MoneyField(_("农民人均纯收入"))
    is_final = models.BooleanField(_("已决算"), default=False)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("填报人"),
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("年度收支")
        verbose_name_plural = _("年度收支")
        ordering = ["-year", "village__sort_order"]
        constraints = [
            models.UniqueConstraint(fields=["village", "year"], name="annual_account_unique"),
            models.CheckConstraint(
                condition=Q(total_income=models.F("operating_income") + models.F("other_income")),
                name="annual_total_is_sum",
                violation_error_message=_("总收入应等于经营性收入与其他收入之和。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.village} {self.year}"


class MonthlyAccount(models.Model):
    village = models.ForeignKey(
        Village,
        on_delete=models.PROTECT,
        related_name="monthly_accounts",
        verbose_name=_("村（社区）"),
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    month = models.PositiveSmallIntegerField(
        _("月份"), validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    operating_income = MoneyField(_("经营性收入"))
    other_income = MoneyField(_("其他收入"))
    expenses = MoneyField(_("支出"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("填报人"),
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("月度收支")
        verbose_name_plural = _("月度收支")
        ordering = ["-year", "-month", "village__sort_order"]
        constraints = [
            models.UniqueConstraint(
                fields=["village", "year", "month"], name="monthly_account_unique"
            ),
            models.CheckConstraint(
                condition=Q(month__gte=1, month__lte=12), name="monthly_account_month_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.village} {self.year}-{self.month:02d}"

    @property
    def total_income(self) -> Decimal:
        return self.operating_income + self.other_income


class IncomeSource(models.TextChoices):
    LEASE = "lease", _("资产租赁")
    RESOURCE = "resource", _("资源发包")
    SERVICE = "service", _("物业及服务收入")
    INVESTMENT = "investment", _("投资收益")
    ENTERPRISE = "enterprise", _("村办企业")
    OTHER = "other", _("其他经营收入")


class IncomeLineQuerySet(ScopedQuerySet):
    village_path = "account__village"


class IncomeLine(models.Model):
    """Where a month's operating income came from."""

    account = models.ForeignKey(
        MonthlyAccount, on_delete=models.CASCADE, related_name="lines", verbose_name=_("月度收支")
    )
    source = models.CharField(_("来源"), max_length=12, choices=IncomeSource.choices)
    amount = MoneyField(_("金额"))

    objects = IncomeLineQuerySet.as_manager()

    class Meta:
        verbose_name = _("经营性收入来源")
        verbose_name_plural = _("经营性收入来源")
        constraints = [
            models.UniqueConstraint(fields=["account", "source"], name="income_line_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.get_source_display()} {self.amount}"
