"""Leave (请假) and out-on-business (外出办事) reports with tiered approval."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from villages.selectors import Cadre, Role, ScopedQuerySet, Village


class AbsenceKind(models.TextChoices):
    LEAVE = "leave", _("请假")
    OUT = "out", _("外出办事")


class ApprovalLevel(models.TextChoices):
    # Ordered from the village up; a report needs every level of its tier.
    SECRETARY = Role.SECRETARY.value, _("村书记")
    INSTRUCTOR = Role.INSTRUCTOR.value, _("驻村指导员")
    STAFF = Role.STAFF.value, _("街道")


LEVEL_ORDER = [ApprovalLevel.SECRETARY, ApprovalLevel.INSTRUCTOR, ApprovalLevel.STAFF]


class ApprovalTier(models.Model):
    """Who approves a report of a given length (configurable, not code).

    The tier used is the one with the smallest ``max_days`` that is at least
    the report's length; a tier with no ``max_days`` catches the rest. Tiers
    of a village take precedence over the sub-district's (village empty).
    """

    village = models.ForeignKey(
        Village,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="approval_tiers",
        verbose_name=_("村（社区）"),
        help_text=_("留空表示全街道默认。"),
    )
    kind = models.CharField(
        _("适用类型"),
        max_length=8,
        choices=AbsenceKind.choices,
        blank=True,
        help_text=_("留空表示请假和外出办事都适用。"),
    )
    max_days = models.DecimalField(
        _("最长天数"),
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        help_text=_("留空表示不限（超过其他档次的全部）。"),
    )
    needs_secretary = models.BooleanField(_("村书记审批"), default=True)
    needs_instructor = models.BooleanField(_("驻村指导员审批"), default=False)
    needs_staff = models.BooleanField(_("街道审批"), default=False)

    class Meta:
        verbose_name = _("审批档次")
        verbose_name_plural = _("审批档次")
        ordering = ["village_id", "kind", models.F("max_days").asc(nulls_last=True)]

    def __str__(self) -> str:
        limit = f"≤{self.max_days}天" if self.max_days is not None else "不限"
        return f"{self.village or '全街道'} {limit}: {'、'.join(str(x.label) for x in self.levels)}"

    @property
    def levels(self) -> list[ApprovalLevel]:
        wanted = {
            ApprovalLevel.SECRETARY: self.needs_secretary,
            ApprovalLevel.INSTRUCTOR: self.needs_instructor,
            ApprovalLevel.STAFF: self.needs_staff,
        }
        return [level for level in LEVEL_ORDER if wanted[level]]


class AbsenceQuerySet(ScopedQuerySet):
    def approved(self) -> AbsenceQuerySet:
        return self.filter(status=AbsenceReport.Status.APPROVED)

    def covering(self, start: dt.datetime, end: dt.datetime) -> AbsenceQuerySet:
        """Reports whose period overlaps [start, end)."""
        return self.filter(starts_at__lt=end, ends_at__gt=start)


class AbsenceReport(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("待审批")
        APPROVED = "approved", _("已批准")
        REJECTED = "rejected", _("未批准")
        CANCELLED = "cancelled", _("已撤回")

    village = models.ForeignKey(
        Village, on_delete=models.CASCADE, related_name="absences", verbose_name=_("村（社区）")
    )
    cadre = models.ForeignKey(
        Cadre, on_delete=models.PROTECT, related_name="absences", verbose_name=_("干部")
    )
    kind = models.CharField(_("类型"), max_length=8, choices=AbsenceKind.choices)
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间（预计返回）"))
    destination = models.CharField(_("外出地点"), max_length=100, blank=True)
    reason = models.CharField(_("事由"), max_length=300)
    status = models.CharField(
        _("状态"), max_length=12, choices=Status.choices, default=Status.PENDING
    )
    #: the levels this report needs, frozen when it was filed
    required_levels = models.JSONField(_("审批层级"), default=list)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("填报人"),
    )
    submitted_at = models.DateTimeField(_("填报时间"), auto_now_add=True)
    decided_at = models.DateTimeField(_("审批完成时间"), null=True, blank=True)

    objects = AbsenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("请假/外出报备")
        verbose_name_plural = _("请假/外出报备")
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")),
                name="absence_ends_after_start",
                violation_error_message=_("结束时间必须晚于开始时间。"),
            ),
            models.CheckConstraint(
                condition=~Q(kind="out") | ~Q(destination=""),
                name="absence_out_has_destination",
                violation_error_message=_("外出办事须填写外出地点。"),
            ),
        ]
        indexes = [
            # Excusing slots and the public page: a village's approved reports by period.
            models.Index(fields=["village", "status", "ends_at"], name="absence_village_status"),
        ]

    def __str__(self) -> str:
        return f"{self.cadre} {self.get_kind_display()} {self.starts_at:%Y-%m-%d}"

    def next_level(self) -> str | None:
        """The tier (``ApprovalLevel``) whose decision the report waits for, if any."""
        done = {a.level for a in self.approvals.all()}
        for level in self.required_levels:
            if level not in done:
                return level
        return None

    def decided_by(self, user) -> bool:
        """Whether ``user`` already decided one of its tiers (each tier is another person)."""
        return any(a.approver_id == user.pk for a in self.approvals.all())

    @property
    def length_days(self) -> Decimal:
        from django.utils import timezone

        first = timezone.localtime(self.starts_at).date()
        last = timezone.localtime(self.ends_at - dt.timedelta(microseconds=1)).date()
        return Decimal((last - first).days + 1)


class AbsenceApprovalQuerySet(ScopedQuerySet):
    village_path = "report__village"


class AbsenceApproval(models.Model):
    report = models.ForeignKey(
        AbsenceReport, on_delete=models.CASCADE, related_name="approvals", verbose_name=_("报备")
    )
    level = models.CharField(_("层级"), max_length=12, choices=ApprovalLevel.choices)
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("审批人"),
    )
    approved = models.BooleanField(_("同意"))
    comment = models.CharField(_("意见"), max_length=300, blank=True)
    decided_at = models.DateTimeField(_("审批时间"), auto_now_add=True)

    objects = AbsenceApprovalQuerySet.as_manager()

    class Meta:
        verbose_name = _("审批记录")
        verbose_name_plural = _("审批记录")
        ordering = ["decided_at"]
        constraints = [
            models.UniqueConstraint(fields=["report", "level"], name="one_decision_per_level"),
        ]

    def __str__(self) -> str:
        return f"{self.report} {self.get_level_display()} {'同意' if self.approved else '不同意'}"
