"""The registry's read API for other apps and for pages: who sees which villages,
and how to name that set truthfully."""

from __future__ import annotations

from villages.models import Village
from villages.roles import sees_all_villages


def display_name(user) -> str:
    """A person as the pages show them: their name, never their login."""
    if user is None:
        return "—"
    profile = getattr(user, "profile", None)
    name = getattr(profile, "display_name", "") if profile is not None else ""
    return name or user.get_full_name() or user.username


def scope_label(user, villages=None) -> str:
    """What a figure computed over the user's villages summarises, in words.

    Sub-district staff: 全街道. One village: its name. Several: 所联系的 N 个村（社区）.
    A figure must never be labelled 全街道 when it summarises one village.
    """
    if sees_all_villages(user):
        return "全街道"
    if villages is None:
        villages = Village.objects.for_user(user).active()
    names = [v.name for v in villages]
    if len(names) == 1:
        return names[0]
    if not names:
        return "（无村（社区））"
    return f"所联系的 {len(names)} 个村（社区）"
