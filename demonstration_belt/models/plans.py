"""Creation plans and their targets (创建方案、目标), and the responsibility agreements
(责任书) with the indicators a village is scored against."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from demonstration_belt.models.belt import Dimension
from jinhu.core.upload_fields import DocumentField
from villages.selectors import Cadre, ScopedQuerySet, Village


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
