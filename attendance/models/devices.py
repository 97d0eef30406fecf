"""The devices in each village office: fingerprint clocks, face terminals, cameras.

A device is trusted only once staff approved it. Cameras are kept as a
register (with their link to the 锦湖派出所 monitoring platform); the portal
never stores video.
"""

from __future__ import annotations

import zoneinfo

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from villages.selectors import ScopedQuerySet, Village


class DeviceKind(models.TextChoices):
    ZK_CLOCK = "zk_clock", _("指纹考勤机（ZKTeco）")
    HIK_TERMINAL = "hik_terminal", _("人脸识别终端（海康）")
    CAMERA = "camera", _("监控摄像机")


class DeviceStatus(models.TextChoices):
    PENDING = "pending", _("待审批")
    ACTIVE = "active", _("启用")
    REJECTED = "rejected", _("已拒绝")
    RETIRED = "retired", _("已停用")


class DeviceQuerySet(ScopedQuerySet):
    def active(self) -> DeviceQuerySet:
        return self.filter(status=DeviceStatus.ACTIVE)


class Device(models.Model):
    village = models.ForeignKey(
        Village,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="devices",
        verbose_name=_("村（社区）"),
        help_text=_("待审批的未知设备尚未归属任何村。"),
    )
    kind = models.CharField(_("类型"), max_length=16, choices=DeviceKind.choices)
    name = models.CharField(_("名称"), max_length=64, blank=True)
    # ZKTeco identifies itself by SN; Hikvision by MAC (and serial when known).
    serial_number = models.CharField(_("序列号"), max_length=64, null=True, blank=True, unique=True)
    mac_address = models.CharField(_("MAC 地址"), max_length=17, null=True, blank=True, unique=True)
    location = models.CharField(_("安装位置"), max_length=100, blank=True)
    time_zone = models.CharField(_("时区"), max_length=40, default="Asia/Shanghai")
    installed_on = models.DateField(_("安装日期"), null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=DeviceStatus.choices, default=DeviceStatus.PENDING
    )
    # Camera register: the link to the police station's monitoring platform.
    police_linked = models.BooleanField(_("已接入派出所监控"), default=False)
    platform_channel = models.CharField(_("监控平台通道号"), max_length=64, blank=True)
    duty_phone = models.CharField(_("坐值班电话"), max_length=20, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    # Hikvision: the secret in /hik/events/<token>/, stored only as its SHA-256.
    token_hash = models.CharField(_("令牌摘要"), max_length=64, null=True, blank=True, unique=True)
    token_hint = models.CharField(_("令牌末四位"), max_length=4, blank=True)
    # ZKTeco clocks cannot carry a secret: optionally pin them to a source network.
    allowed_network = models.CharField(
        _("允许的来源网段"),
        max_length=43,
        blank=True,
        help_text=_("例如 10.12.0.0/16；留空表示不限制。"),
    )
    push_version = models.CharField(_("协议版本"), max_length=16, blank=True)
    firmware = models.CharField(_("固件版本"), max_length=64, blank=True)
    #: last Stamp= the device reported per table, echoed back in the handshake
    stamps = models.JSONField(_("上传标记"), default=dict, blank=True)
    #: attlog count from getrequest INFO; a drop means the log was cleared
    last_attlog_count = models.PositiveIntegerField(_("设备记录数"), null=True, blank=True)
    log_reset_at = models.DateTimeField(_("发现记录被清除"), null=True, blank=True)
    #: median (receipt − punch) of recent real-time punches, in seconds
    clock_skew_seconds = models.IntegerField(_("时钟偏差（秒）"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("审批人"),
    )
    approved_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    last_seen_at = models.DateTimeField(_("最近通信"), null=True, blank=True)

    objects = DeviceQuerySet.as_manager()

    class Meta:
        verbose_name = _("设备")
        verbose_name_plural = _("设备")
        ordering = ["village__sort_order", "kind", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(serial_number__isnull=False)
                | Q(mac_address__isnull=False)
                | Q(kind="camera"),
                name="device_has_identity",
                violation_error_message=_("考勤设备须填写序列号或 MAC 地址。"),
            ),
            models.CheckConstraint(
                condition=~Q(status="active") | Q(village__isnull=False),
                name="active_device_has_village",
                violation_error_message=_("启用的设备必须归属某个村（社区）。"),
            ),
        ]

    def __str__(self) -> str:
        return self.name or self.serial_number or self.mac_address or f"设备 {self.pk}"

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        """The zone the device's wall clock runs in (its times arrive without an offset)."""
        return zoneinfo.ZoneInfo(self.time_zone)

    @property
    def is_attendance_device(self) -> bool:
        return self.kind in (DeviceKind.ZK_CLOCK, DeviceKind.HIK_TERMINAL)


class DeviceScopedQuerySet(ScopedQuerySet):
    """Rows that belong to a device, scoped through the device's village."""

    village_path = "device__village"


class CommandState(models.TextChoices):
    PENDING = "pending", _("待下发")
    SENT = "sent", _("已下发")
    ACKED = "acked", _("已执行")
    FAILED = "failed", _("执行失败")
    EXPIRED = "expired", _("已过期")


class DeviceCommand(models.Model):
    class Kind(models.TextChoices):
        DATA_QUERY = "data_query", _("补传考勤记录")
        VERIFY_SUM = "verify_sum", _("核对记录数")
        INFO = "info", _("读取设备信息")

    device = models.ForeignKey(
        Device, on_delete=models.CASCADE, related_name="commands", verbose_name=_("设备")
    )
    cmd_id = models.CharField(_("命令编号"), max_length=16)
    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices)
    command = models.CharField(_("命令"), max_length=200)
    period_start = models.DateTimeField(_("起始时间"), null=True, blank=True)
    period_end = models.DateTimeField(_("结束时间"), null=True, blank=True)
    state = models.CharField(
        _("状态"), max_length=8, choices=CommandState.choices, default=CommandState.PENDING
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("发起人"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    sent_at = models.DateTimeField(_("下发时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    expires_at = models.DateTimeField(_("过期时间"))
    return_code = models.IntegerField(_("返回码"), null=True, blank=True)
    result = models.JSONField(_("返回内容"), default=dict, blank=True)
    #: queued by the nightly reconciliation (at most one per clock and day: the constraint
    #: below, so that two beat runs racing each other queue it once)
    nightly = models.BooleanField(_("夜间核对"), default=False)
    #: the command this one re-sends (a retry gets a new CmdID)
    retry_of = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("重发自"),
    )

    objects = DeviceScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("设备命令")
        verbose_name_plural = _("设备命令")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["device", "cmd_id"], name="command_id_unique"),
            models.UniqueConstraint(
                fields=["device", "period_start"],
                condition=Q(nightly=True),
                name="one_nightly_reconciliation",
            ),
        ]
        indexes = [
            # getrequest: a device's pending commands, oldest first.
            models.Index(fields=["device", "state", "created_at"], name="command_queue"),
        ]

    def __str__(self) -> str:
        return f"{self.cmd_id} {self.command}"


class Reconciliation(models.Model):
    """A day's count on the device (VERIFY SUM) against what we stored."""

    device = models.ForeignKey(
        Device, on_delete=models.CASCADE, related_name="reconciliations", verbose_name=_("设备")
    )
    day = models.DateField(_("日期"))
    device_count = models.PositiveIntegerField(_("设备记录数"))
    stored_count = models.PositiveIntegerField(_("平台记录数"))
    checked_at = models.DateTimeField(_("核对时间"), auto_now=True)
    backfill = models.ForeignKey(
        DeviceCommand,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("补传命令"),
    )

    objects = DeviceScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("记录核对")
        verbose_name_plural = _("记录核对")
        ordering = ["-day"]
        constraints = [
            models.UniqueConstraint(fields=["device", "day"], name="reconciliation_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.device} {self.day}: {self.device_count}/{self.stored_count}"

    @property
    def missing(self) -> int:
        return max(0, self.device_count - self.stored_count)


class PinMapping(models.Model):
    """A device's PIN / employee number → a cadre. Per device, never global."""

    device = models.ForeignKey(
        "attendance.Device",
        on_delete=models.CASCADE,
        related_name="pin_mappings",
        verbose_name=_("设备"),
    )
    pin = models.CharField(_("设备工号"), max_length=24)
    cadre = models.ForeignKey(
        "villages.Cadre",
        on_delete=models.PROTECT,
        related_name="pin_mappings",
        verbose_name=_("干部"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("登记人"),
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    objects = DeviceScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("工号对应")
        verbose_name_plural = _("工号对应")
        constraints = [
            models.UniqueConstraint(fields=["device", "pin"], name="pin_mapping_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.device} {self.pin} → {self.cadre}"
