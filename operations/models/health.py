from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Heartbeat(models.Model):
    """The last sign of life of a background process (``worker``, ``beat``)."""

    WORKER = "worker"
    BEAT = "beat"

    name = models.CharField(_("进程"), max_length=32, primary_key=True)
    beat_at = models.DateTimeField(_("最近心跳"))
    detail = models.JSONField(_("详情"), default=dict, blank=True)

    class Meta:
        verbose_name = _("进程心跳")
        verbose_name_plural = _("进程心跳")

    def __str__(self) -> str:
        return f"{self.name} {self.beat_at:%Y-%m-%d %H:%M:%S}"


class TaskTally(models.Model):
    """Failures and retries of one Celery task, counted by the worker as they happen
    (in the database: the metrics endpoint runs in another process)."""

    name = models.CharField(_("任务"), max_length=100, primary_key=True)
    failures = models.PositiveBigIntegerField(_("失败次数"), default=0)
    retries = models.PositiveBigIntegerField(_("重试次数"), default=0)
    last_failure_at = models.DateTimeField(_("最近失败"), null=True, blank=True)
    last_error = models.CharField(_("最近错误"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("任务失败统计")
        verbose_name_plural = _("任务失败统计")

    def __str__(self) -> str:
        return self.name
