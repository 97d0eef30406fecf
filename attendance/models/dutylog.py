"""The duty log (坐班日志): receptions, matters handled, disputes mediated, handovers.

Totals (visitors received, matters handled, disputes mediated) are always
computed from these entries and drill down to them; nobody types a total.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Count, Q, Sum
from django.utils.translation import gettext_lazy as _

from villages.selectors import Cadre, ScopedQuerySet, Village


class EntryKind(models.TextChoices):
    VISIT = "visit", _("来访接待")
    MATTER = "matter", _("办理事项")
    DISPUTE = "dispute", _("调处纠纷")


class MatterType(models.TextChoices):
    CERTIFICATE = "certificate", _("证明开具")
    POLICY = "policy", _("政策咨询")
    SOCIAL_SECURITY = "social_security", _("社保医保")
    LAND_HOUSING = "land_housing", _("土地房屋")
    LIVELIHOOD = "livelihood", _("民生求助")
    OTHER = "other", _("其他")


class MatterOutcome(models.TextChoices):
    DONE = "done", _("当场办结")
    IN_PROGRESS = "in_progress", _("正在办理")
    REFERRED = "referred", _("转办上报")
    MEDIATED = "mediated", _("调解成功")
    PARTLY = "partly", _("部分达成")
    FAILED = "failed", _("未达成，已引导")


class DutyLogQuerySet(ScopedQuerySet):
    def totals(self) -> dict[str, int]:
        """The article's counters: 接待群众人次、办理事项件次、调处纠纷件数."""
        result = self.aggregate(
            visitors=Sum("people_count", default=0),
            matters=Count("pk", filter=Q(kind=EntryKind.MATTER)),
            disputes=Count("pk", filter=Q(kind=EntryKind.DISPUTE)),
            entries=Count("pk"),
        )
        return {key: value or 0 for key, value in result.items()}


class DutyLogEntry(models.Model):
    """One reception during duty: who came, what for, what became of it."""

    village = models.ForeignKey(
        Village, on_delete=models.CASCADE, related_name="duty_log", verbose_name=_("村（社区）")
    )
    cadre = models.ForeignKey(
        Cadre, on_delete=models.PROTECT, related_name="duty_log", verbose_name=_("值班干部")
    )
    day = models.DateField(_("日期"))
    kind = models.CharField(_("类别"), max_length=8, choices=EntryKind.choices)
    people_count = models.PositiveSmallIntegerField(
        _("接待人数"), default=1, validators=[MinValueValidator(1)]
    )
    matter_type = models.CharField(
        _("事项类型"), max_length=16, choices=MatterType.choices, blank=True
    )
    parties_count = models.PositiveSmallIntegerField(_("纠纷当事人数"), null=True, blank=True)
    summary = models.CharField(_("内容摘要"), max_length=300)
    outcome = models.CharField(_("结果"), max_length=12, choices=MatterOutcome.choices, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("记录人"),
    )
    recorded_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    objects = DutyLogQuerySet.as_manager()

    class Meta:
        verbose_name = _("坐班日志")
        verbose_name_plural = _("坐班日志")
        ordering = ["-day", "-recorded_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="matter") | (~Q(matter_type="") & ~Q(outcome="")),
                name="dutylog_matter_has_type_and_outcome",
                violation_error_message=_("办理事项须填写事项类型和结果。"),
            ),
            models.CheckConstraint(
                condition=~Q(kind="dispute") | (Q(parties_count__gte=2) & ~Q(outcome="")),
                name="dutylog_dispute_has_parties_and_outcome",
                violation_error_message=_("调处纠纷须填写当事人数（至少 2 人）和结果。"),
            ),
        ]
        indexes = [
            # Totals and drill-down: a village's entries over a period, by kind.
            models.Index(fields=["village", "day", "kind"], name="dutylog_village_day_kind"),
            models.Index(fields=["cadre", "day"], name="dutylog_cadre_day"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.get_kind_display()} {self.summary[:20]}"


class DutyHandover(models.Model):
    """The handover from one duty cadre to the next (交接班)."""

    village = models.ForeignKey(
        Village, on_delete=models.CASCADE, related_name="handovers", verbose_name=_("村（社区）")
    )
    day = models.DateField(_("日期"))
    from_cadre = models.ForeignKey(
        Cadre, on_delete=models.PROTECT, related_name="+", verbose_name=_("交班干部")
    )
    to_cadre = models.ForeignKey(
        Cadre, on_delete=models.PROTECT, related_name="+", verbose_name=_("接班干部")
    )
    notes = models.TextField(_("交接事项"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("记录人"),
    )
    recorded_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("交接班记录")
        verbose_name_plural = _("交接班记录")
        ordering = ["-day", "-recorded_at"]

    def __str__(self) -> str:
        return f"{self.day} {self.from_cadre} → {self.to_cadre}"
