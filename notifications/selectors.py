"""The notifications' read API: a person's inbox and unread count, the channels and
delivery log they may see, the rules."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from jinhu.core.perms import rule_allows
from notifications.models import Channel, Delivery, Notification, Rule


def unread_count(user: Any) -> int:
    return Notification.objects.for_user(user).unread().count()


def inbox(user: Any, *, unread_only: bool = False) -> QuerySet[Notification]:
    notices = Notification.objects.for_user(user).select_related("rule", "village")
    return notices.unread() if unread_only else notices


def channels_for(user: Any) -> QuerySet[Channel]:
    return (
        Channel.objects.for_user(user).select_related("owner", "village").prefetch_related("rules")
    )


def may_manage(user: Any, channel: Channel) -> bool:
    """A person's own channel, or a village group's channel they may manage."""
    if channel.owner_id is not None:
        return bool(channel.owner_id == user.pk)
    return rule_allows("notifications.manage_village_channels", user, channel.village)


def deliveries_for(user: Any) -> QuerySet[Delivery]:
    return Delivery.objects.for_user(user).select_related("channel", "channel__village", "rule")


def rules_all() -> QuerySet[Rule]:
    return Rule.objects.all()


def rules_for_channel(user: Any, village: Any = None) -> QuerySet[Rule]:
    """The rules a channel may take: for a village group, those about the village's own
    work; for a person, those whose audience they are in."""
    from villages.selectors import VILLAGE_ROLES, Role, role_of

    rules = list(Rule.objects.all())
    if village is not None:
        keys = [r.key for r in rules if "village" in r.audience]
    else:
        role = role_of(user)
        mine = {"staff"} if role == Role.STAFF else set()
        if role in VILLAGE_ROLES:
            mine.add("village")
        if role in (Role.INSTRUCTOR, Role.LIAISON):
            mine.add("guides")
        keys = [r.key for r in rules if mine & set(r.audience)]
    return Rule.objects.filter(key__in=keys)
