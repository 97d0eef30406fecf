"""The belt's working records: meetings, inspections and their findings, suggestions,
party days (主题党日) and service-centre checks; findings and suggestions are tracked to
closure."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jinhu.core import clock
from jinhu.core.upload_fields import DocumentField, PhotoField
from villages.selectors import ScopedQuerySet, Village


class MeetingQuerySet(ScopedQuerySet):
    village_path = "villages"
    many = True


class Meeting(models.Model):
    class Kind(models.TextChoices):
        MOBILISATION = "mobilisation", _("动员会")
        PROMOTION = "promotion", _("推进会")
        OBSERVATION = "observation", _("外出考察/现场观摩")
        ON_SITE = "on_site", _("现场会")
        REVIEW = "review", _("点评会")
        SALON = "salon", _("党员沙龙")

    kind = models.CharField(_("类型"), max_length=14, choices=Kind.choices)
    title = models.CharField(_("名称"), max_length=100)
    held_on = models.DateField(_("日期"))
    host = models.ForeignKey(
        Village,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="hosted_meetings",
        verbose_name=_("承办村"),
    )
    villages = models.ManyToManyField(
        Village, related_name="meetings", blank=True, verbose_name=_("参加村")
    )
    minutes = models.TextField(_("纪要"), blank=True)
    decisions = models.TextField(_("议定事项"), blank=True)
    photo = PhotoField(_("照片"), upload_to="meetings/%Y/", blank=True)

    objects = MeetingQuerySet.as_manager()

    class Meta:
        verbose_name = _("会议活动")
        verbose_name_plural = _("会议活动")
        ordering = ["-held_on"]

    def __str__(self) -> str:
        return f"{self.held_on} {self.title}"


class TrackedStatus(models.TextChoices):
    OPEN = "open", _("待整改")
    IN_PROGRESS = "in_progress", _("整改中")
    RECHECK = "recheck", _("待复查")
    CLOSED = "closed", _("已销号")


class DeadlineQuerySet(ScopedQuerySet):
    """Open items with a deadline: what is overdue, what falls due soon."""

    deadline_field = "deadline"
    open_statuses: tuple[str, ...] = ()

    def open(self):
        return self.filter(status__in=self.open_statuses)

    def overdue(self, today=None):
        today = today or clock.today()
        return self.open().filter(**{f"{self.deadline_field}__lt": today})

    def due_soon(self, today=None, days: int = 7):
        today = today or clock.today()
        return self.open().filter(
            **{
                f"{self.deadline_field}__gte": today,
                f"{self.deadline_field}__lte": today + dt.timedelta(days=days),
            }
        )


class TrackedQuerySet(DeadlineQuerySet):
    open_statuses = (TrackedStatus.OPEN, TrackedStatus.IN_PROGRESS, TrackedStatus.RECHECK)


class InspectionQuerySet(ScopedQuerySet):
    village_path = "findings__village"
    many = True


class Inspection(models.Model):
    """A comparison visit (村村互学互比) or an inspection, with its findings."""

    class Kind(models.TextChoices):
        COMPARISON = "comparison", _("互学互比")
        INSPECTION = "inspection", _("督查检查")
        ADMONISHMENT = "admonishment", _("约谈整改")

    kind = models.CharField(_("类型"), max_length=14, choices=Kind.choices)
    title = models.CharField(_("名称"), max_length=100)
    held_on = models.DateField(_("日期"))
    inspectors = models.CharField(_("检查人员"), max_length=200, blank=True)

    objects = InspectionQuerySet.as_manager()

    class Meta:
        verbose_name = _("检查/比学")
        verbose_name_plural = _("检查/比学")
        ordering = ["-held_on"]

    def __str__(self) -> str:
        return f"{self.held_on} {self.title}"


class Finding(models.Model):
    """A problem found, tracked through rectification, re-check (回头看) and closing."""

    inspection = models.ForeignKey(
        Inspection,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="findings",
        verbose_name=_("来源"),
    )
    meeting = models.ForeignKey(
        Meeting,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="follow_ups",
        verbose_name=_("会议议定"),
    )
    village = models.ForeignKey(
        Village, on_delete=models.PROTECT, related_name="findings", verbose_name=_("村（社区）")
    )
    description = models.CharField(_("问题/事项"), max_length=300)
    owner = models.CharField(_("责任人"), max_length=32)
    deadline = models.DateField(_("整改期限"))
    rectification = models.TextField(_("整改情况"), blank=True)
    evidence = DocumentField(_("整改佐证"), upload_to="findings/%Y/", blank=True)
    status = models.CharField(
        _("状态"), max_length=12, choices=TrackedStatus.choices, default=TrackedStatus.OPEN
    )
    rechecked_on = models.DateField(_("复查日期"), null=True, blank=True)
    closed_on = models.DateField(_("销号日期"), null=True, blank=True)

    objects = TrackedQuerySet.as_manager()

    class Meta:
        verbose_name = _("问题整改")
        verbose_name_plural = _("问题整改")
        ordering = ["deadline"]

    def __str__(self) -> str:
        return self.description[:40]


class SuggestionQuerySet(DeadlineQuerySet):
    deadline_field = "due_on"
    open_statuses = ("received", "studying", "implementing")


class Suggestion(models.Model):
    class Source(models.TextChoices):
        SALON = "salon", _("党员沙龙")
        VISIT = "visit", _("来访")
        PHONE = "phone", _("电话")
        ONLINE = "online", _("网上")
        MEETING = "meeting", _("会议")

    class Status(models.TextChoices):
        RECEIVED = "received", _("已受理")
        STUDYING = "studying", _("研究中")
        IMPLEMENTING = "implementing", _("落实中")
        DONE = "done", _("已办结")
        DECLINED = "declined", _("不予采纳")

    village = models.ForeignKey(
        Village, on_delete=models.PROTECT, related_name="suggestions", verbose_name=_("村（社区）")
    )
    source = models.CharField(_("来源"), max_length=10, choices=Source.choices)
    proposer = models.CharField(_("建议人"), max_length=32, blank=True)
    anonymous = models.BooleanField(_("匿名"), default=False)
    content = models.TextField(_("建议内容"))
    status = models.CharField(
        _("状态"), max_length=14, choices=Status.choices, default=Status.RECEIVED
    )
    reply = models.TextField(_("答复"), blank=True)
    decline_reason = models.CharField(_("不予采纳理由"), max_length=300, blank=True)
    received_on = models.DateField(_("受理日期"))
    due_on = models.DateField(_("答复期限"))
    closed_on = models.DateField(_("办结日期"), null=True, blank=True)

    objects = SuggestionQuerySet.as_manager()

    class Meta:
        verbose_name = _("党员建议")
        verbose_name_plural = _("党员建议")
        ordering = ["-received_on"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="declined") | ~Q(decline_reason=""),
                name="declined_has_reason",
                violation_error_message=_("不予采纳须说明理由。"),
            ),
        ]

    def __str__(self) -> str:
        return self.content[:40]

    @property
    def proposer_display(self) -> str:
        return "（匿名）" if self.anonymous else self.proposer


class PartyDayMethod(models.Model):
    """The configurable list of 党日活动八法."""

    name = models.CharField(_("方法"), max_length=32, unique=True)
    order = models.PositiveSmallIntegerField(_("序号"), default=1)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("党日活动方法")
        verbose_name_plural = _("党日活动方法")
        ordering = ["order"]

    def __str__(self) -> str:
        return self.name


class PartyDayActivity(models.Model):
    village = models.ForeignKey(
        Village, on_delete=models.PROTECT, related_name="party_days", verbose_name=_("村（社区）")
    )
    held_on = models.DateField(_("日期"))
    theme = models.CharField(_("主题"), max_length=100)
    methods = models.ManyToManyField(PartyDayMethod, blank=True, verbose_name=_("采用方法"))
    attendance = models.PositiveSmallIntegerField(_("参加人数"))
    members_total = models.PositiveSmallIntegerField(_("应到党员"))
    photo = PhotoField(_("照片"), upload_to="partydays/%Y/", blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("主题党日")
        verbose_name_plural = _("主题党日")
        ordering = ["-held_on"]

    def __str__(self) -> str:
        return f"{self.village} {self.held_on} {self.theme}"


class CheckItem(models.Model):
    """The configurable "四统一" checklist of party-member and masses service centres."""

    class Category(models.TextChoices):
        SIGNAGE = "signage", _("统一服务标识")
        LAYOUT = "layout", _("统一功能布局")
        FACILITIES = "facilities", _("统一设施配置")
        RULES = "rules", _("统一制度规范")

    category = models.CharField(_("类别"), max_length=12, choices=Category.choices)
    text = models.CharField(_("检查内容"), max_length=200)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("四统一检查项")
        verbose_name_plural = _("四统一检查项")
        ordering = ["category", "pk"]

    def __str__(self) -> str:
        return self.text


class ServiceCenterCheck(models.Model):
    village = models.ForeignKey(
        Village,
        on_delete=models.PROTECT,
        related_name="center_checks",
        verbose_name=_("村（社区）"),
    )
    checked_on = models.DateField(_("检查日期"))
    checked_by = models.CharField(_("检查人"), max_length=64)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("服务中心检查")
        verbose_name_plural = _("服务中心检查")
        ordering = ["-checked_on"]

    def __str__(self) -> str:
        return f"{self.village} {self.checked_on}"


class CheckResultQuerySet(ScopedQuerySet):
    village_path = "check_run__village"


class CheckResult(models.Model):
    check_run = models.ForeignKey(
        ServiceCenterCheck, on_delete=models.CASCADE, related_name="results", verbose_name=_("检查")
    )
    item = models.ForeignKey(CheckItem, on_delete=models.PROTECT, verbose_name=_("检查项"))
    passed = models.BooleanField(_("达标"))
    note = models.CharField(_("说明"), max_length=200, blank=True)

    objects = CheckResultQuerySet.as_manager()

    class Meta:
        verbose_name = _("检查结果")
        verbose_name_plural = _("检查结果")
        constraints = [
            models.UniqueConstraint(fields=["check_run", "item"], name="check_result_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.item} {'达标' if self.passed else '未达标'}"
