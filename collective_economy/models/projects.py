"""The clean-up campaign (清理规范) and 一村一策 projects with their milestones."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from collective_economy.models.fields import MoneyField
from villages.selectors import ScopedQuerySet, Village


class CleanupItem(models.Model):
    """The 三资 clean-up: a problem found and what became of it."""

    class Category(models.TextChoices):
        FUNDS = "funds", _("资金")
        ASSETS = "assets", _("资产")
        RESOURCES = "resources", _("资源")
        CONTRACTS = "contracts", _("合同")

    class Status(models.TextChoices):
        FOUND = "found", _("已发现")
        IN_PROGRESS = "in_progress", _("整改中")
        RESOLVED = "resolved", _("已整改")

    village = models.ForeignKey(
        Village,
        on_delete=models.PROTECT,
        related_name="cleanup_items",
        verbose_name=_("村（社区）"),
    )
    category = models.CharField(_("类别"), max_length=10, choices=Category.choices)
    found_on = models.DateField(_("发现日期"))
    description = models.CharField(_("问题"), max_length=300)
    amount_recovered = MoneyField(_("追回金额"))
    contract_regularised = models.ForeignKey(
        "collective_economy.Contract",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("规范后的合同"),
    )
    status = models.CharField(
        _("状态"), max_length=12, choices=Status.choices, default=Status.FOUND
    )
    resolved_on = models.DateField(_("整改完成日期"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("三资清理事项")
        verbose_name_plural = _("三资清理事项")
        ordering = ["-found_on"]

    def __str__(self) -> str:
        return self.description[:30]


class Project(models.Model):
    """A 一村一策 collective-economy project."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("谋划中")
        BUILDING = "building", _("建设中")
        OPERATING = "operating", _("运营中")
        STOPPED = "stopped", _("已停止")

    village = models.ForeignKey(
        Village, on_delete=models.PROTECT, related_name="projects", verbose_name=_("村（社区）")
    )
    name = models.CharField(_("项目名称"), max_length=100)
    description = models.TextField(_("简介"), blank=True)
    investment = MoneyField(_("总投资"))
    expected_annual_income = MoneyField(_("预期年收益"))
    actual_income_to_date = MoneyField(_("累计实际收益"))
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.PLANNED
    )
    starts_on = models.DateField(_("启动日期"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("一村一策项目")
        verbose_name_plural = _("一村一策项目")

    def __str__(self) -> str:
        return self.name


class ProjectMilestoneQuerySet(ScopedQuerySet):
    village_path = "project__village"


class ProjectMilestone(models.Model):
    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="milestones", verbose_name=_("项目")
    )
    title = models.CharField(_("节点"), max_length=100)
    due_on = models.DateField(_("计划日期"))
    done_on = models.DateField(_("完成日期"), null=True, blank=True)

    objects = ProjectMilestoneQuerySet.as_manager()

    class Meta:
        verbose_name = _("项目节点")
        verbose_name_plural = _("项目节点")
        ordering = ["due_on"]

    def __str__(self) -> str:
        return self.title
