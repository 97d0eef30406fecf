from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class BackupRun(models.Model):
    """One run of ``backup``: where the copy went, what its manifest says, or why not."""

    started_at = models.DateTimeField(_("开始时间"))
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    ok = models.BooleanField(_("成功"), default=False)
    #: the backup's folder name under JINHU_BACKUP_DIR
    name = models.CharField(_("备份名称"), max_length=100, blank=True)
    vendor = models.CharField(_("数据库类型"), max_length=20)
    size_bytes = models.PositiveBigIntegerField(_("大小（字节）"), default=0)
    seconds = models.FloatField(_("耗时（秒）"), null=True, blank=True)
    manifest = models.JSONField(_("清单"), default=dict, blank=True)
    error = models.TextField(_("错误"), blank=True)

    class Meta:
        verbose_name = _("备份记录")
        verbose_name_plural = _("备份记录")
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return self.name or f"{self.started_at:%Y-%m-%d %H:%M}"


class DrillRun(models.Model):
    """One restore drill: the newest backup restored into a scratch database and compared."""

    started_at = models.DateTimeField(_("开始时间"))
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    ok = models.BooleanField(_("通过"), default=False)
    backup_name = models.CharField(_("备份名称"), max_length=100, blank=True)
    #: when the restored backup was taken (the recovery point it proves)
    backup_taken_at = models.DateTimeField(_("备份时间"), null=True, blank=True)
    restore_seconds = models.FloatField(_("恢复耗时（秒）"), null=True, blank=True)
    seconds = models.FloatField(_("总耗时（秒）"), null=True, blank=True)
    #: tables compared, mismatches, pending migrations, checksums
    details = models.JSONField(_("核对结果"), default=dict, blank=True)
    error = models.TextField(_("错误"), blank=True)

    class Meta:
        verbose_name = _("恢复演练")
        verbose_name_plural = _("恢复演练")
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.backup_name} {'通过' if self.ok else '失败'}"
