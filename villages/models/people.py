"""Village cadres (村两委成员) and the posts they hold in each term."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jinhu.core import clock
from jinhu.core.upload_fields import PhotoField
from villages.models.scope import ScopedQuerySet
from villages.models.validators import phone_validator


class Cadre(models.Model):
    """A village cadre (村两委成员). Private fields never leave logged-in pages."""

    class Gender(models.TextChoices):
        MALE = "M", _("男")
        FEMALE = "F", _("女")

    class Education(models.IntegerChoices):
        # Ordered, so that "大专及以上" is a simple >= comparison.
        PRIMARY = 10, _("小学及以下")
        JUNIOR = 20, _("初中")
        SENIOR = 30, _("高中/中专")
        COLLEGE = 40, _("大专")
        BACHELOR = 50, _("本科")
        POSTGRADUATE = 60, _("研究生")

    village = models.ForeignKey(
        "villages.Village",
        on_delete=models.PROTECT,
        related_name="cadres",
        verbose_name=_("村（社区）"),
    )
    name = models.CharField(_("姓名"), max_length=32)
    gender = models.CharField(_("性别"), max_length=1, choices=Gender.choices)
    birth_date = models.DateField(_("出生日期"))
    education = models.PositiveSmallIntegerField(_("学历"), choices=Education.choices)
    is_party_member = models.BooleanField(_("中共党员"), default=True)
    photo = PhotoField(_("照片"), upload_to="cadres/", blank=True)
    office_phone = models.CharField(
        _("办公电话"), max_length=20, blank=True, validators=[phone_validator]
    )
    private_phone = models.CharField(
        _("私人手机"),
        max_length=20,
        blank=True,
        validators=[phone_validator],
        help_text=_("仅登录用户可见，绝不出现在公开页面。"),
    )
    is_active = models.BooleanField(_("在职"), default=True)
    is_demo = models.BooleanField(_("演示数据"), default=False)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("村干部")
        verbose_name_plural = _("村干部")
        ordering = ["village__sort_order", "name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("villages:cadre", kwargs={"pk": self.pk})

    def age_on(self, day: dt.date) -> int:
        """Full years of age (周岁) on ``day``."""
        years = day.year - self.birth_date.year
        if (day.month, day.day) < (self.birth_date.month, self.birth_date.day):
            years -= 1
        return years


class CadrePositionQuerySet(ScopedQuerySet):
    def current(self, on: dt.date | None = None) -> CadrePositionQuerySet:
        on = on or clock.today()
        return self.filter(Q(ends_on__isnull=True) | Q(ends_on__gte=on), starts_on__lte=on)


class CadrePosition(models.Model):
    """A cadre's post in one term: the unit the structure statistics count."""

    class Title(models.TextChoices):
        PARTY_SECRETARY = "party_secretary", _("党组织书记")
        PARTY_DEPUTY = "party_deputy", _("党组织副书记")
        PARTY_MEMBER = "party_member", _("党组织委员")
        COMMITTEE_DIRECTOR = "committee_director", _("村（居）委会主任")
        COMMITTEE_DEPUTY = "committee_deputy", _("村（居）委会副主任")
        COMMITTEE_MEMBER = "committee_member", _("村（居）委会委员")

    PARTY_TITLES = (Title.PARTY_SECRETARY, Title.PARTY_DEPUTY, Title.PARTY_MEMBER)

    cadre = models.ForeignKey(
        Cadre, on_delete=models.CASCADE, related_name="positions", verbose_name=_("村干部")
    )
    # Denormalised from the cadre so that scoping and statistics need no join
    # through a cadre who may later move village.
    village = models.ForeignKey(
        "villages.Village",
        on_delete=models.PROTECT,
        related_name="positions",
        verbose_name=_("村（社区）"),
    )
    term = models.ForeignKey(
        "villages.Term", on_delete=models.PROTECT, related_name="positions", verbose_name=_("届次")
    )
    title = models.CharField(_("职务"), max_length=24, choices=Title.choices)
    starts_on = models.DateField(_("任职日期"))
    ends_on = models.DateField(_("离任日期"), null=True, blank=True)

    objects = CadrePositionQuerySet.as_manager()

    class Meta:
        verbose_name = _("任职")
        verbose_name_plural = _("任职")
        ordering = ["term", "village__sort_order", "title"]
        constraints = [
            models.UniqueConstraint(
                fields=["cadre", "term", "title"], name="position_unique_per_term"
            ),
            # One party secretary per village per term (a successor mid-term
            # ends the predecessor's position first).
            models.UniqueConstraint(
                fields=["village", "term"],
                condition=Q(title="party_secretary", ends_on__isnull=True),
                name="one_sitting_secretary_per_village_term",
                violation_error_message=_("该村本届已有在任党组织书记。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.cadre} · {self.get_title_display()}（{self.term}）"

    @property
    def is_party_committee(self) -> bool:
        return self.title in self.PARTY_TITLES
