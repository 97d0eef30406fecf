"""The 锦湖·咏风 demonstration belt: plans, agreements, monthly progress and working records.

This app sits on top: it may read the other domain apps (``selectors.py``);
none of them imports it.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from jinhu.core import clock
from jinhu.core.upload_fields import DocumentField, PhotoField
from villages.models import Cadre, ScopedQuerySet, Village


class Dimension(models.TextChoices):
    """The six solids (六个过硬)."""

    RESPONSIBILITY = "responsibility", _("责任过硬")
    ORGANIZATION = "organization", _("组织过硬")
    TEAM = "team", _("队伍过硬")
    SERVICE = "service", _("服务过硬")
    WORK = "work", _("工作过硬")
    SUPPORT = "support", _("保障过硬")


# ---------------------------------------------------------------------------
# The belt and its members
# ---------------------------------------------------------------------------
class Belt(models.Model):
    name = models.CharField(_("名称"), max_length=32, unique=True)
    route = models.CharField(_("线路"), max_length=100)
    starts_on = models.DateField(_("创建开始"))
    ends_on = models.DateField(_("创建期满"))
    description = models.TextField(_("简介"), blank=True)

    class Meta:
        verbose_name = _("示范带")
        verbose_name_plural = _("示范带")

    def __str__(self) -> str:
        return self.name


class MembershipQuerySet(ScopedQuerySet):
    def on(self, day: dt.date | None = None):
        day = day or clock.today()
        return self.filter(Q(left_on__isnull=True) | Q(left_on__gt=day), joined_on__lte=day)


class BeltMembership(models.Model):
    """A village's membership of the belt, with history (joined, left)."""

    belt = models.ForeignKey(
        Belt, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("示范带")
    )
    village = models.ForeignKey(
        Village,
        on_delete=models.PROTECT,
        related_name="belt_memberships",
        verbose_name=_("村（社区）"),
    )
    joined_on = models.DateField(_("加入日期"))
    left_on = models.DateField(_("退出日期"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("示范带成员")
        verbose_name_plural = _("示范带成员")
        ordering = ["village__sort_order", "joined_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["belt", "village", "joined_on"], name="membership_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.belt} · {self.village}"


def belt_village_ids(day: dt.date | None = None) -> set[int]:
    return set(BeltMembership.objects.on(day).values_list("village_id", flat=True))


# ---------------------------------------------------------------------------
# Plans and targets
# ---------------------------------------------------------------------------
class CreationPlan(models.Model):
    """A village's creation plan for a year: its feature (一村一特色) and targets."""

    village = models.ForeignKey(
        Village, on_delete=models.PROTECT, related_name="plans", verbose_name=_("村（社区）")
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    feature_theme = models.CharField(_("特色主题"), max_length=100)
    summary = models.TextField(_("创建内容"), blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("创建计划")
        verbose_name_plural = _("创建计划")
        ordering = ["-year", "village__sort_order"]
        constraints = [models.UniqueConstraint(fields=["village", "year"], name="plan_unique")]

    def __str__(self) -> str:
        return f"{self.village} {self.year} {self.feature_theme}"


class TargetQuerySet(ScopedQuerySet):
    village_path = "plan__village"


class Target(models.Model):
    class Measure(models.TextChoices):
        DONE = "done", _("完成/未完成")
        NUMBER = "number", _("数值对照目标")
        MILESTONE = "milestone", _("节点日期")

    plan = models.ForeignKey(
        CreationPlan, on_delete=models.CASCADE, related_name="targets", verbose_name=_("创建计划")
    )
    code = models.CharField(_("编号"), max_length=16)
    dimension = models.CharField(_("维度"), max_length=16, choices=Dimension.choices)
    title = models.CharField(_("目标"), max_length=200)
    measure = models.CharField(_("衡量方式"), max_length=10, choices=Measure.choices)
    goal_value = models.DecimalField(
        _("目标值"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    unit = models.CharField(_("单位"), max_length=10, blank=True)
    weight = models.DecimalField(_("权重"), max_digits=5, decimal_places=2, default=1)
    due_on = models.DateField(_("完成期限"))
    evidence_required = models.CharField(_("佐证材料"), max_length=200, blank=True)

    objects = TargetQuerySet.as_manager()

    class Meta:
        verbose_name = _("创建目标")
        verbose_name_plural = _("创建目标")
        ordering = ["plan", "dimension", "code"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "code"], name="target_code_unique"),
            models.CheckConstraint(
                condition=~Q(measure="number") | Q(goal_value__isnull=False),
                name="number_target_has_goal",
                violation_error_message=_("数值型目标须填写目标值。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


# ---------------------------------------------------------------------------
# Responsibility agreements (创建责任书, 集体经济发展责任书)
# ---------------------------------------------------------------------------
class Agreement(models.Model):
    class Kind(models.TextChoices):
        CREATION = "creation", _("党建示范带创建责任书")
        ECONOMY = "economy", _("集体经济发展责任书")

    village = models.ForeignKey(
        Village, on_delete=models.PROTECT, related_name="agreements", verbose_name=_("村（社区）")
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices, default=Kind.CREATION)
    party_a = models.CharField(_("甲方（党工委书记）"), max_length=32)
    party_b = models.ForeignKey(
        Cadre,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("乙方（村党组织书记）"),
    )
    signed_on = models.DateField(_("签订日期"), null=True, blank=True)
    scan = DocumentField(_("签字扫描件"), upload_to="agreements/%Y/", blank=True)
    award_line = models.DecimalField(
        _("示范点授牌分数线"), max_digits=6, decimal_places=2, default=90
    )
    admonish_line = models.DecimalField(_("约谈分数线"), max_digits=6, decimal_places=2, default=60)
    reward = models.DecimalField(
        _("示范点物质奖励（元）"), max_digits=14, decimal_places=2, default=20000
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("责任书")
        verbose_name_plural = _("责任书")
        ordering = ["-year", "village__sort_order"]
        constraints = [
            models.UniqueConstraint(fields=["village", "year", "kind"], name="agreement_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.village} {self.year} {self.get_kind_display()}"


class IndicatorKind(models.TextChoices):
    TARGETS = "targets", _("目标完成情况（月度进度）")
    DUTY = "duty", _("坐班值班合规率")
    SERVICE = "service", _("坐班服务（接待、办事、调解）")
    ECONOMY = "economy", _("集体经济消薄")
    MEETINGS = "meetings", _("会议与主题党日频次")
    FINDINGS = "findings", _("未整改问题与超期建议（扣分）")
    PATROL = "patrol", _("巡查问题（扣分）")
    REVIEWER = "reviewer", _("考核组评分")
    BONUS = "bonus", _("加分项")
    VETO = "veto", _("一票否决")


class IndicatorQuerySet(ScopedQuerySet):
    village_path = "agreement__village"


class Indicator(models.Model):
    """One line of the scoring sheet: standard score, checking method, deduction rule."""

    agreement = models.ForeignKey(
        Agreement, on_delete=models.CASCADE, related_name="indicators", verbose_name=_("责任书")
    )
    order = models.PositiveSmallIntegerField(_("序号"), default=1)
    dimension = models.CharField(_("维度"), max_length=16, choices=Dimension.choices, blank=True)
    name = models.CharField(_("指标"), max_length=100)
    kind = models.CharField(_("计分方式"), max_length=10, choices=IndicatorKind.choices)
    standard_score = models.DecimalField(_("标准分"), max_digits=6, decimal_places=2)
    check_method = models.CharField(_("考核方法"), max_length=200, blank=True)
    deduction_rule = models.CharField(_("扣分规则"), max_length=300, blank=True)
    #: rule parameters, e.g. {"per_item": 1}, {"threshold": 90}, {"per_month": 1}
    params = models.JSONField(_("参数"), default=dict, blank=True)
    reviewer_scored = models.BooleanField(_("由考核组评分"), default=False)

    objects = IndicatorQuerySet.as_manager()

    class Meta:
        verbose_name = _("考核指标")
        verbose_name_plural = _("考核指标")
        ordering = ["agreement", "order"]

    def __str__(self) -> str:
        return f"{self.order}. {self.name}（{self.standard_score}分）"


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
        Target, on_delete=models.PROTECT, related_name="report_items", verbose_name=_("目标")
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


# ---------------------------------------------------------------------------
# The belt's working records
# ---------------------------------------------------------------------------


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


# ---------------------------------------------------------------------------
# Scores, reviewer scores, awards and admonishment
# ---------------------------------------------------------------------------
class VillageScore(models.Model):
    """One row per village and period (month 1–12, or 0 for the whole year).

    Always recomputed from source rows by the scoring job (never incremented). ``facts``
    keeps what the score was computed from; the breakdown (every point, why, and the
    records behind it) is rendered from them with the agreement's indicators
    (``scoring_services.breakdowns``), so that scoring a city writes a few hundred bytes
    a row rather than every reason in words.
    """

    # A derived table rewritten in bulk by the job: no database-level foreign key (13,000
    # deferred checks at commit when a city is scored) and no index of its own for the
    # village (score_unique starts with it); the ORM still cascades deletions.
    village = models.ForeignKey(
        Village,
        on_delete=models.CASCADE,
        related_name="scores",
        verbose_name=_("村（社区）"),
        db_constraint=False,
        db_index=False,
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    month = models.PositiveSmallIntegerField(_("月份"), help_text=_("0 表示全年"))
    total = models.DecimalField(_("得分"), max_digits=7, decimal_places=2)
    max_total = models.DecimalField(_("满分"), max_digits=7, decimal_places=2)
    vetoed = models.BooleanField(_("一票否决"), default=False)
    facts = models.JSONField(_("计分依据"), default=dict)
    #: hash of the facts and the indicators they were scored against: an unchanged
    #: score is recognised without reading its JSON
    digest = models.CharField(_("摘要"), max_length=40, blank=True)
    stale = models.BooleanField(_("待重算"), default=False)
    computed_at = models.DateTimeField(_("计算时间"))

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("考核得分")
        verbose_name_plural = _("考核得分")
        ordering = ["-year", "-month", "-total"]
        constraints = [
            models.UniqueConstraint(fields=["village", "year", "month"], name="score_unique"),
        ]
        indexes = [models.Index(fields=["year", "month"], name="score_period")]

    def __str__(self) -> str:
        period = f"{self.year}年" if self.month == 0 else f"{self.year}年{self.month}月"
        return f"{self.village} {period} {self.total}"

    @cached_property
    def breakdown(self) -> list[dict]:
        """The lines of this score, rendered (one query; lists use ``breakdowns``)."""
        from demonstration_belt.scoring_services import breakdowns

        return breakdowns([self])[self.pk]


class ScoreHistoryQuerySet(ScopedQuerySet):
    village_path = "score__village"


class ScoreHistory(models.Model):
    """Each time a recomputation changed a score, the previous value is kept."""

    score = models.ForeignKey(
        VillageScore, on_delete=models.CASCADE, related_name="history", verbose_name=_("得分")
    )
    total = models.DecimalField(_("原得分"), max_digits=7, decimal_places=2)
    vetoed = models.BooleanField(_("原一票否决"), default=False)
    facts = models.JSONField(_("原计分依据"), default=dict)
    computed_at = models.DateTimeField(_("原计算时间"))
    replaced_at = models.DateTimeField(_("被替换时间"), auto_now_add=True)

    objects = ScoreHistoryQuerySet.as_manager()

    class Meta:
        verbose_name = _("得分变更记录")
        verbose_name_plural = _("得分变更记录")
        ordering = ["-replaced_at"]

    def __str__(self) -> str:
        return f"{self.score} ← {self.total}"


class ReviewerScoreQuerySet(ScopedQuerySet):
    village_path = "indicator__agreement__village"


class ReviewerScore(models.Model):
    """A reviewer's score on an indicator, with the reason and a second approver."""

    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="reviewer_scores", verbose_name=_("指标")
    )
    month = models.PositiveSmallIntegerField(_("月份"), default=0, help_text=_("0 表示全年"))
    score = models.DecimalField(_("评分"), max_digits=6, decimal_places=2)
    reason = models.CharField(_("理由"), max_length=300)
    scored_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("评分人"),
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("审定人"),
    )
    approved_at = models.DateTimeField(_("审定时间"), null=True, blank=True)
    scored_at = models.DateTimeField(_("评分时间"), null=True, blank=True)

    objects = ReviewerScoreQuerySet.as_manager()

    class Meta:
        verbose_name = _("考核组评分")
        verbose_name_plural = _("考核组评分")
        constraints = [
            models.UniqueConstraint(fields=["indicator", "month"], name="reviewer_score_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {self.score}"


class ReviewerScoreEntryQuerySet(ScopedQuerySet):
    village_path = "reviewer_score__indicator__agreement__village"


class ReviewerScoreEntry(models.Model):
    """Every score entered and every approval, kept (append-only): re-entering a score
    replaces the current one but never its history."""

    class Action(models.TextChoices):
        ENTERED = "entered", _("评分")
        APPROVED = "approved", _("审定")

    reviewer_score = models.ForeignKey(
        ReviewerScore,
        on_delete=models.PROTECT,
        related_name="entries",
        verbose_name=_("考核组评分"),
    )
    action = models.CharField(_("操作"), max_length=10, choices=Action.choices)
    score = models.DecimalField(_("评分"), max_digits=6, decimal_places=2)
    reason = models.CharField(_("理由"), max_length=300, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("操作人"),
    )
    at = models.DateTimeField(_("时间"))

    objects = ReviewerScoreEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("考核组评分记录")
        verbose_name_plural = _("考核组评分记录")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.score}"


class BonusItem(models.Model):
    """A recorded bonus (e.g. a practice adopted by higher levels), feeding bonus lines."""

    village = models.ForeignKey(
        Village, on_delete=models.PROTECT, related_name="bonuses", verbose_name=_("村（社区）")
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    month = models.PositiveSmallIntegerField(_("月份"))
    description = models.CharField(_("事项"), max_length=200)
    points = models.DecimalField(_("加分"), max_digits=5, decimal_places=2)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("登记人"),
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("加分事项")
        verbose_name_plural = _("加分事项")

    def __str__(self) -> str:
        return self.description


class MajorFailure(models.Model):
    """重大失误或造成不良影响: recorded by staff, it proposes an admonishment."""

    village = models.ForeignKey(
        Village, on_delete=models.PROTECT, related_name="failures", verbose_name=_("村（社区）")
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    occurred_on = models.DateField(_("发生日期"))
    description = models.CharField(_("情况"), max_length=300)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("登记人"),
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("重大失误")
        verbose_name_plural = _("重大失误")

    def __str__(self) -> str:
        return self.description[:40]


class Proposal(models.Model):
    class Kind(models.TextChoices):
        AWARD = "award", _("授予“基层党建示范点”称号并给予物质奖励")
        ADMONISH = "admonish", _("启动村主职干部约谈程序")

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("待确认")
        CONFIRMED = "confirmed", _("已确认")
        REJECTED = "rejected", _("未采纳")

    village = models.ForeignKey(
        Village, on_delete=models.PROTECT, related_name="proposals", verbose_name=_("村（社区）")
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    score = models.DecimalField(_("年度得分"), max_digits=7, decimal_places=2, null=True)
    grounds = models.CharField(_("依据"), max_length=300)
    reward = models.DecimalField(
        _("物质奖励（元）"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.PROPOSED
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("确认人"),
    )
    decision_reason = models.CharField(_("确认意见"), max_length=300, blank=True)
    decided_at = models.DateTimeField(_("确认时间"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("奖惩建议")
        verbose_name_plural = _("奖惩建议")
        ordering = ["-year", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["village", "year", "kind"], name="proposal_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.village} {self.year} {self.get_kind_display()}"


class Admonishment(models.Model):
    """A 约谈 of a village's chief cadres; its rectification items are Findings."""

    village = models.ForeignKey(
        Village,
        on_delete=models.PROTECT,
        related_name="admonishments",
        verbose_name=_("村（社区）"),
    )
    proposal = models.OneToOneField(
        Proposal,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="admonishment",
        verbose_name=_("奖惩建议"),
    )
    held_on = models.DateField(_("约谈日期"))
    interviewer = models.CharField(_("约谈人"), max_length=64)
    interviewees = models.CharField(_("被约谈人"), max_length=100)
    issues = models.TextField(_("指出的问题"))
    inspection = models.OneToOneField(
        Inspection,
        on_delete=models.PROTECT,
        related_name="admonishment",
        verbose_name=_("整改清单"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("登记人"),
    )
    recorded_at = models.DateTimeField(_("登记时间"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("约谈")
        verbose_name_plural = _("约谈")
        ordering = ["-held_on"]

    def __str__(self) -> str:
        return f"{self.village} {self.held_on} 约谈"

    @property
    def open_items(self):
        return self.inspection.findings.exclude(status=TrackedStatus.CLOSED)
