"""Who a user is in the portal: their role, the villages assigned to them (and in which
capacity), and the account state kept beside Django's user."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
    from django.utils.functional import _StrOrPromise as StrOrPromise


class Role(models.TextChoices):
    STAFF = "staff", _("街道工作人员")
    INSTRUCTOR = "instructor", _("驻村指导员")
    LIAISON = "liaison", _("联系村班子成员")
    SECRETARY = "secretary", _("村书记")
    CADRE = "cadre", _("村干部")

    @classmethod
    def village_choices(cls) -> list[tuple[str, StrOrPromise]]:
        """Capacities in which a user is assigned to a village."""
        return [(r.value, r.label) for r in (cls.INSTRUCTOR, cls.LIAISON, cls.SECRETARY, cls.CADRE)]


#: roles that review villages' work (first-level review and comments)
REVIEWER_ROLES = frozenset({Role.STAFF, Role.INSTRUCTOR, Role.LIAISON})
#: roles that work inside one village
VILLAGE_ROLES = frozenset({Role.SECRETARY, Role.CADRE})


def role_of(user: AbstractBaseUser | AnonymousUser) -> str | None:
    if not user.is_authenticated:
        return None
    if getattr(user, "is_superuser", False):
        return Role.STAFF
    profile = getattr(user, "profile", None)
    return profile.role if profile is not None else None


def sees_all_villages(user: AbstractBaseUser | AnonymousUser) -> bool:
    return user.is_authenticated and role_of(user) == Role.STAFF


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
        "villages.Village",
        on_delete=models.CASCADE,
        related_name="assignments",
        verbose_name=_("村（社区）"),
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
        "villages.Cadre",
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
