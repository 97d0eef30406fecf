"""Writes a person makes to their own inbox, and to the rules and channels."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from jinhu.core import clock, queue
from jinhu.core.history import audit_actor
from jinhu.core.perms import rule_allows
from notifications.core import text
from notifications.core.catalogue import facts_of
from notifications.models import Channel, Delivery, DeliveryStatus, Rule
from notifications.selectors import may_manage


def mark_read(*, actor: Any, notices: Any, now: dt.datetime | None = None) -> int:
    """Mark ``notices`` (a queryset, already the actor's own) read."""
    now = now or clock.now()
    return int(notices.filter(recipient=actor, read_at__isnull=True).update(read_at=now))


def rule_update(*, actor: Any, rule: Rule, data: dict[str, Any]) -> Rule:
    """Switch a rule on or off, change its timing or texts (administrators)."""
    if not rule_allows("notifications.manage_rules", actor):
        raise PermissionDenied
    facts = facts_of(rule.key)
    for field in ("title", "text"):
        try:
            text.check(data[field], facts)
        except text.TextError as exc:
            raise ValidationError({field: str(exc)}) from None
    with transaction.atomic(), audit_actor(actor):
        for field in ("enabled", "threshold", "title", "text"):
            setattr(rule, field, data[field])
        rule.save()
    return rule


def channel_create(*, actor: Any, data: dict[str, Any], now: dt.datetime | None = None) -> Channel:
    """A channel for the actor, or for a village group they may manage."""
    village = data.get("village")
    if village is not None and not rule_allows(
        "notifications.manage_village_channels", actor, village
    ):
        raise PermissionDenied
    channel = Channel(
        name=data["name"],
        kind=data["kind"],
        owner=None if village is not None else actor,
        village=village,
        token=data.get("token", ""),
        secret=data.get("secret", ""),
        address=data.get("address", ""),
        mode=data["mode"],
        created_by=actor,
        created_at=now or clock.now(),
    )
    channel.full_clean()
    with transaction.atomic(), audit_actor(actor):
        channel.save()
        channel.rules.set(data.get("rules") or [])
    return channel


def channel_delete(*, actor: Any, channel: Channel) -> None:
    if not may_manage(actor, channel):
        raise PermissionDenied
    with transaction.atomic(), audit_actor(actor):
        channel.delete()


def channel_enable(*, actor: Any, channel: Channel, active: bool) -> Channel:
    """Switch a channel on (its failure count starts again) or off by hand."""
    if not may_manage(actor, channel):
        raise PermissionDenied
    with transaction.atomic(), audit_actor(actor):
        channel.active = active
        if active:
            channel.failures = 0
            channel.failing_since = None
            channel.disabled_at = None
            channel.disabled_reason = ""
        else:
            channel.disabled_at = clock.now()
            channel.disabled_reason = "已手动停用"
            channel.deliveries.filter(status=DeliveryStatus.PENDING).update(
                status=DeliveryStatus.SKIPPED, last_error="通道已停用"
            )
        channel.save()
    return channel


def channel_test(*, actor: Any, channel: Channel, now: dt.datetime | None = None) -> Delivery:
    """Queue a test message to the channel now (it goes out with the next send run,
    after the quiet hours at night)."""
    if not may_manage(actor, channel):
        raise PermissionDenied
    if not channel.active:
        raise ValidationError("通道已停用，请先启用。")
    now = now or clock.now()
    delivery = Delivery.objects.create(
        channel=channel,
        key=f"test:{int(now.timestamp() * 1000)}",
        title="测试消息",
        body=f"这是一条来自锦湖平台的测试消息，通道“{channel.name}”设置正确。",
        url="",
        next_attempt_at=now,
        created_at=now,
    )
    queue.enqueue_on_commit("notifications.send_due")
    return delivery


def delivery_retry(*, actor: Any, delivery: Delivery, now: dt.datetime | None = None) -> None:
    """Send a failed delivery again (its channel must be on)."""
    if not may_manage(actor, delivery.channel):
        raise PermissionDenied
    if delivery.status not in (DeliveryStatus.FAILED, DeliveryStatus.SKIPPED):
        raise ValidationError("只有发送失败或未发送的记录可以重发。")
    Delivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.PENDING, attempts=0, next_attempt_at=now or clock.now()
    )
