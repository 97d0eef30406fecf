"""The 三资 registers: funds, assets and resources, and the contracts (with their
payments) that let them."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from collective_economy.models.fields import MoneyField
from jinhu.core.upload_fields import PhotoField
from villages.selectors import ScopedQuerySet, Village


# ---------------------------------------------------------------------------
# 三资: funds, assets, resources
# ---------------------------------------------------------------------------
class Fund(models.Model):
    village = models.ForeignKey(
        Village, on_delete=models.PROTECT, related_name="funds", verbose_name=_("村（社区）")
    )
    bank = models.CharField(_("开户银行"), max_length=64)
    account_name = models.CharField(_("账户名称"), max_length=64)
    account_tail = models.CharField(_("账号后四位"), max_length=4)
    balance = MoneyField(_("余额"))
    as_of = models.DateField(_("余额日期"))

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("资金账户")
        verbose_name_plural = _("资金账户")

    def __str__(self) -> str:
        return f"{self.bank} …{self.account_tail}"


class Asset(models.Model):
    class Category(models.TextChoices):
        BUILDING = "building", _("房屋建筑")
        EQUIPMENT = "equipment", _("机器设备")
        FACILITY = "facility", _("公益设施")
        OTHER = "other", _("其他")

    class Status(models.TextChoices):
        IN_USE = "in_use", _("自用")
        LEASED = "leased", _("出租")
        IDLE = "idle", _("闲置")
        DISPOSED = "disposed", _("已处置")

    village = models.ForeignKey(
        Village, on_delete=models.PROTECT, related_name="assets", verbose_name=_("村（社区）")
    )
    name = models.CharField(_("名称"), max_length=100)
    category = models.CharField(_("类别"), max_length=12, choices=Category.choices)
    value = MoneyField(_("原值"))
    location = models.CharField(_("坐落"), max_length=100, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.IN_USE
    )
    acquired_on = models.DateField(_("取得日期"), null=True, blank=True)
    photo = PhotoField(_("照片"), upload_to="assets/", blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("资产")
        verbose_name_plural = _("资产")

    def __str__(self) -> str:
        return self.name


class Resource(models.Model):
    class Kind(models.TextChoices):
        LAND = "land", _("耕地")
        POND = "pond", _("水面/鱼塘")
        FOREST = "forest", _("林地")
        CONSTRUCTION = "construction", _("集体建设用地")
        OTHER = "other", _("其他")

    village = models.ForeignKey(
        Village, on_delete=models.PROTECT, related_name="resources", verbose_name=_("村（社区）")
    )
    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices)
    area_mu = models.DecimalField(_("面积（亩）"), max_digits=10, decimal_places=2)
    location = models.CharField(_("坐落"), max_length=100, blank=True)
    use = models.CharField(_("用途"), max_length=100, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("资源")
        verbose_name_plural = _("资源")

    def __str__(self) -> str:
        return self.name


class ContractQuerySet(ScopedQuerySet):
    def expiring(self, today, days: int = 90):
        import datetime as dt

        return self.filter(ends_on__gte=today, ends_on__lte=today + dt.timedelta(days=days))


class Contract(models.Model):
    class Kind(models.TextChoices):
        LEASE = "lease", _("租赁")
        CONTRACTING = "contracting", _("承包")
        SERVICE = "service", _("服务")
        OTHER = "other", _("其他")

    village = models.ForeignKey(
        Village, on_delete=models.PROTECT, related_name="contracts", verbose_name=_("村（社区）")
    )
    title = models.CharField(_("合同名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices)
    counterparty = models.CharField(_("对方"), max_length=100)
    asset = models.ForeignKey(
        Asset,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contracts",
        verbose_name=_("涉及资产"),
    )
    resource = models.ForeignKey(
        Resource,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contracts",
        verbose_name=_("涉及资源"),
    )
    amount = MoneyField(_("合同总金额"))
    starts_on = models.DateField(_("起始日期"))
    ends_on = models.DateField(_("到期日期"))
    signed_on = models.DateField(_("签订日期"), null=True, blank=True)

    objects = ContractQuerySet.as_manager()

    class Meta:
        verbose_name = _("合同")
        verbose_name_plural = _("合同")
        ordering = ["ends_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gt=models.F("starts_on")),
                name="contract_ends_after_start",
                violation_error_message=_("到期日期必须晚于起始日期。"),
            ),
        ]

    def __str__(self) -> str:
        return self.title


class PaymentQuerySet(ScopedQuerySet):
    village_path = "contract__village"

    def overdue(self, today):
        return self.filter(due_on__lt=today, paid_on__isnull=True)

    def upcoming(self, today, days: int = 30):
        import datetime as dt

        return self.filter(
            due_on__gte=today, due_on__lte=today + dt.timedelta(days=days), paid_on__isnull=True
        )


class ContractPayment(models.Model):
    """One instalment of a contract's payment plan."""

    contract = models.ForeignKey(
        Contract, on_delete=models.CASCADE, related_name="payments", verbose_name=_("合同")
    )
    due_on = models.DateField(_("应收日期"))
    amount = MoneyField(_("应收金额"))
    paid_on = models.DateField(_("实收日期"), null=True, blank=True)
    paid_amount = MoneyField(_("实收金额"))

    objects = PaymentQuerySet.as_manager()

    class Meta:
        verbose_name = _("收款计划")
        verbose_name_plural = _("收款计划")
        ordering = ["due_on"]

    def __str__(self) -> str:
        return f"{self.contract} {self.due_on} {self.amount}"
