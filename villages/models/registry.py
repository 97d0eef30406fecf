"""The registry: the sub-district, its villages and communities, their party
organisations and the election terms (换届届次)."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jinhu.core import clock
from villages.models.people import Cadre, CadrePosition
from villages.models.scope import ScopedQuerySet
from villages.models.validators import code_validator, phone_validator


class SubDistrict(models.Model):
    code = models.CharField(_("编码"), max_length=32, unique=True, validators=[code_validator])
    name = models.CharField(_("名称"), max_length=64)
    party_committee_name = models.CharField(_("党工委名称"), max_length=64, blank=True)
    party_secretary_name = models.CharField(_("党工委书记"), max_length=32, blank=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("街道")
        verbose_name_plural = _("街道")

    def __str__(self) -> str:
        return self.name


class VillageQuerySet(ScopedQuerySet):
    village_path = "pk"

    def active(self) -> VillageQuerySet:
        return self.filter(is_active=True)


class Village(models.Model):
    class Kind(models.TextChoices):
        VILLAGE = "village", _("行政村")
        COMMUNITY = "community", _("社区")

    subdistrict = models.ForeignKey(
        SubDistrict, on_delete=models.PROTECT, related_name="villages", verbose_name=_("街道")
    )
    # The stable identifier used by imports, URLs, QR codes and device setup.
    code = models.CharField(_("编码"), max_length=32, unique=True, validators=[code_validator])
    name = models.CharField(_("名称"), max_length=64)
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices, default=Kind.VILLAGE)
    population = models.PositiveIntegerField(_("户籍人口"), default=0)
    households = models.PositiveIntegerField(_("户数"), default=0)
    address = models.CharField(_("村（社区）服务中心地址"), max_length=200, blank=True)
    duty_phone = models.CharField(
        _("值班电话"),
        max_length=20,
        blank=True,
        validators=[phone_validator],
        help_text=_("公开在值班表上的座机号码。"),
    )
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=100)
    is_active = models.BooleanField(_("启用"), default=True)
    is_demo = models.BooleanField(_("演示数据"), default=False)

    objects = VillageQuerySet.as_manager()

    class Meta:
        verbose_name = _("村（社区）")
        verbose_name_plural = _("村（社区）")
        ordering = ["sort_order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["subdistrict", "name"], name="village_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("villages:detail", kwargs={"code": self.code})


class PartyOrganization(models.Model):
    class Kind(models.TextChoices):
        COMMITTEE = "committee", _("党委")
        GENERAL_BRANCH = "general_branch", _("党总支")
        BRANCH = "branch", _("党支部")

    village = models.OneToOneField(
        Village,
        on_delete=models.CASCADE,
        related_name="party_organization",
        verbose_name=_("村（社区）"),
    )
    name = models.CharField(_("名称"), max_length=64)
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices, default=Kind.BRANCH)
    member_count = models.PositiveIntegerField(_("党员人数"), default=0)
    founded_on = models.DateField(_("成立日期"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("党组织")
        verbose_name_plural = _("党组织")
        ordering = ["village__sort_order", "village__code"]

    def __str__(self) -> str:
        return self.name

    @property
    def current_secretary(self) -> Cadre | None:
        position = (
            CadrePosition.objects.current()
            .filter(village=self.village_id, title=CadrePosition.Title.PARTY_SECRETARY)
            .select_related("cadre")
            .first()
        )
        return position.cadre if position else None


class Term(models.Model):
    """An election term (换届届次) of the village 两委, sub-district wide."""

    number = models.PositiveSmallIntegerField(_("届次"), unique=True)
    name = models.CharField(_("名称"), max_length=32)
    starts_on = models.DateField(_("换届日期"))
    ends_on = models.DateField(_("届满日期"))

    class Meta:
        verbose_name = _("届次")
        verbose_name_plural = _("届次")
        ordering = ["-number"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gt=models.F("starts_on")),
                name="term_ends_after_start",
                violation_error_message=_("届满日期必须晚于换届日期。"),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def current(cls, on: dt.date | None = None) -> Term | None:
        on = on or clock.today()
        return cls.objects.filter(starts_on__lte=on).order_by("-starts_on").first()
