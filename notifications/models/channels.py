from __future__ import annotations

from typing import Any, Self

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from villages.selectors import Village, sees_all_villages


class ChannelQuerySet(models.QuerySet):
    def for_user(self, user: Any) -> Self:
        """A person's own channels and those of the villages they see (staff: all)."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if sees_all_villages(user):
            return self
        visible = Village.objects.for_user(user).values("pk")
        return self.filter(Q(owner=user) | Q(village__in=visible))


class Channel(models.Model):
    """Where a person's (or a village group's) notices also go: a DingTalk or WeCom group
    robot, or an e-mail address. It keeps the robot's token, never a URL."""

    class Kind(models.TextChoices):
        DINGTALK = "dingtalk", _("钉钉群机器人")
        WECOM = "wecom", _("企业微信群机器人")
        EMAIL = "email", _("电子邮件")

    class Mode(models.TextChoices):
        IMMEDIATE = "immediate", _("逐条即时发送")
        DIGEST = "digest", _("每日汇总一次")

    name = models.CharField(_("名称"), max_length=40)
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notification_channels",
        verbose_name=_("个人"),
    )
    village = models.ForeignKey(
        Village,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("村（社区）群"),
    )
    token = models.CharField(_("机器人令牌"), max_length=128, blank=True)
    secret = models.CharField(_("加签密钥"), max_length=128, blank=True)
    address = models.EmailField(_("邮箱地址"), blank=True)
    rules = models.ManyToManyField(
        "notifications.Rule", blank=True, related_name="channels", verbose_name=_("提醒类型")
    )
    mode = models.CharField(
        _("发送方式"), max_length=10, choices=Mode.choices, default=Mode.IMMEDIATE
    )
    active = models.BooleanField(_("启用"), default=True)
    failures = models.PositiveIntegerField(_("连续失败次数"), default=0)
    failing_since = models.DateTimeField(_("开始连续失败"), null=True, blank=True)
    disabled_at = models.DateTimeField(_("停用时间"), null=True, blank=True)
    disabled_reason = models.CharField(_("停用原因"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("设置人"),
    )
    created_at = models.DateTimeField(_("设置时间"))

    objects = ChannelQuerySet.as_manager()

    class Meta:
        verbose_name = _("外发通道")
        verbose_name_plural = _("外发通道")
        ordering = ["village__sort_order", "name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(owner__isnull=False) & Q(village__isnull=True))
                | (Q(owner__isnull=True) & Q(village__isnull=False)),
                name="channel_one_owner",
                violation_error_message=_("通道属于个人或某个村（社区）群，二者选一。"),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def target_display(self) -> str:
        """The destination as pages show it: never the whole token."""
        if self.kind == self.Kind.EMAIL:
            return self.address
        return f"令牌 …{self.token[-4:]}" if self.token else "—"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("待发送")
    SENT = "sent", _("已发送")
    FAILED = "failed", _("发送失败")
    SKIPPED = "skipped", _("未发送")


class DeliveryQuerySet(models.QuerySet):
    def for_user(self, user: Any) -> Self:
        return self.filter(channel__in=Channel.objects.for_user(user).values("pk"))


class Delivery(models.Model):
    """One notice for one channel: the delivery log. A channel gets each occasion once
    (``key``), whoever else it was for."""

    channel = models.ForeignKey(
        Channel, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("通道")
    )
    key = models.CharField(_("事由"), max_length=160)
    rule = models.ForeignKey(
        "notifications.Rule",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("规则"),
    )
    title = models.CharField(_("标题"), max_length=200)
    body = models.CharField(_("正文"), max_length=600)
    url = models.CharField(_("链接"), max_length=300, blank=True)
    digest = models.BooleanField(_("汇总发送"), default=False)
    status = models.CharField(
        _("状态"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次尝试"))
    last_error = models.CharField(_("最近错误"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("生成时间"))
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        verbose_name = _("发送记录")
        verbose_name_plural = _("发送记录")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["channel", "key"], name="delivery_once"),
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="delivery_due")]

    def __str__(self) -> str:
        return f"{self.channel} {self.title}"
