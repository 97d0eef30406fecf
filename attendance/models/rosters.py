"""Duty rules, the weekly rotation, dated overrides and the computed slots."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from attendance.core import schedule
from villages.selectors import Cadre, ScopedQuerySet, Village


class Part(models.TextChoices):
    AM = schedule.AM, _("上午")
    PM = schedule.PM, _("下午")
    FULL = schedule.FULL, _("全天")


class DutyKind(models.TextChoices):
    SIT_IN = schedule.SIT_IN, _("坐班")
    ON_CALL = schedule.ON_CALL, _("值班")


class Weekday(models.IntegerChoices):
    MON = 0, _("周一")
    TUE = 1, _("周二")
    WED = 2, _("周三")
    THU = 3, _("周四")
    FRI = 4, _("周五")
    SAT = 5, _("周六")
    SUN = 6, _("周日")


def _month_day_validator(value: str) -> None:
    try:
        dt.date(2024, *map(int, value.split("-")))
    except (ValueError, TypeError):
        raise ValidationError(_("请按“月-日”填写，例如 05-01。")) from None


class DutyRules(models.Model):
    """Per-village duty rules (《坐班值班制度实施细则》) as configuration."""

    village = models.OneToOneField(
        Village, on_delete=models.CASCADE, related_name="duty_rules", verbose_name=_("村（社区）")
    )
    summer_from = models.CharField(
        _("夏令时间起始（月-日）"), max_length=5, default="05-01", validators=[_month_day_validator]
    )
    winter_from = models.CharField(
        _("冬令时间起始（月-日）"), max_length=5, default="10-01", validators=[_month_day_validator]
    )
    summer_am_start = models.TimeField(_("夏令上午上班"), default=dt.time(8, 0))
    summer_am_end = models.TimeField(_("夏令上午下班"), default=dt.time(12, 0))
    summer_pm_start = models.TimeField(_("夏令下午上班"), default=dt.time(14, 30))
    summer_pm_end = models.TimeField(_("夏令下午下班"), default=dt.time(17, 30))
    winter_am_start = models.TimeField(_("冬令上午上班"), default=dt.time(8, 30))
    winter_am_end = models.TimeField(_("冬令上午下班"), default=dt.time(12, 0))
    winter_pm_start = models.TimeField(_("冬令下午上班"), default=dt.time(14, 0))
    winter_pm_end = models.TimeField(_("冬令下午下班"), default=dt.time(17, 0))
    late_grace_minutes = models.PositiveSmallIntegerField(_("迟到宽限（分钟）"), default=10)
    early_grace_minutes = models.PositiveSmallIntegerField(_("早退宽限（分钟）"), default=10)
    min_on_duty = models.PositiveSmallIntegerField(_("每个工作日最少坐班人数"), default=2)
    makeup_follows_weekday = models.PositiveSmallIntegerField(
        _("调休上班日按周几排班"), choices=Weekday.choices, default=Weekday.MON
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("坐班值班规则")
        verbose_name_plural = _("坐班值班规则")

    def __str__(self) -> str:
        return f"{self.village} 坐班值班规则"

    def as_input(self) -> schedule.RulesInput:
        def md(value: str) -> tuple[int, int]:
            month, day = value.split("-")
            return int(month), int(day)

        return schedule.RulesInput(
            summer_hours=schedule.Hours(
                self.summer_am_start, self.summer_am_end, self.summer_pm_start, self.summer_pm_end
            ),
            winter_hours=schedule.Hours(
                self.winter_am_start, self.winter_am_end, self.winter_pm_start, self.winter_pm_end
            ),
            summer_from=md(self.summer_from),
            winter_from=md(self.winter_from),
            makeup_follows_weekday=self.makeup_follows_weekday,
        )


class HolidayOverride(models.Model):
    """A local decision that a date is (or is not) a workday."""

    village = models.ForeignKey(
        Village,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="holiday_overrides",
        verbose_name=_("村（社区）"),
        help_text=_("留空表示全街道适用。"),
    )
    day = models.DateField(_("日期"))
    is_workday = models.BooleanField(_("上班"), default=False)
    name = models.CharField(
        _("名称"), max_length=32, help_text=_("例如：国庆节、调休上班、台风停班")
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("节假日调整")
        verbose_name_plural = _("节假日调整")
        ordering = ["day"]
        constraints = [
            models.UniqueConstraint(
                fields=["village", "day"],
                condition=Q(village__isnull=False),
                name="holiday_override_village_unique",
            ),
            models.UniqueConstraint(
                fields=["day"],
                condition=Q(village__isnull=True),
                name="holiday_override_subdistrict_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.name}"


class HolidayArrangement(models.Model):
    """Staff confirm that a year's official holiday arrangement has been entered."""

    year = models.PositiveSmallIntegerField(_("年份"), unique=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, verbose_name=_("确认人")
    )
    confirmed_at = models.DateTimeField(_("确认时间"), auto_now_add=True)
    note = models.CharField(_("依据"), max_length=200, help_text=_("例如：国务院办公厅通知文号"))

    class Meta:
        verbose_name = _("年度节假日安排确认")
        verbose_name_plural = _("年度节假日安排确认")

    def __str__(self) -> str:
        return f"{self.year}"


class RotationEntry(models.Model):
    """One cadre on one weekday and part, valid for a range of dates.

    Changing the rotation never rewrites the past: the old entry is closed the
    day before the change takes effect and a new one starts.
    """

    village = models.ForeignKey(
        Village, on_delete=models.CASCADE, related_name="rotation", verbose_name=_("村（社区）")
    )
    cadre = models.ForeignKey(
        Cadre, on_delete=models.PROTECT, related_name="rotation", verbose_name=_("干部")
    )
    weekday = models.PositiveSmallIntegerField(_("星期"), choices=Weekday.choices)
    part = models.CharField(_("时段"), max_length=4, choices=Part.choices)
    kind = models.CharField(
        _("类型"), max_length=8, choices=DutyKind.choices, default=DutyKind.SIT_IN
    )
    valid_from = models.DateField(_("生效日期"))
    valid_until = models.DateField(_("截止日期"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("轮值安排")
        verbose_name_plural = _("轮值安排")
        ordering = ["weekday", "part", "cadre__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["village", "cadre", "weekday", "part", "valid_from"],
                name="rotation_entry_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.cadre} {self.get_weekday_display()}{self.get_part_display()}"

    def as_input(self) -> schedule.RotationInput:
        return schedule.RotationInput(
            cadre_id=self.cadre_id,
            weekday=self.weekday,
            part=self.part,
            kind=self.kind,
            valid_from=self.valid_from,
            valid_until=self.valid_until,
        )


class RosterOverride(models.Model):
    """A dated change: a stand-in, one half of a swap, a removal or an addition."""

    village = models.ForeignKey(
        Village,
        on_delete=models.CASCADE,
        related_name="roster_overrides",
        verbose_name=_("村（社区）"),
    )
    day = models.DateField(_("日期"))
    part = models.CharField(_("时段"), max_length=4, choices=Part.choices)
    kind = models.CharField(
        _("类型"), max_length=8, choices=DutyKind.choices, default=DutyKind.SIT_IN
    )
    original_cadre = models.ForeignKey(
        Cadre,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("原排班干部"),
    )
    replacement_cadre = models.ForeignKey(
        Cadre,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("替班干部"),
    )
    reason = models.CharField(_("原因"), max_length=200)
    #: both halves of a swap share one group id
    swap_group = models.UUIDField(_("换班编号"), null=True, blank=True, db_index=True)
    #: a change to a date already past (allowed to staff only, always logged)
    is_correction = models.BooleanField(_("事后更正"), default=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("申请人"),
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("批准人"),
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("排班调整")
        verbose_name_plural = _("排班调整")
        ordering = ["day", "created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(original_cadre__isnull=False) | Q(replacement_cadre__isnull=False),
                name="override_changes_someone",
                violation_error_message=_("请至少选择原排班干部或替班干部之一。"),
            ),
        ]

    def __str__(self) -> str:
        before, after = self.original_cadre or "—", self.replacement_cadre or "—"
        return f"{self.day} {self.get_part_display()} {before} → {after}"

    def as_input(self) -> schedule.OverrideInput:
        return schedule.OverrideInput(
            day=self.day,
            part=self.part,
            original_cadre_id=self.original_cadre_id,
            replacement_cadre_id=self.replacement_cadre_id,
            kind=self.kind,
            override_id=self.pk,
        )


class DutySlotQuerySet(ScopedQuerySet):
    def on(self, day: dt.date) -> DutySlotQuerySet:
        return self.filter(day=day)

    def between(self, start: dt.date, end: dt.date) -> DutySlotQuerySet:
        return self.filter(day__gte=start, day__lte=end)


class DutySlot(models.Model):
    """One cadre's duty in one part of one day: the computed, final schedule.

    Written only by ``services.slots_materialize`` from the rotation and the
    overrides. Attendance outcomes hang on these rows.
    """

    village = models.ForeignKey(
        Village, on_delete=models.CASCADE, related_name="duty_slots", verbose_name=_("村（社区）")
    )
    cadre = models.ForeignKey(
        Cadre, on_delete=models.PROTECT, related_name="duty_slots", verbose_name=_("干部")
    )
    day = models.DateField(_("日期"))
    part = models.CharField(_("时段"), max_length=4, choices=Part.choices)
    kind = models.CharField(_("类型"), max_length=8, choices=DutyKind.choices)
    starts_at = models.DateTimeField(_("开始"))
    ends_at = models.DateTimeField(_("结束"))
    override = models.ForeignKey(
        RosterOverride,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="slots",
        verbose_name=_("来自调整"),
    )

    objects = DutySlotQuerySet.as_manager()

    class Meta:
        verbose_name = _("值班时段")
        verbose_name_plural = _("值班时段")
        ordering = ["day", "starts_at", "cadre__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["village", "day", "part", "cadre"], name="duty_slot_unique"
            ),
        ]
        indexes = [
            # The public page and the calendar: one village, a range of days.
            models.Index(fields=["village", "day"], name="duty_slot_village_day"),
            # A cadre's slots by date (attendance judging, absences excusing).
            models.Index(fields=["cadre", "day"], name="duty_slot_cadre_day"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.get_part_display()} {self.cadre}"
