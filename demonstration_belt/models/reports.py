"""Monthly progress reports (月度进度): one per village and month, their items, evidence
and the history of every transition."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jinhu.core.upload_fields import DocumentField
from villages.selectors import ScopedQuerySet, Village


# ---------------------------------------------------------------------------
# Monthly progress reports
# ---------------------------------------------------------------------------
class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已提交")
    RETURNED = "returned", _("已退回")
    APPROVED = "approved", _("已通过")


class MonthlyReport(models.Model):
    village = models.ForeignKey(
        Village, on_delete=models.PROTECT, related_name="reports", verbose_name=_("村（社区）")
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    month = models.PositiveSmallIntegerField(_("月份"))
    status = models.CharField(
        _("状态"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.DRAFT
    )
    narrative = models.TextField(_("本月工作情况"), blank=True)
    due_on = models.DateField(_("报送期限"))
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    approved_at = models.DateTimeField(_("通过时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("月度进度报告")
        verbose_name_plural = _("月度进度报告")
        ordering = ["-year", "-month", "village__sort_order"]
        constraints = [
            models.UniqueConstraint(fields=["village", "year", "month"], name="report_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.village} {self.year}年{self.month}月"

    def get_absolute_url(self) -> str:
        return reverse("belt:report", kwargs={"pk": self.pk})

    @property
    def editable(self) -> bool:
        return self.status in (ReportStatus.DRAFT, ReportStatus.RETURNED)


class ReportItemQuerySet(ScopedQuerySet):
    village_path = "report__village"


class ReportItem(models.Model):
    class Progress(models.TextChoices):
        NOT_STARTED = "not_started", _("未开始")
        IN_PROGRESS = "in_progress", _("推进中")
        DONE = "done", _("已完成")

    report = models.ForeignKey(
        MonthlyReport, on_delete=models.CASCADE, related_name="items", verbose_name=_("报告")
    )
    target = models.ForeignKey(
        "demonstration_belt.Target",
        on_delete=models.PROTECT,
        related_name="report_items",
        verbose_name=_("目标"),
    )
    progress = models.CharField(
        _("进度"), max_length=12, choices=Progress.choices, default=Progress.NOT_STARTED
    )
    value = models.DecimalField(_("当前值"), max_digits=12, decimal_places=2, null=True, blank=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)

    objects = ReportItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("目标进度")
        verbose_name_plural = _("目标进度")
        constraints = [
            models.UniqueConstraint(fields=["report", "target"], name="report_item_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.target} {self.get_progress_display()}"


class EvidenceQuerySet(ScopedQuerySet):
    village_path = "report__village"


class Evidence(models.Model):
    """A photo, PDF or scan proving progress; stored outside the web root."""

    report = models.ForeignKey(
        MonthlyReport, on_delete=models.CASCADE, related_name="evidence", verbose_name=_("报告")
    )
    item = models.ForeignKey(
        ReportItem,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="evidence",
        verbose_name=_("目标进度"),
    )
    file = DocumentField(_("文件"), upload_to="evidence/%Y/%m/")
    original_name = models.CharField(_("原文件名"), max_length=200)
    content_type = models.CharField(_("类型"), max_length=50)
    size = models.PositiveIntegerField(_("大小（字节）"))
    sha256 = models.CharField(_("摘要"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("上传人"),
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    objects = EvidenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("佐证材料")
        verbose_name_plural = _("佐证材料")
        ordering = ["uploaded_at"]
        constraints = [
            # The same file twice on one report (a double submit) is kept once.
            models.UniqueConstraint(fields=["report", "sha256"], name="evidence_unique_per_report")
        ]

    def __str__(self) -> str:
        return self.original_name


class ReportEventQuerySet(ScopedQuerySet):
    village_path = "report__village"


class ReportEvent(models.Model):
    """The workflow's history: who submitted, returned, approved or reopened, and why."""

    class Action(models.TextChoices):
        SUBMIT = "submit", _("提交")
        RETURN = "return", _("退回")
        APPROVE = "approve", _("通过")
        REOPEN = "reopen", _("重新打开")

    report = models.ForeignKey(
        MonthlyReport, on_delete=models.CASCADE, related_name="events", verbose_name=_("报告")
    )
    action = models.CharField(_("操作"), max_length=10, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("操作人"),
    )
    comment = models.TextField(_("意见"), blank=True)
    at = models.DateTimeField(_("时间"), auto_now_add=True)

    objects = ReportEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("报告流转记录")
        verbose_name_plural = _("报告流转记录")
        ordering = ["at"]

    def __str__(self) -> str:
        return f"{self.report} {self.get_action_display()}"
