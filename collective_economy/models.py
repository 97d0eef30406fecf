"""The village collective economy (村级集体经济): accounts, 三资 registers, contracts,
the clean-up campaign, 一村一策 projects. Money is Decimal yuan, never float.

The county system keeps the books (no double entry here): villages enter the
figures a village accountant already keeps, monthly and yearly.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jinhu.core.upload_fields import PhotoField
from villages.models import ScopedQuerySet, Village

ZERO = Decimal("0.00")


def MoneyField(verbose_name, **kwargs):
    """Yuan, two decimals, up to 999,999,999,999.99."""
    kwargs.setdefault("default", ZERO)
    return models.DecimalField(verbose_name, max_digits=14, decimal_places=2, **kwargs)


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


class CleanupItem(models.Model):
    """The 三资 clean-up: a problem found and what became of it."""

    class Category(models.TextChoices):
        FUNDS = "funds", _("资金")
        ASSETS = "assets", _("资产")
        RESOURCES = "resources", _("资源")
        CONTRACTS = "contracts", _("合同")

    class Status(models.TextChoices):
        FOUND = "found", _("已发现")
        IN_PROGRESS = "in_progress", _("整改中")
        RESOLVED = "resolved", _("已整改")

    village = models.ForeignKey(
        Village,
        on_delete=models.PROTECT,
        related_name="cleanup_items",
        verbose_name=_("村（社区）"),
    )
    category = models.CharField(_("类别"), max_length=10, choices=Category.choices)
    found_on = models.DateField(_("发现日期"))
    description = models.CharField(_("问题"), max_length=300)
    amount_recovered = MoneyField(_("追回金额"))
    contract_regularised = models.ForeignKey(
        Contract,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("规范后的合同"),
    )
    status = models.CharField(
        _("状态"), max_length=12, choices=Status.choices, default=Status.FOUND
    )
    resolved_on = models.DateField(_("整改完成日期"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("三资清理事项")
        verbose_name_plural = _("三资清理事项")
        ordering = ["-found_on"]

    def __str__(self) -> str:
        return self.description[:30]


class Project(models.Model):
    """A 一村一策 collective-economy project."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("谋划中")
        BUILDING = "building", _("建设中")
        OPERATING = "operating", _("运营中")
        STOPPED = "stopped", _("已停止")

    village = models.ForeignKey(
        Village, on_delete=models.PROTECT, related_name="projects", verbose_name=_("村（社区）")
    )
    name = models.CharField(_("项目名称"), max_length=100)
    description = models.TextField(_("简介"), blank=True)
    investment = MoneyField(_("总投资"))
    expected_annual_income = MoneyField(_("预期年收益"))
    actual_income_to_date = MoneyField(_("累计实际收益"))
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.PLANNED
    )
    starts_on = models.DateField(_("启动日期"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("一村一策项目")
        verbose_name_plural = _("一村一策项目")

    def __str__(self) -> str:
        return self.name


class ProjectMilestoneQuerySet(ScopedQuerySet):
    village_path = "project__village"


class ProjectMilestone(models.Model):
    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="milestones", verbose_name=_("项目")
    )
    title = models.CharField(_("节点"), max_length=100)
    due_on = models.DateField(_("计划日期"))
    done_on = models.DateField(_("完成日期"), null=True, blank=True)

    objects = ProjectMilestoneQuerySet.as_manager()

    class Meta:
        verbose_name = _("项目节点")
        verbose_name_plural = _("项目节点")
        ordering = ["due_on"]

    def __str__(self) -> str:
        return self.title


class ImportJob(models.Model):
    """One uploaded spreadsheet of figures, checked and then imported in the background.

    The file is kept with its checksum, and the job records who imported what, when,
    and what it changed: the history of bulk changes (which row-by-row audit does not
    see).
    """

    class Status(models.TextChoices):
        CHECKING = "checking", _("校验中")
        INVALID = "invalid", _("有错误，未导入")
        CHECKED = "checked", _("校验通过，待确认")
        IMPORTING = "importing", _("导入中")
        DONE = "done", _("已导入")
        FAILED = "failed", _("导入失败")

    kind = models.CharField(
        _("数据类型"), max_length=8, choices=[("monthly", _("月度收支")), ("annual", _("年度收支"))]
    )
    file_name = models.CharField(_("文件名"), max_length=200)
    data = models.BinaryField(_("文件内容"))
    sha256 = models.CharField(_("文件摘要"), max_length=64)
    file_format = models.CharField(_("格式"), max_length=20, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.CHECKING
    )
    rows = models.PositiveIntegerField(_("行数"), default=0)
    new = models.PositiveIntegerField(_("新增"), default=0)
    updated = models.PositiveIntegerField(_("更新"), default=0)
    unchanged = models.PositiveIntegerField(_("未变"), default=0)
    error_count = models.PositiveIntegerField(_("错误行数"), default=0)
    #: [[row, message], …], the first MAX_ERRORS of them
    errors = models.JSONField(_("错误"), default=list, blank=True)
    message = models.CharField(_("说明"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("导入人"),
    )
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("导入任务")
        verbose_name_plural = _("导入任务")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_status_display()})"

    @property
    def in_progress(self) -> bool:
        return self.status in (self.Status.CHECKING, self.Status.IMPORTING)
