"""Writes with rules for the registry. Keyword-only, with an actor, atomic.

Change history comes from django-auditlog; outside a request (commands,
tasks) the actor is set explicitly with ``audit_actor``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction

from jinhu.core.history import audit_actor
from villages.models import Cadre, Profile, Role, Village, VillageAssignment

CADRE_EDITABLE_FIELDS = (
    "name",
    "gender",
    "birth_date",
    "education",
    "is_party_member",
    "office_phone",
    "private_phone",
    "photo",
    "is_active",
)


@transaction.atomic
def cadre_save(*, actor: User, cadre: Cadre, data: dict[str, Any]) -> Cadre:
    """Create or update a cadre; the village never changes through here."""
    unknown = set(data) - set(CADRE_EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable here: {sorted(unknown)}")
    for field, value in data.items():
        if field == "photo" and value is False:  # the form's "clear" checkbox
            value = ""
        setattr(cadre, field, value)
    cadre.full_clean()
    with audit_actor(actor):
        cadre.save()
    return cadre


@transaction.atomic
def user_with_role_ensure(
    *,
    username: str,
    display_name: str,
    role: Role,
    password: str | None = None,
    villages: Sequence[tuple[Village, Role]] = (),
    cadre: Cadre | None = None,
    is_superuser: bool = False,
) -> User:
    """Create (or bring up to date) a portal user with its profile and scope.

    Idempotent: the password is only set when the user is created, so running
    the demo loader again neither changes hashes nor logs anyone out.
    """
    user, created = User.objects.get_or_create(
        username=username,
        defaults={"is_staff": role == Role.STAFF, "is_superuser": is_superuser},
    )
    if created:
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save()
    Profile.objects.update_or_create(
        user=user, defaults={"role": role, "display_name": display_name, "cadre": cadre}
    )
    for village, capacity in villages:
        VillageAssignment.objects.update_or_create(
            user=user, village=village, role=capacity, defaults={"is_active": True}
        )
    return user
