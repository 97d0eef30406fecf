"""Who sees which village: the one scoped queryset every list, page and export starts
from."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Self

from django.db import models

from villages.models.access import VillageAssignment, sees_all_villages

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser


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

    def for_user(self, user: AbstractBaseUser | AnonymousUser) -> Self:
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if sees_all_villages(user):
            return self
        visible = VillageAssignment.objects.active().filter(user=user).values("village_id")
        return self._matching(**{f"{self.village_path}__in": visible})

    def for_village(self, village: Any) -> Self:
        return self._matching(**{self.village_path: village})

    def _matching(self, **lookup: Any) -> Self:
        if self.many:
            return self.filter(pk__in=self.model._default_manager.filter(**lookup).values("pk"))
        return self.filter(**lookup)
