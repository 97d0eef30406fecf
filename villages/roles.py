"""Role names and the one question every scope asks: does this user see all?

Roles live on ``villages.Profile.role`` (one role per person). Village-level
capacities (secretary of X, instructor of Y) are ``VillageAssignment`` rows.
This module imports no models so that every app can import it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser


class Role(models.TextChoices):
    STAFF = "staff", _("街道工作人员")
    INSTRUCTOR = "instructor", _("驻村指导员")
    LIAISON = "liaison", _("联系村班子成员")
    SECRETARY = "secretary", _("村书记")
    CADRE = "cadre", _("村干部")

    @classmethod
    def village_choices(cls) -> list[tuple[str, str]]:
        """Capacities in which a user is assigned to a village."""
        return [(r.value, r.label) for r in (cls.INSTRUCTOR, cls.LIAISON, cls.SECRETARY, cls.CADRE)]


#: roles that review villages' work (first-level review and comments)
REVIEWER_ROLES = frozenset({Role.STAFF, Role.INSTRUCTOR, Role.LIAISON})
#: roles that work inside one village
VILLAGE_ROLES = frozenset({Role.SECRETARY, Role.CADRE})


def role_of(user: AbstractBaseUser | AnonymousUser) -> str | None:
    if not user.is_authenticated:
        return None
    if user.is_superuser:
        return Role.STAFF
    profile = getattr(user, "profile", None)
    return profile.role if profile is not None else None


def sees_all_villages(user: AbstractBaseUser | AnonymousUser) -> bool:
    return user.is_authenticated and role_of(user) == Role.STAFF
