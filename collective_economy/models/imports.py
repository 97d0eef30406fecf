"""An import of accounts from a workbook: checked as a whole, confirmed by a person,
applied all-or-nothing."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


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
