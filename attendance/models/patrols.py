"""Patrol spot-checks (巡查) of a village's duty post, and the findings they confirm."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jinhu.core.upload_fields import PhotoField
from villages.selectors import Cadre, ScopedQuerySet, Village


class PatrolMethod(models.TextChoices):
    VIDEO = "video", _("视频巡查")
    VISIT = "visit", _("实地检查")


class PatrolResult(models.TextChoices):
    AT_POST = "at_post", _("在岗")
    AWAY_REPORTED = "away_reported", _("离岗（已报备）")
    AWAY_UNREPORTED = "away_unreported", _("离岗（未报备）")
    OFFICE_CLOSED = "office_closed", _("办公场所未开门")


#: results that, once confirmed, are findings against the cadre and village
FINDING_RESULTS = {PatrolResult.AWAY_UNREPORTED, PatrolResult.OFFICE_CLOSED}


class PatrolCheck(models.Model):
    village = models.ForeignKey(
        Village,
        on_delete=models.CASCADE,
        related_name="patrol_checks",
        verbose_name=_("村（社区）"),
    )
    checked_at = models.DateTimeField(_("检查时间"))
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("检查人"),
    )
    method = models.CharField(_("方式"), max_length=8, choices=PatrolMethod.choices)
    cadre = models.ForeignKey(
        Cadre,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="patrol_checks",
        verbose_name=_("值班干部"),
        help_text=_("当时应在岗的干部。"),
    )
    result = models.CharField(_("结果"), max_length=16, choices=PatrolResult.choices)
    note = models.CharField(_("情况说明"), max_length=300, blank=True)
    photo = PhotoField(_("现场照片"), upload_to="patrols/%Y/%m/", blank=True)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("巡查记录")
        verbose_name_plural = _("巡查记录")
        ordering = ["-checked_at"]

    def __str__(self) -> str:
        return f"{self.village} {self.checked_at:%Y-%m-%d %H:%M} {self.get_result_display()}"

    @property
    def may_become_finding(self) -> bool:
        return self.result in FINDING_RESULTS


class PatrolFinding(models.Model):
    """A confirmed absence without a report: scoring deducts for these."""

    patrol = models.OneToOneField(
        PatrolCheck, on_delete=models.PROTECT, related_name="finding", verbose_name=_("巡查记录")
    )
    village = models.ForeignKey(
        Village,
        on_delete=models.CASCADE,
        related_name="patrol_findings",
        verbose_name=_("村（社区）"),
    )
    cadre = models.ForeignKey(
        Cadre,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="patrol_findings",
        verbose_name=_("责任干部"),
    )
    day = models.DateField(_("日期"))
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("确认人"),
    )
    confirmed_at = models.DateTimeField(_("确认时间"), auto_now_add=True)
    reason = models.CharField(_("确认意见"), max_length=300)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("巡查问题")
        verbose_name_plural = _("巡查问题")
        ordering = ["-day"]
        indexes = [models.Index(fields=["village", "day"], name="finding_village_day")]

    def __str__(self) -> str:
        return f"{self.village} {self.day} {self.cadre or ''}"
