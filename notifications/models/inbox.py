from __future__ import annotations

from typing import Any, Self

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from villages.selectors import ScopedQuerySet, Village, sees_all_villages


class NotificationQuerySet(ScopedQuerySet):
    def for_user(self, user: Any) -> Self:
        """The user's own notices about what they still see: a notice about a village
        they no longer see (an assignment ended) is not shown."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        mine = self.filter(recipient=user)
        if sees_all_villages(user):
            return mine
        # (A notice about no one village, such as the quarantine across all devices, is
        # for staff: someone no longer staff does not see it.)
        return mine.filter(village__in=Village.objects.for_user(user).values("pk"))

    def unread(self) -> Self:
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """One notice in one person's inbox. ``key`` names the rule and the occasion (the
    report and month, the finding and its deadline …): a person gets each occasion once,
    however often the job runs."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("接收人"),
    )
    rule = models.ForeignKey(
        "notifications.Rule",
        on_delete=models.PROTECT,
        related_name="notifications",
        verbose_name=_("规则"),
    )
    village = models.ForeignKey(
        Village,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("村（社区）"),
    )
    key = models.CharField(_("事由"), max_length=160)
    title = models.CharField(_("标题"), max_length=200)
    body = models.CharField(_("正文"), max_length=600)
    url = models.CharField(_("链接"), max_length=300, blank=True)
    about = models.DateField(_("相关日期"), null=True, blank=True)
    created_at = models.DateTimeField(_("时间"))
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("提醒")
        verbose_name_plural = _("提醒")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "key"], name="notification_once"),
        ]
        indexes = [
            # The bell: "my unread notices", on every page.
            models.Index(fields=["recipient", "read_at"], name="notification_unread"),
            models.Index(fields=["key"], name="notification_key"),
        ]

    def __str__(self) -> str:
        return self.title
