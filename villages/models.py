"""The registry everything hangs on.

Sub-district, villages and communities, party organisations, cadres and the
terms (换届届次) they serve in, and the users' scopes. This app imports no
other domain app; the others import its scoping helpers.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jinhu.core import clock
from villages.roles import Role, sees_all_villages
from villages.uploads import PhotoField

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

code_validator = RegexValidator(
    r"^[a-z0-9][a-z0-9-]{1,31}$",
    _("编码只能包含小写字母、数字和连字符，2–32 位，以字母或数字开头。"),
)
phone_validator = RegexValidator(
    r"^[0-9+\-() ]{5,20}$", _("请输入有效的电话号码（数字、空格、+、-、括号）。")
)


class ScopedQuerySet(models.QuerySet):
    """A QuerySet whose rows belong to a village.

    ``for_user(user)`` is the one place that decides what a person may see:
    sub-district staff see everything, instructors and liaisons the villages
    assigned to them, secretaries and delegated cadres their own village,
    anonymous users nothing. Every list, export, page and API starts here, and
    single objects are fetched through it so that another village's row is a
    404 (healthchecks ``_get_check_for_user``; NetBox ``RestrictedQuerySet``).
    """

    #: the lookup from this model to Village, e.g. "village" or "report__village"
    village_path = "village"
    #: the path crosses a many-valued relation (a meeting's villages): rows are matched
    #: through a subquery, so that a row of several visible villages is listed once
    many = False

    def for_user(self, user: AbstractBaseUser | AnonymousUser) -> ScopedQuerySet:
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if sees_all_villages(user):
            return self
        visible = VillageAssignment.objects.active().filter(user=user).values("village_id")
        return self._matching(**{f"{self.village_path}__in": visible})

    def for_village(self, village: Village) -> ScopedQuerySet:
        return self._matching(**{self.village_path: village})

    def _matching(self, **lookup) -> ScopedQuerySet:
        if self.many:
            return self.filter(pk__in=self.model._default_manager.filter(**lookup).values("pk"))
        return self.filter(**lookup)


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
        Village, on_delete=models.PROTECT, related_name="cadres", verbose_name=_("村（社区）")
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
        Village, on_delete=models.PROTECT, related_name="positions", verbose_name=_("村（社区）")
    )
    term = models.ForeignKey(
        Term, on_delete=models.PROTECT, related_name="positions", verbose_name=_("届次")
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


class AssignmentQuerySet(models.QuerySet):
    def active(self) -> AssignmentQuerySet:
        return self.filter(is_active=True)


class VillageAssignment(models.Model):
    """Which villages a user may see, and in which capacity."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="village_assignments",
        verbose_name=_("用户"),
    )
    village = models.ForeignKey(
        Village, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("村（社区）")
    )
    role = models.CharField(_("身份"), max_length=16, choices=Role.village_choices())
    is_active = models.BooleanField(_("有效"), default=True)
    assigned_on = models.DateField(_("指派日期"), default=timezone.localdate)

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("村级指派")
        verbose_name_plural = _("村级指派")
        constraints = [
            models.UniqueConstraint(fields=["user", "village", "role"], name="assignment_unique"),
        ]
        # Serves ScopedQuerySet.for_user: "villages of this user".
        indexes = [models.Index(fields=["user", "is_active"], name="assignment_user_idx")]

    def __str__(self) -> str:
        return f"{self.user} · {self.village} · {self.get_role_display()}"


class Profile(models.Model):
    """A portal user's role and, for cadres, the cadre record they are."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="profile",
        verbose_name=_("用户"),
    )
    role = models.CharField(_("角色"), max_length=16, choices=Role.choices)
    display_name = models.CharField(_("显示名称"), max_length=32)
    cadre = models.OneToOneField(
        Cadre,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="profile",
        verbose_name=_("对应村干部"),
    )

    class Meta:
        verbose_name = _("用户资料")
        verbose_name_plural = _("用户资料")

    def __str__(self) -> str:
        return f"{self.display_name}（{self.get_role_display()}）"


class AccountState(models.Model):
    """What the portal keeps about a login beyond Django's user: whether the password
    must be changed at the next sign-in (first sign-in, or set by an administrator)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="account_state",
        verbose_name=_("用户"),
    )
    must_change_password = models.BooleanField(_("下次登录须修改密码"), default=False)
    password_changed_at = models.DateTimeField(_("密码修改时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("账号安全状态")
        verbose_name_plural = _("账号安全状态")

    def __str__(self) -> str:
        return str(self.user)
