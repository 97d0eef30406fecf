"""What devices send, as received and as understood.

``DeviceRequest`` is the append-only record of every request (raw bytes,
committed before the device gets its answer). Everything else here is derived
from it by the parse task and can be rebuilt by replaying: punches (with a
database-enforced unique key, so a re-uploaded log changes nothing),
quarantined lines, device events, command results.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from attendance.models.devices import Device, DeviceScopedQuerySet
from villages.selectors import Cadre, ScopedQuerySet, Village


class Protocol(models.TextChoices):
    ZK = "zk", _("ZKTeco PUSH")
    HIK = "hik", _("海康 ISAPI")


class RequestStatus(models.TextChoices):
    ACCEPTED = "accepted", _("已接收")
    REFUSED = "refused", _("已拒绝")


class DeviceRequestQuerySet(DeviceScopedQuerySet):
    def unparsed(self) -> DeviceRequestQuerySet:
        return self.filter(
            status=RequestStatus.ACCEPTED, parsed_at__isnull=True, kind__in=PARSED_KINDS
        )


class DeviceRequest(models.Model):
    # SET_NULL: an unknown device's pending row expires (``devices_expire_pending``) while
    # the refused requests that created it stay, with the serial in their query string.
    device = models.ForeignKey(
        Device,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="requests",
        verbose_name=_("设备"),
    )
    protocol = models.CharField(_("协议"), max_length=4, choices=Protocol.choices)
    #: what the request carries: attlog, operlog, rtlog, hik_event, handshake, …
    kind = models.CharField(_("类型"), max_length=16)
    method = models.CharField(_("方法"), max_length=8)
    path = models.CharField(_("路径"), max_length=200)
    query_string = models.TextField(_("查询参数"), blank=True)
    headers = models.JSONField(_("请求头"), default=dict)
    body = models.BinaryField(_("请求体"), blank=True)
    #: bytes received; more than ``len(body)`` when a refused body was kept only in part
    body_size = models.PositiveIntegerField(_("请求体字节数"), default=0)
    remote_addr = models.GenericIPAddressField(_("来源地址"), null=True, blank=True)
    received_at = models.DateTimeField(_("接收时间"), db_index=True)
    status = models.CharField(_("处理结果"), max_length=10, choices=RequestStatus.choices)
    refusal_reason = models.CharField(_("拒绝原因"), max_length=200, blank=True)
    #: claimed by the parse task with a conditional UPDATE (parsed_at IS NULL)
    parsed_at = models.DateTimeField(_("解析时间"), null=True, blank=True)
    encoding = models.CharField(_("编码"), max_length=16, blank=True)
    line_count = models.PositiveIntegerField(_("行数"), default=0)
    result = models.JSONField(_("解析结果"), default=dict, blank=True)
    #: seconds the device's clock was behind the server when this upload was received
    #: (receipt minus its newest line), measured when the upload is real-time: one line,
    #: or from a device heard from just before it (a reconnecting device's backlog is old
    #: by nature and says nothing about its clock). Negative: the clock is ahead.
    clock_offset = models.IntegerField(_("设备时钟偏差（秒）"), null=True, blank=True)

    objects = DeviceRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("设备原始请求")
        verbose_name_plural = _("设备原始请求")
        ordering = ["-received_at"]
        indexes = [
            # Replay and the device page: a device's requests over a period.
            models.Index(fields=["device", "received_at"], name="devreq_device_received"),
            # The parse queue sweeper: accepted, not yet parsed.
            models.Index(
                fields=["status", "parsed_at"],
                name="devreq_unparsed",
                condition=Q(parsed_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.method} {self.path} {self.received_at:%Y-%m-%d %H:%M:%S}"

    @property
    def body_truncated(self) -> bool:
        return self.body_size > len(self.body or b"")


#: request kinds the parse task turns into rows
PARSED_KINDS = ("attlog", "operlog", "rtlog", "hik_event")


class PunchSource(models.TextChoices):
    ZK_ATTLOG = "zk_attlog", _("考勤机")
    ZK_RTLOG = "zk_rtlog", _("门禁机")
    HIK = "hik", _("人脸终端")


class PunchQuerySet(ScopedQuerySet):
    def countable(self) -> PunchQuerySet:
        """Punches that may decide attendance: matched and not waiting for review."""
        return self.filter(cadre__isnull=False, needs_review=False)


class Punch(models.Model):
    # No database-level foreign keys on this append-only, high-volume table: its
    # references are resolved by the parse task from existing rows, and the deferred
    # constraint checks cost 9 ms per 500-line upload at commit (a quarter of the
    # parse; bench/device_ingest.py). PROTECT still guards deletions in the ORM.
    # Indexes: three written per ZKTeco line (there were eight), see Meta.
    device = models.ForeignKey(
        Device,
        on_delete=models.PROTECT,
        related_name="punches",
        verbose_name=_("设备"),
        db_constraint=False,
        db_index=False,  # the content key starts with the device
    )
    village = models.ForeignKey(
        Village,
        on_delete=models.PROTECT,
        related_name="punches",
        verbose_name=_("村（社区）"),
        db_constraint=False,
        db_index=False,  # (scoped lists go through the partial indexes below)
    )
    source = models.CharField(_("来源"), max_length=10, choices=PunchSource.choices)
    pin = models.CharField(_("设备工号"), max_length=24)
    cadre = models.ForeignKey(
        Cadre,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="punches",
        verbose_name=_("干部"),
        db_constraint=False,
        db_index=False,  # punch_cadre_time below
    )
    punched_at = models.DateTimeField(_("打卡时间"))
    #: the time exactly as the device sent it (device-local wall clock, or ISO with offset)
    raw_time = models.CharField(_("原始时间"), max_length=40)
    status = models.SmallIntegerField(_("状态键"), default=-1)
    verify = models.SmallIntegerField(_("验证方式/事件代码"), default=-1)
    is_biometric = models.BooleanField(_("生物识别"), default=False)
    #: ZK rtlog ``index`` or Hikvision ``serialNo``: unique per device when present
    record_id = models.BigIntegerField(_("设备记录号"), null=True, blank=True)
    request = models.ForeignKey(
        DeviceRequest,
        on_delete=models.PROTECT,
        related_name="punches",
        verbose_name=_("原始请求"),
        db_constraint=False,
        # Requests older than JINHU_DEVICE_REQUEST_KEEP_MONTHS are archived to files and
        # deleted (attendance/services/retention.py); the punch keeps the id, which names
        # its request in the archive (replay_archive restores it under the same id).
        db_index=False,  # a request's lines are rarely asked for
    )
    line_no = models.PositiveIntegerField(_("行号"))
    received_at = models.DateTimeField(_("接收时间"))
    flags = models.JSONField(_("疑点"), default=list, blank=True)
    needs_review = models.BooleanField(_("待核实"), default=False)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("核实人"),
        db_constraint=False,
        db_index=False,
    )
    unmatched_reason = models.CharField(_("未匹配原因"), max_length=100, blank=True)

    objects = PunchQuerySet.as_manager()

    class Meta:
        verbose_name = _("打卡记录")
        verbose_name_plural = _("打卡记录")
        ordering = ["-punched_at"]
        constraints = [
            # ZK ATTLOG (and Hikvision without serialNo, with status -1 and the
            # minor code as verify): content is the key, so a re-uploaded log
            # changes nothing. Stamps are unreliable by the vendor's own account.
            models.UniqueConstraint(
                fields=["device", "pin", "raw_time", "status", "verify"],
                condition=Q(record_id__isnull=True),
                name="punch_content_unique",
            ),
            models.UniqueConstraint(
                fields=["device", "record_id"],
                condition=Q(record_id__isnull=False),
                name="punch_record_unique",
            ),
        ]
        indexes = [
            # Judging a slot: a cadre's punches around the slot's window. Covering (the
            # two flags the judge reads are in the index), so rebuilding a city's year
            # reads no heap page (index-only scans; bench/scoring.py).
            models.Index(
                fields=["cadre", "punched_at"],
                include=["is_biometric", "needs_review"],
                name="punch_cadre_time",
            ),
            # The inboxes (unmatched PINs, punches to review) and the device panel's counts:
            # small partial indexes, kept only for the rows they list.
            models.Index(
                fields=["device", "pin"], condition=Q(cadre__isnull=True), name="punch_unmatched"
            ),
            models.Index(fields=["device"], condition=Q(needs_review=True), name="punch_review"),
            # (No index by village or by time alone: no page lists a village's punches, and
            # each index here is paid for on every one of millions of inserted lines; a
            # device's punches by PIN or by time use punch_content_unique's prefix.)
        ]

    def __str__(self) -> str:
        return f"{self.pin} {self.raw_time}"


class QuarantinedLineQuerySet(DeviceScopedQuerySet):
    def unresolved(self) -> QuarantinedLineQuerySet:
        return self.filter(resolved_at__isnull=True)


class QuarantinedLine(models.Model):
    request = models.ForeignKey(
        DeviceRequest,
        on_delete=models.CASCADE,
        related_name="quarantined",
        verbose_name=_("原始请求"),
    )
    device = models.ForeignKey(
        Device,
        on_delete=models.PROTECT,
        null=True,
        related_name="quarantined",
        verbose_name=_("设备"),
    )
    line_no = models.PositiveIntegerField(_("行号"))
    raw = models.TextField(_("原始内容"))
    reason = models.CharField(_("原因"), max_length=300)
    created_at = models.DateTimeField(_("隔离时间"), auto_now_add=True)
    #: staff looked at the line and settled it (the raw request may then be archived)
    resolved_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("处理人"),
    )
    resolution = models.CharField(_("处理说明"), max_length=200, blank=True)

    objects = QuarantinedLineQuerySet.as_manager()

    class Meta:
        verbose_name = _("隔离行")
        verbose_name_plural = _("隔离行")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["request", "line_no"], name="quarantine_unique"),
        ]
        indexes = [
            # The backlog (status page, metrics) and retention's "keep what is unresolved".
            models.Index(
                fields=["request"], condition=Q(resolved_at__isnull=True), name="quarantine_open"
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.request_id}:{self.line_no} {self.reason}"


class DeviceEvent(models.Model):
    """A non-punch record: operation log, user record, camera event, failed attempt."""

    class Kind(models.TextChoices):
        OPLOG = "oplog", _("操作日志")
        USER = "user", _("人员信息")
        TEMPLATE = "template", _("生物模板")
        CAMERA = "camera", _("视频事件")
        ATTEMPT = "attempt", _("认证失败")
        ACCESS = "access", _("其他门禁事件")

    device = models.ForeignKey(
        Device, on_delete=models.PROTECT, related_name="events", verbose_name=_("设备")
    )
    request = models.ForeignKey(
        DeviceRequest, on_delete=models.CASCADE, related_name="events", verbose_name=_("原始请求")
    )
    line_no = models.PositiveIntegerField(_("行号"))
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    occurred_at = models.DateTimeField(_("发生时间"), null=True, blank=True)
    code = models.IntegerField(_("代码"), null=True, blank=True)
    record_id = models.BigIntegerField(_("设备记录号"), null=True, blank=True)
    summary = models.CharField(_("摘要"), max_length=200, blank=True)
    payload = models.JSONField(_("内容"), default=dict, blank=True)
    encoding = models.CharField(_("编码"), max_length=16, blank=True)
    #: an audit flag: set time, factory reset, deleted records, …
    audit_reason = models.CharField(_("审计提示"), max_length=50, blank=True)
    picture_sha256 = models.CharField(_("图片摘要"), max_length=64, blank=True)

    objects = DeviceScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("设备事件")
        verbose_name_plural = _("设备事件")
        ordering = ["-occurred_at"]
        constraints = [
            models.UniqueConstraint(fields=["request", "line_no"], name="device_event_unique"),
        ]
        indexes = [models.Index(fields=["device", "occurred_at"], name="devevent_device_time")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.summary}"
