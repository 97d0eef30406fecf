from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Audience(models.TextChoices):
    """Who a rule tells about a village's matter (each only for the villages they see)."""

    VILLAGE = "village", _("村书记及村干部")
    GUIDES = "guides", _("驻村指导员、联系村班子成员")
    STAFF = "staff", _("街道工作人员")


class Rule(models.Model):
    """One kind of notification: when it fires (code, by ``key``), whom it tells, and its
    Chinese text. Administrators switch it on or off and change its timing and text;
    the beat job reads it on every run."""

    key = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=60)
    description = models.CharField(_("何时提醒"), max_length=200)
    audience = models.JSONField(_("提醒对象"), default=list)
    enabled = models.BooleanField(_("启用"), default=True)
    threshold = models.PositiveIntegerField(_("时间/阈值"), default=0)
    threshold_label = models.CharField(_("时间/阈值的含义"), max_length=40, blank=True)
    title = models.CharField(_("标题"), max_length=120)
    text = models.CharField(_("正文"), max_length=400)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)
    evaluated_at = models.DateTimeField(_("最近评估"), null=True, blank=True)

    class Meta:
        verbose_name = _("提醒规则")
        verbose_name_plural = _("提醒规则")
        ordering = ["sort_order", "key"]

    def __str__(self) -> str:
        return self.name

    @property
    def audience_labels(self) -> list[str]:
        labels = dict(Audience.choices)
        return [str(labels.get(a, a)) for a in self.audience]
