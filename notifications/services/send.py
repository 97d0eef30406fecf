"""Sending what is due: one message per notice (or one digest a day), through the
channel's transport, with retries that back off, nothing at night, and a channel that
keeps failing switched off with a notice to staff.

One sender per channel at a time (the channel row is locked while it sends); each
delivery's outcome commits with the attempt. A worker killed between the platform's
answer and the commit sends that message again on the next run (at least once).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import urllib.error
import urllib.request
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, mail_admins
from django.db import connection, transaction
from django.db.models import F
from django.urls import reverse

from jinhu.core import clock
from notifications.core import robots, text, timing
from notifications.models import Channel, Delivery, DeliveryStatus

log = logging.getLogger(__name__)

TIMEOUT = 10  # seconds per HTTP request or SMTP session


class DeliveryError(Exception):
    """A message the channel did not take; the text (Chinese) goes to the delivery log."""


def quiet_hours() -> timing.QuietHours | None:
    return timing.QuietHours.parse(settings.JINHU_NOTIFY_QUIET_HOURS)


def quiet_until(now: dt.datetime) -> dt.datetime | None:
    """When the quiet hours around ``now`` end, or None when it is not quiet."""
    hours = quiet_hours()
    if hours is None:
        return None
    local = clock.local(now).replace(tzinfo=None)
    if not hours.contains(local):
        return None
    return clock.aware(hours.ends_after(local))


#: mail backends that deliver nothing (the embedded default prints mails)
NOT_DELIVERING = (
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.dummy.EmailBackend",
)


def email_configured() -> bool:
    """Whether e-mail really leaves the portal (``EMAIL_URL`` names an SMTP server)."""
    return settings.EMAIL_BACKEND not in NOT_DELIVERING


def link_of(url: str) -> str:
    return f"{settings.JINHU_PUBLIC_BASE_URL.rstrip('/')}{url}" if url else ""


# ---------------------------------------------------------------------------
# Transports
# ---------------------------------------------------------------------------
def _post_json(url: str, body: bytes) -> None:
    request = urllib.request.Request(
        url, data=body, method="POST", headers={"Content-Type": "application/json; charset=utf-8"}
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            answer = response.read(64 * 1024)
    except urllib.error.HTTPError as exc:
        raise DeliveryError(f"平台返回 HTTP {exc.code}") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise DeliveryError(f"无法连接平台：{reason}") from None
    try:
        robots.check_answer(answer)
    except robots.RobotError as exc:
        raise DeliveryError(str(exc)) from None


def transport(channel: Channel, message: text.Message, now: dt.datetime) -> None:
    """Send ``message`` through ``channel``; DeliveryError when it is not taken."""
    if channel.kind == Channel.Kind.DINGTALK:
        url = robots.dingtalk_url(
            settings.JINHU_DINGTALK_API, channel.token, channel.secret, int(now.timestamp() * 1000)
        )
        _post_json(url, robots.dingtalk_body(message))
    elif channel.kind == Channel.Kind.WECOM:
        _post_json(
            robots.wecom_url(settings.JINHU_WECOM_API, channel.token), robots.wecom_body(message)
        )
    elif channel.kind == Channel.Kind.EMAIL:
        if not email_configured():
            raise DeliveryError("平台未配置邮件服务器（EMAIL_URL），邮件无法发出。")
        body = message.body + (f"\n\n打开平台查看：{message.link}" if message.link else "")
        subject = " ".join(f"[{settings.JINHU_SITE_NAME}] {message.title}".split())
        mail = EmailMessage(
            subject,
            body,
            settings.DEFAULT_FROM_EMAIL,
            [channel.address],
        )
        try:
            mail.send(fail_silently=False)
        except (OSError, ValueError) as exc:  # (smtplib's errors are OSErrors)
            raise DeliveryError(f"邮件发送失败：{exc}") from None
    else:
        raise DeliveryError(f"未知的通道类型：{channel.kind}")


# ---------------------------------------------------------------------------
# The run
# ---------------------------------------------------------------------------
def send_due(now: dt.datetime | None = None) -> dict[str, Any]:
    """Send every delivery that is due, channel by channel. At night nothing goes: what
    is due waits for the end of the quiet hours (in-app notices are not held)."""
    now = now or clock.now()
    if quiet_until(now) is not None:
        return {"quiet": True, "sent": 0, "failed": 0}
    channel_ids = sorted(
        set(
            Delivery.objects.filter(
                status=DeliveryStatus.PENDING, next_attempt_at__lte=now, channel__active=True
            ).values_list("channel_id", flat=True)
        )
    )
    totals = {"quiet": False, "sent": 0, "failed": 0}
    for channel_id in channel_ids:
        sent, failed = channel_send(channel_id, now)
        totals["sent"] += sent
        totals["failed"] += failed
    return totals


def channel_send(channel_id: int, now: dt.datetime) -> tuple[int, int]:
    """The channel's due deliveries: each immediate one as a message, the digest ones as
    one message; at most the platform's per-minute allowance."""
    sent = failed = 0
    with transaction.atomic():
        locking = Channel.objects.select_for_update(
            skip_locked=connection.features.has_select_for_update_skip_locked, of=("self",)
        )
        # (No ordering: the model's orders by the village, an outer join FOR UPDATE refuses.)
        channel = locking.filter(pk=channel_id, active=True).order_by().first()
        if channel is None:
            return 0, 0
        due = list(
            channel.deliveries.filter(
                status=DeliveryStatus.PENDING, next_attempt_at__lte=now
            ).order_by("created_at", "pk")[: robots.PER_MINUTE * 5]
        )
        batches: list[list[Delivery]] = [[d] for d in due if not d.digest]
        batches += digest_parts(channel.kind, [d for d in due if d.digest])
        for batch in batches[: robots.PER_MINUTE]:
            message = message_of(batch)
            try:
                transport(channel, message, now)
            except DeliveryError as exc:
                failed += 1
                _failed(channel, batch, str(exc), now)
                break  # (the platform is failing: the rest wait for the next run)
            else:
                sent += 1
                _sent(channel, batch, now)
    return sent, failed


def digest_parts(kind: str, digests: list[Delivery]) -> list[list[Delivery]]:
    """The day's digest deliveries in as few messages as the platform takes whole."""
    parts: list[list[Delivery]] = []
    for delivery in digests:
        if parts and robots.fits(kind, message_of([*parts[-1], delivery])):
            parts[-1].append(delivery)
        else:
            parts.append([delivery])
    return parts


def message_of(batch: list[Delivery]) -> text.Message:
    messages = [text.Message(d.title, d.body, link_of(d.url)) for d in batch]
    if len(batch) == 1 and not batch[0].digest:
        return messages[0]
    return text.digest(messages, "锦湖平台每日提醒汇总")


def _sent(channel: Channel, batch: list[Delivery], now: dt.datetime) -> None:
    Delivery.objects.filter(pk__in=[d.pk for d in batch]).update(
        status=DeliveryStatus.SENT, sent_at=now, last_error="", attempts=F("attempts") + 1
    )
    if channel.failures:
        channel.failures = 0
        channel.failing_since = None
        channel.save(update_fields=["failures", "failing_since"])


def _failed(channel: Channel, batch: list[Delivery], error: str, now: dt.datetime) -> None:
    for delivery in batch:
        delivery.attempts += 1
        delivery.last_error = error[:300]
        if delivery.attempts >= settings.JINHU_NOTIFY_MAX_ATTEMPTS:
            delivery.status = DeliveryStatus.FAILED
        else:
            delivery.next_attempt_at = now + timing.backoff(delivery.attempts)
        delivery.save(update_fields=["attempts", "last_error", "status", "next_attempt_at"])
    channel.failures += 1
    channel.failing_since = channel.failing_since or now
    channel.save(update_fields=["failures", "failing_since"])
    log.warning(
        "notification channel %s failed (%s in a row): %s", channel.pk, channel.failures, error
    )
    keeps_failing = now - channel.failing_since >= dt.timedelta(
        hours=settings.JINHU_NOTIFY_DISABLE_HOURS
    )
    if channel.failures >= settings.JINHU_NOTIFY_DISABLE_AFTER and keeps_failing:
        channel_disable(channel, error, now)


def channel_disable(channel: Channel, error: str, now: dt.datetime) -> None:
    """Switch a failing channel off, drop what waits for it, and tell staff (in the
    portal and by mail to ADMINS)."""
    from notifications.services.evaluate import notify_staff

    channel.active = False
    channel.disabled_at = now
    hours = (now - (channel.failing_since or now)).total_seconds() / 3600
    channel.disabled_reason = f"{hours:.0f} 小时内连续{channel.failures}次发送失败：{error}"[:300]
    channel.save(update_fields=["active", "disabled_at", "disabled_reason"])
    channel.deliveries.filter(status=DeliveryStatus.PENDING).update(
        status=DeliveryStatus.SKIPPED, last_error="通道已停用"
    )
    facts = {"channel": channel.name, "failures": channel.failures, "error": error}
    notify_staff(
        "channel_disabled",
        f"{channel.pk}:{int(now.timestamp())}",
        facts,
        reverse("notifications:deliveries") + f"?channel={channel.pk}",
        now,
    )
    try:
        mail_admins(
            f"外发通道“{channel.name}”已停用",
            json.dumps(facts, ensure_ascii=False, default=str),
            fail_silently=True,
        )
    except OSError:  # (mail is a courtesy here; the portal notice is the record)
        log.warning("could not mail ADMINS about channel %s", channel.pk)
