"""Object-level permissions (django-rules), discovered at start-up.

Scope (which rows a user may see at all) is ``ScopedQuerySet.for_user``; these
predicates decide what a user may *do* with an object already in scope.
"""

from __future__ import annotations

import rules

from villages.models import Role, role_of, sees_all_villages


@rules.predicate
def is_staff_role(user) -> bool:
    return sees_all_villages(user)


@rules.predicate
def is_reviewer(user) -> bool:
    return role_of(user) in {Role.STAFF, Role.INSTRUCTOR, Role.LIAISON}


def _village_id(obj) -> int | None:
    if obj is None:
        return None
    from villages.models import Village

    if isinstance(obj, Village):
        return obj.pk
    return getattr(obj, "village_id", None)


def _assigned(user, obj, roles: set[str]) -> bool:
    village_id = _village_id(obj)
    if village_id is None or not user.is_authenticated:
        return False
    return user.village_assignments.active().filter(village_id=village_id, role__in=roles).exists()


@rules.predicate
def is_secretary_of(user, obj) -> bool:
    return _assigned(user, obj, {Role.SECRETARY})


@rules.predicate
def works_in(user, obj) -> bool:
    """The village's secretary or a cadre the secretary delegated to."""
    return _assigned(user, obj, {Role.SECRETARY, Role.CADRE})


@rules.predicate
def guides(user, obj) -> bool:
    """The village's resident instructor or liaison leader."""
    return _assigned(user, obj, {Role.INSTRUCTOR, Role.LIAISON})


@rules.predicate
def works_in_a_village(user) -> bool:
    """The secretary (or a delegated cadre) of some village: for actions that are not
    about one village yet (an import names its villages row by row)."""
    if not user.is_authenticated:
        return False
    roles = {Role.SECRETARY, Role.CADRE}
    return user.village_assignments.active().filter(role__in=roles).exists()


rules.add_perm("villages.view_village", rules.is_authenticated)
# Sub-district staff see every village (and so sign in with a second factor).
rules.add_perm("villages.view_all_villages", is_staff_role)
# The change history (操作日志) spans every village: sub-district staff only.
rules.add_perm("villages.view_audit_log", is_staff_role)
rules.add_perm("villages.change_village", is_staff_role | is_secretary_of)
rules.add_perm("villages.change_cadre", is_staff_role | is_secretary_of)
rules.add_perm("villages.add_cadre", is_staff_role | is_secretary_of)
rules.add_perm("villages.view_private_fields", is_staff_role | works_in | guides)
rules.add_perm("villages.manage_assignments", is_staff_role)
