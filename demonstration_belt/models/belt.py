"""The belt itself (锦湖·咏风): its route and member villages, and the six dimensions
(六个过硬) everything else is grouped by."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jinhu.core import clock
from villages.selectors import ScopedQuerySet, Village


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
