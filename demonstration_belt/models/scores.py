"""Scores (考核得分) recomputed from the records, their history, reviewer scores, bonus
items, major failures, and the award proposals and admonishments they lead to."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from demonstration_belt.models.records import TrackedStatus
from villages.selectors import ScopedQuerySet, Village


# ---------------------------------------------------------------------------
# Scores, reviewer scores, awards and admonishment
# ---------------------------------------------------------------------------
class VillageScore(models.Model):
    """One row per village and period (month 1–12, or 0 for the whole year).

    Always recomputed from source rows by the scoring job (never incremented). ``facts``
    keeps what the score was computed from; the breakdown (every point, why, and the
    records behind it) is rendered from them with the agreement's indicators
    (``selectors.breakdowns``), so that scoring a city writes a few hundred bytes
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
        "demonstration_belt.Indicator",
        on_delete=models.CASCADE,
        related_name="reviewer_scores",
        verbose_name=_("指标"),
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

    #: the entry an approver was shown (set by the score page; not a column)
    latest_entry: ReviewerScoreEntry | None

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
        "demonstration_belt.Inspection",
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
